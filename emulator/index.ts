/**
 * A local emulator of the Nexudus WebHook API (`/api/sys/webhooks`, `/api/token`) for tests, demos
 * and CI: a real HTTP server on 127.0.0.1 with the documented envelopes, validation, roles, rate
 * limits, injectable faults and webhook deliveries. See `docs/CONTRACTS.md` ("Emulator").
 */
export { startEmulator } from "./server";
export { signPayload } from "./deliveries";
export {
  DEFAULT_ADMIN,
  DEFAULT_LOCATIONS,
  DEFAULT_RATE_LIMITS,
  DEFAULT_START_ID,
  DEFAULT_TOKEN_TTL_SECONDS,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  MAX_CONSECUTIVE_FAILURES,
  FAULT_KINDS,
  ROLES,
  ROUTES,
  ROUTE_ROLES,
} from "./types";
export type {
  DeliveryResult,
  EmulatorHandle,
  EmulatorLocation,
  EmulatorQuirks,
  EmulatorUser,
  FaultKind,
  FaultSpec,
  RateLimits,
  RequestLogEntry,
  Role,
  Route,
  StartEmulatorOptions,
  WebhookInsert,
  WebhookRecord,
} from "./types";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, DEFAULT_ORDER_FIELD } from "./search";
