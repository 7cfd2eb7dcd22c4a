/**
 * pulumi-nexudus: Nexudus webhooks as Pulumi resources.
 *
 * ```ts
 * import * as nexudus from "pulumi-nexudus";
 * new nexudus.WebHook("bookings", { businessId: 1234, name: "Bookings", action: "BookingCreate",
 *   url: "https://hooks.example.com/nexudus/bookings" });
 * ```
 *
 * Configuration (stack config, or the environment): `nexudus:baseUrl` / `NEXUDUS_BASE_URL`,
 * `nexudus:token` / `NEXUDUS_TOKEN`, or `nexudus:username` + `nexudus:password` /
 * `NEXUDUS_USERNAME` + `NEXUDUS_PASSWORD`.
 *
 * This file is the package's public entry (`pulumi-nexudus`). Internals (how a set names its
 * children, test reset hooks) are not exported here; the repository's tests import them from
 * their modules by relative path.
 *
 * Errors: every error the package throws descends from {@link NexudusError}; the client's
 * failures are {@link NexudusApiError}s with one subclass per family (see docs/resources.md,
 * "Errors"), so a program can tell them apart with `instanceof`.
 */
export { WebHook, type WebHookArgs } from "./webhook";
/** The plugin-backed resources, explicit providers and functions (see `native.ts`). */
export * as native from "./native";
export {
  WebhookAction,
  type WebhookActionName,
  type WebhookActionEnum,
  type WebhookActionNumber,
  actionName,
  actionNumber,
} from "../client/actions";
export {
  WebhookSet,
  WebhookSetArgsError,
  type WebhookSetArgs,
  type WebhookSetHook,
  type WebhookSetHookArgs,
  type WebhookSetKeep,
  type WebhookSetMember,
} from "./webhookSet";
export {
  WebhookSetExclusion,
  type WebhookSetExclusionArgs,
  type UnmanagedWebhook,
  type AdoptableWebhook,
} from "./exclusion";
export {
  NexudusError,
  NexudusApiError,
  NexudusValidationError,
  NexudusAuthError,
  NexudusNotFoundError,
  NexudusRoutingError,
  NexudusThrottledError,
  NexudusConflictError,
  NexudusServerError,
  NexudusConnectionError,
  NexudusTimeoutError,
  NexudusResponseError,
  NexudusConfigError,
  type FieldError,
  type NexudusRole,
  type SettingNames,
} from "../client/errors";
