/**
 * The plugin's functions (`Invoke`): `getWebhook`, `getWebhooks` and `getWebhookActions`. Each
 * validates its arguments first (a failure names the argument and the rule, and nothing is sent),
 * then reads through the one client of this process (provider/runtime.ts) with the client's own
 * paging checks. Answers hold plain values; the server wraps `url` and `lastError` as secrets.
 */
import { ACTION_NAMES, WebhookAction } from "../../client/actions";
import { NexudusNotFoundError } from "../../client/errors";
import {
  businessIdProblem,
  describeValue,
  outputsFromRecord,
  parseAction,
  type CheckFailure,
  type WebhookPublicOutputs,
} from "../inputs";
import { getClient } from "../runtime";
import type { WebhookRecord } from "../../client/types";
import { FUNCTIONS } from "./schema";
import type { PropertyMap } from "./convert";

/** What a function answers: its outputs, or the failures of its arguments. */
export interface InvokeAnswer {
  outputs?: PropertyMap;
  failures?: CheckFailure[];
}

/** A webhook as the functions answer it: a resource's outputs but `adopt`. */
export type WebhookObject = Omit<WebhookPublicOutputs, "adopt">;

/** The object of a record (a search row has no description: null). */
export function webhookObject(record: WebhookRecord): WebhookObject {
  // outputsFromRecord gives the resource's outputs; a function answers them without `adopt`
  // and without the diff's server forms.
  const { adopt: _adopt, serverForms: _forms, ...rest } = outputsFromRecord(record, false);
  return rest;
}

/** Failures for arguments that are not in `allowed`. */
function unknownArguments(
  token: string,
  args: PropertyMap,
  allowed: readonly string[],
): CheckFailure[] {
  return Object.keys(args)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({
      property: k,
      reason:
        allowed.length === 0
          ? `unknown argument ${JSON.stringify(k)}; ${token} takes none`
          : `unknown argument ${JSON.stringify(k)}; ${token} takes ${allowed.join(", ")}`,
    }));
}

/** `webhookId must be a positive integer`, or undefined. */
function webhookIdProblem(value: unknown): string | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1
    ? undefined
    : `webhookId must be a positive integer (the Nexudus webhook id); got ${describeValue(value)}`;
}

function optionalTypeProblem(
  property: string,
  value: unknown,
  type: "string" | "boolean",
): string | undefined {
  return value === undefined || value === null || typeof value === type
    ? undefined
    : `${property} must be a ${type} when given; got ${describeValue(value)}`;
}

function failuresOf(entries: [string, string | undefined][]): CheckFailure[] {
  return entries.flatMap(([property, reason]) => (reason ? [{ property, reason }] : []));
}

async function getWebhook(args: PropertyMap): Promise<InvokeAnswer> {
  const failures = [
    ...unknownArguments(FUNCTIONS.getWebhook, args, ["webhookId"]),
    ...failuresOf([["webhookId", webhookIdProblem(args.webhookId)]]),
  ];
  if (failures.length > 0) return { failures };
  const id = args.webhookId as number;
  try {
    return { outputs: webhookObject(await getClient().get(id)) };
  } catch (e) {
    if (e instanceof NexudusNotFoundError) {
      throw new Error(`${FUNCTIONS.getWebhook}: webhook ${id} does not exist in Nexudus`, {
        cause: e,
      });
    }
    throw e;
  }
}

/** The filters of `getWebhooks`, checked. */
export interface WebhookFilters {
  businessId: number;
  action?: number;
  namePrefix?: string;
  active?: boolean;
}

/** The arguments of `getWebhooks` as filters, or the failures naming each bad argument. */
export function webhookFilters(
  args: PropertyMap,
): { ok: true; filters: WebhookFilters } | { ok: false; failures: CheckFailure[] } {
  const action =
    args.action === undefined || args.action === null ? undefined : parseAction(args.action);
  const failures = [
    ...unknownArguments(FUNCTIONS.getWebhooks, args, [
      "businessId",
      "action",
      "namePrefix",
      "active",
    ]),
    ...failuresOf([
      ["businessId", businessIdProblem(args.businessId)],
      ["action", action && !action.ok ? action.reason : undefined],
      ["namePrefix", optionalTypeProblem("namePrefix", args.namePrefix, "string")],
      ["active", optionalTypeProblem("active", args.active, "boolean")],
    ]),
  ];
  if (failures.length > 0) return { ok: false, failures };
  return {
    ok: true,
    filters: {
      businessId: args.businessId as number,
      ...(action?.ok ? { action: action.value } : {}),
      ...(typeof args.namePrefix === "string" ? { namePrefix: args.namePrefix } : {}),
      ...(typeof args.active === "boolean" ? { active: args.active } : {}),
    },
  };
}

/** Whether a row matches the filters exactly (the API's own filters may match by "contains"). */
export function matchesFilters(row: WebhookRecord, f: WebhookFilters): boolean {
  return (
    row.BusinessId === f.businessId &&
    (f.action === undefined || row.Action === f.action) &&
    (f.active === undefined || row.Active === f.active) &&
    (f.namePrefix === undefined || row.Name.startsWith(f.namePrefix))
  );
}

async function getWebhooks(args: PropertyMap): Promise<InvokeAnswer> {
  const checked = webhookFilters(args);
  if (!checked.ok) return { failures: checked.failures };
  const f = checked.filters;
  // searchAll reads to the last page, bounded (MAX_SEARCH_PAGES), and fails on a list whose
  // rows do not add up to its TotalItems, rather than answering a partial list.
  const rows = await getClient().searchAll({
    businessId: f.businessId,
    ...(f.action !== undefined ? { action: f.action } : {}),
    ...(f.active !== undefined ? { active: f.active } : {}),
  });
  const webhooks = rows
    .map((row) => ({ ...row, Description: null }) as WebhookRecord)
    .filter((row) => matchesFilters(row, f))
    .sort((a, b) => a.Id - b.Id)
    .map(webhookObject);
  return { outputs: { webhooks } };
}

/** Every action with its number, in enum order. */
export function webhookActions(): { name: string; value: number }[] {
  return ACTION_NAMES.map((name) => ({ name, value: WebhookAction[name] }));
}

async function getWebhookActions(args: PropertyMap): Promise<InvokeAnswer> {
  const failures = unknownArguments(FUNCTIONS.getWebhookActions, args, []);
  if (failures.length > 0) return { failures };
  return { outputs: { actions: webhookActions() } };
}

const IMPLEMENTATIONS: Record<string, (args: PropertyMap) => Promise<InvokeAnswer>> = {
  [FUNCTIONS.getWebhook]: getWebhook,
  [FUNCTIONS.getWebhooks]: getWebhooks,
  [FUNCTIONS.getWebhookActions]: getWebhookActions,
};

/** Runs the function `token` with plain arguments. */
export async function invokeFunction(token: string, args: PropertyMap): Promise<InvokeAnswer> {
  const fn = IMPLEMENTATIONS[token];
  if (!fn) {
    throw new Error(
      `unknown function ${JSON.stringify(token)}; the nexudus plugin has ${Object.keys(IMPLEMENTATIONS).join(", ")}`,
    );
  }
  return fn(args);
}
