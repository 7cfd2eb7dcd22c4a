/**
 * The provider implementation, loaded by name (`require("pulumi-nexudus/provider")`) in the
 * dynamic-provider host by the shims stored in state.
 */
export {
  webhookProvider,
  WebhookPartialError,
  WebhookOperationError,
  parseWebhookId,
} from "./webhook";
export * from "./actions";
export * from "./config";
export * from "./inputs";
export { configure, getClient, resetRuntime } from "./runtime";
export { exclusionProvider, WebhookSetExclusionError } from "./exclusion";
export { createGuardStats, resetCreateGuardStats, type CreateGuardStats } from "./createGuard";
export {
  NexudusClient,
  limiterStats,
  resetLimiterStats,
  clearTokenCache,
  type NexudusClientOptions,
  type RequestEvent,
  type WriteResult,
  type LimiterStats,
} from "./client";
export * from "./errors";
export type {
  SearchQuery,
  SearchPage,
  WebhookRecord,
  WebhookSummary,
  WebhookWrite,
} from "./schemas";
