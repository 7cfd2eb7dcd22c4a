/**
 * The `eWebhookAction` enum of the Nexudus API, exactly as the API documentation spells it
 * (including its own spellings such as `HelDeskMessageCreated`).
 */
import { levenshtein } from "./levenshtein";

const webhookActions = {
  None: 1,
  CoworkerUpdate: 2,
  CoworkerCreate: 3,
  BlogPostCreate: 4,
  BlogPostUpdate: 5,
  BookingCreate: 6,
  BookingUpdate: 7,
  BookingDelete: 8,
  SendWelcomeEmail: 9,
  CoworkerContractActivate: 10,
  CoworkerContractCancel: 11,
  CoworkerContractRenew: 12,
  CoworkerContractUpgradeDowngrade: 13,
  CoworkerContractActivateFirst: 14,
  CoworkerInvoiceCreateFirst: 15,
  CoworkerInvoiceCreate: 16,
  CoworkerInvoiceDelete: 17,
  CoworkerInvoiceUpdate: 18,
  CoworkerInvoiceRefund: 19,
  CoworkerInvoiceCreditNote: 20,
  CoworkerInvoicePaid: 21,
  CoworkerInvoiceFailedPayment: 22,
  CoworkerInvoiceReceivedPayment: 23,
  CoworkerInvoiceAwaitingPayment: 24,
  CalendarEventCreate: 25,
  CalendarEventUpdate: 26,
  CalendarEventAttendeeDelete: 27,
  CalendarEventAttendeeCreate: 28,
  CalendarEventAttendeeUpdate: 29,
  GlobalChatMessageCreate: 30,
  NewsLetterSubscriberCreate: 31,
  NewsLetterSubscriberSubscribed: 32,
  NewsLetterSubscriberUnSubscribed: 33,
  NewsLetterSubscriberRemovedFromGroup: 34,
  CoworkerCheckout: 35,
  CoworkerCheckin: 36,
  CoworkerCheckinFailed: 37,
  VisitorNotification: 38,
  CommunityBoardNewThread: 39,
  CommunityBoardNewReply: 40,
  VisitorCheckedin: 41,
  VisitorRegistered: 42,
  BlogPostDelete: 43,
  CalendarEventDelete: 44,
  HelDeskMessageCreated: 45,
  HelpDeskCommentCreated: 46,
  CheckinCreated: 47,
  CheckinUpdated: 48,
  CheckinDeleted: 49,
  CoworkerDelete: 50,
  CoworkerMessageCreate: 51,
  DeliveryCreated: 52,
  DeliveryAssigned: 53,
  ProposalCreated: 54,
  ProposalUpdated: 55,
  ProposalDeleted: 56,
  TeamCreated: 57,
  TeamUpdated: 58,
  TeamDeleted: 59,
  CoworkerContractUpdate: 60,
  AccessControlUpdate: 61,
  CoworkerContractCreate: 62,
  FailedCheckin: 63,
  VisitorDeleted: 64,
  CoworkerInvoiceLedgerEntryCreate: 65,
  CoworkerInvoiceLedgerEntryDelete: 66,
  CoworkerInvoiceLedgerEntryUpdate: 67,
  CoworkerProductCreate: 68,
  CoworkerProductUpdate: 69,
  CoworkerProductDelete: 70,
  FloorPlanDeskCreate: 71,
  FloorPlanDeskDelete: 72,
  FloorPlanDeskUpdate: 73,
  TariffCreate: 74,
  TariffDelete: 75,
  TariffUpdate: 76,
  CoworkerContractDelete: 77,
  FloorPlanCreate: 78,
  FloorPlanDelete: 79,
  FloorPlanUpdate: 80,
  ProductCreate: 81,
  ProductDelete: 82,
  ProductUpdate: 83,
  BusinessUpdate: 84,
  CommunityGroupCreate: 85,
  CommunityGroupDelete: 86,
  CommunityGroupUpdate: 87,
  CoworkerPaymentMethodCreate: 88,
  CoworkerPaymentMethodDelete: 89,
  CoworkerPaymentMethodUpdate: 90,
} as const;

/**
 * The type of {@link WebhookAction}: an interface, so that a misspelt member
 * (`WebhookAction.BokingCreate`) is reported against this name, not a dump of 90 members.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an interface is what names the type in compiler messages
export interface WebhookActionEnum extends Readonly<typeof webhookActions> {}

/** The `eWebhookAction` enum: each action name with its number (`WebhookAction.BookingCreate` is 6). */
export const WebhookAction: WebhookActionEnum = webhookActions;

/**
 * A Nexudus webhook action name, e.g. `"BookingCreate"`. (The `& string` changes nothing, every
 * key is a string: it makes the compiler keep this name in messages, so a misspelt action is
 * reported as not assignable to `number | WebhookActionName`, not to the union of 90 names.)
 */
export type WebhookActionName = keyof typeof WebhookAction & string;
/** A Nexudus webhook action number, 1..90. */
export type WebhookActionNumber = (typeof WebhookAction)[WebhookActionName];

/** Lowest and highest action numbers the API accepts. */
export const MIN_ACTION = 1;
export const MAX_ACTION = 90;
/** `None` (1) fires for nothing: it is never a useful webhook. */
export const NONE_ACTION = 1;

const byNumber: ReadonlyMap<number, WebhookActionName> = new Map(
  (Object.entries(WebhookAction) as [WebhookActionName, number][]).map(([name, n]) => [n, name]),
);

/** The name of an action number, or undefined when the number is not in the enum. */
export function actionName(n: number): WebhookActionName | undefined {
  return byNumber.get(n);
}

/** The number of an action name (exact, case-sensitive), or undefined. */
export function actionNumber(name: string): WebhookActionNumber | undefined {
  return Object.prototype.hasOwnProperty.call(WebhookAction, name)
    ? WebhookAction[name as WebhookActionName]
    : undefined;
}

/** Every action name, in enum order. */
export const ACTION_NAMES: readonly WebhookActionName[] = Object.keys(
  WebhookAction,
) as WebhookActionName[];

/**
 * The closest action name to a misspelt one (case-insensitive match first, then the smallest
 * edit distance within a third of the name's length), or undefined when nothing is close.
 */
export function suggestAction(input: string): WebhookActionName | undefined {
  const lower = input.toLowerCase();
  const exact = ACTION_NAMES.find((n) => n.toLowerCase() === lower);
  if (exact) return exact;
  let best: WebhookActionName | undefined;
  let bestDistance = Infinity;
  for (const name of ACTION_NAMES) {
    const d = levenshtein(lower, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}
