/**
 * Public types and defaults of the local Nexudus WebHook API emulator. The interface is fixed by
 * the "Emulator" section of `docs/CONTRACTS.md`.
 */

/** A role a Nexudus user can hold. `Administrator` (a full unrestricted administrator) has all. */
export type Role =
  | "WebHook-List"
  | "WebHook-Read"
  | "WebHook-Create"
  | "WebHook-Edit"
  | "WebHook-Delete"
  | "Administrator";

/** Every role the emulator knows, in a stable order. */
export const ROLES: readonly Role[] = [
  "WebHook-List",
  "WebHook-Read",
  "WebHook-Create",
  "WebHook-Edit",
  "WebHook-Delete",
  "Administrator",
];

/** An API route of the emulator, as recorded in the request log and targeted by faults. */
export type Route = "search" | "get" | "create" | "update" | "delete" | "token";

/** Every API route, in a stable order. */
export const ROUTES: readonly Route[] = ["search", "get", "create", "update", "delete", "token"];

/** The role each authenticated route requires (`token` needs none). */
export const ROUTE_ROLES: Readonly<Record<Exclude<Route, "token">, Role>> = {
  search: "WebHook-List",
  get: "WebHook-Read",
  create: "WebHook-Create",
  update: "WebHook-Edit",
  delete: "WebHook-Delete",
};

/** A Nexudus location (business) that webhooks can belong to. */
export interface EmulatorLocation {
  /** The location's `BusinessId`. */
  id: number;
  /** A display name, only used in the CLI banner. */
  name: string;
}

/** A user that may call the emulated API. */
export interface EmulatorUser {
  /** The user's email, also the `username` of the password grant and of Basic auth. */
  username: string;
  /** The password for the password grant and Basic auth. */
  password: string;
  /** The roles the user holds. */
  roles: Role[];
  /** Bearer tokens accepted for this user without `/api/token`; they never expire. */
  apiTokens?: string[];
}

/**
 * The API's documented rate limits, per client (= per user). The windows (minute, hour, day) and
 * the minimum interval are multiplied by the emulator's `timeFactor`.
 */
export interface RateLimits {
  /** POST/PUT/DELETE requests per minute (documented: 60). */
  writesPerMinute: number;
  /** POST/PUT/DELETE requests per day (documented: 5000). */
  writesPerDay: number;
  /** Minimum spacing between two requests of any method, in ms (documented: 100). */
  minIntervalMs: number;
  /** Requests of any method per minute (documented: 120). */
  perMinute: number;
  /** Requests of any method per hour (documented: 5000). */
  perHour: number;
  /** Requests of any method per day (documented: 200000). */
  perDay: number;
}

/** The documented rate limits of the Nexudus API. */
export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = Object.freeze({
  writesPerMinute: 60,
  writesPerDay: 5000,
  minIntervalMs: 100,
  perMinute: 120,
  perHour: 5000,
  perDay: 200000,
});

/** The kinds of fault the emulator can inject. */
export type FaultKind =
  | "status"
  | "wasSuccessfulFalse"
  | "delay"
  | "reset"
  | "commitThenReset"
  | "throttle"
  | "html"
  | "truncated"
  | "badRecord";

/** Every fault kind, in a stable order. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "status",
  "wasSuccessfulFalse",
  "delay",
  "reset",
  "commitThenReset",
  "throttle",
  "html",
  "truncated",
  "badRecord",
];

/**
 * A fault to inject into the answers of one route (or every route with `"*"`).
 *
 * - `status`: answers `status` (default 500) with a JSON error body; no write.
 * - `wasSuccessfulFalse`: HTTP 200 with `WasSuccessful:false` and an error list; no write.
 * - `delay`: waits `delayMs` (plus up to `jitterMs` more, drawn for each request), then goes on
 *   like any request: rate-limited when it arrives there, then answered (the write commits even
 *   if the client gave up).
 * - `reset`: destroys the socket before any reply; no write.
 * - `commitThenReset`: performs the request (the write commits), then destroys the socket.
 * - `throttle`: 409 with `Retry-After: 1` (or `retryAfter`) and an empty body; no write.
 * - `html`: `status` (default 502) with an HTML page; no write.
 * - `truncated`: 200 with the real body cut in half; no write.
 * - `badRecord`: 200 with a body whose record lacks required fields (`Id`, `Name`); no write.
 */
export interface FaultSpec {
  /** The route it applies to, or `"*"` for every API route. */
  route: Route | "*";
  /** What happens to a matching request. */
  kind: FaultKind;
  /** For `status`: the HTTP status to answer (default 500); for `html` (default 502). */
  status?: number;
  /** For `delay`: how long to wait, in ms (not scaled by the time factor). */
  delayMs?: number;
  /**
   * For `delay`: up to this many ms more, uniformly drawn for each request (default 0): jittered
   * round trips, the server counting each request after its own delay.
   */
  jitterMs?: number;
  /**
   * For `throttle`: the `Retry-After` header's text instead of `1` (opt-in: a server asking for
   * a day, `86400`, an HTTP date, or a value that is neither).
   */
  retryAfter?: string;
  /** How many matching requests it hits (default 1; `Infinity` = every one). */
  times?: number;
  /** How many matching requests it lets through first (default 0). */
  skip?: number;
}

/** One API request, as recorded in the request log. */
export interface RequestLogEntry {
  /** Arrival time, ms since the epoch. */
  time: number;
  /** The HTTP method. */
  method: string;
  /** The URL path, without the query string. */
  path: string;
  /** The query string without the leading `?` (`""` when there is none). */
  query: string;
  /** The route the request matched, or `"unknown"`. */
  route: Route | "unknown";
  /** The HTTP status answered; 0 when the socket was destroyed without a reply. */
  status: number;
  /** The authenticated username, or `"anonymous"`. */
  client: string;
  /** The kind of the fault that hit the request, if any. */
  fault?: string;
}

/** The outcome of one webhook delivery made by `fire`. */
export interface DeliveryResult {
  /** The webhook's `Id`. */
  webhookId: number;
  /** The URL the payload was posted to. */
  url: string;
  /** True when the receiver answered 2xx. */
  ok: boolean;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  /** The failure ("HTTP 500" or a network error message) when `ok` is false. */
  error?: string;
  /** The `X-Nexudus-Hook-Signature` header sent, when a shared secret is set. */
  signature?: string;
}

/** A stored WebHook record, with every field of the API's "Get one WebHook" answer. */
export interface WebhookRecord {
  /** Unique record identifier. */
  Id: number;
  /** UUID of the record. */
  UniqueId: string;
  /** Id of the location the webhook belongs to. */
  BusinessId: number;
  /** Display name. */
  Name: string;
  /** The `eWebhookAction` number, 1..90. */
  Action: number;
  /** Optional description (null when not set). */
  Description: string | null;
  /** The endpoint that receives deliveries. */
  URL: string;
  /** Whether deliveries are made. */
  Active: boolean;
  /** Error of the most recent failed delivery. */
  LastError: string | null;
  /** Consecutive delivery failures since the last success. */
  ErrorCount: number;
  /** When the webhook last fired successfully (ISO 8601, UTC). */
  LastTrigger: string | null;
  /** When the record was created (ISO 8601, UTC). */
  CreatedOn: string;
  /** When the record was last updated (ISO 8601, UTC). */
  UpdatedOn: string;
  /** Email of the user who last updated the record. */
  UpdatedBy: string | null;
  /** Whether the record was recently created (always false once stored). */
  IsNew: boolean;
  /** External system identifier. */
  SystemId: string | null;
  /** The record's display text (its Name). */
  ToStringText: string;
  /** Always null in the emulator. */
  LocalizationDetails: null;
  /** Always null in the emulator. */
  CustomFields: null;
}

/** The fields `insert` requires; every other field gets a default. */
export type WebhookInsert = Partial<WebhookRecord> & {
  BusinessId: number;
  Action: number;
  URL: string;
  Name: string;
};

/** Options of {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. The host is always 127.0.0.1. */
  port?: number;
  /** The configured locations (default `[{ id: 1234, name: "HQ" }]`). */
  locations?: EmulatorLocation[];
  /** The users (default: one administrator, {@link DEFAULT_ADMIN}). */
  users?: EmulatorUser[];
  /** Rate limits: `false` (the default) turns them off; an object overrides the documented values. */
  rateLimits?: false | Partial<RateLimits>;
  /** Multiplies the rate-limit windows and the minimum interval (default 1). */
  timeFactor?: number;
  /** When set, deliveries carry `X-Nexudus-Hook-Signature` (HMAC-SHA256 of the body, uppercase hex). */
  sharedSecret?: string;
  /** A JSON file: loaded at start when present, rewritten (atomically) after each change. */
  stateFile?: string;
  /** Lifetime of tokens issued by `/api/token`, in seconds (default 604800 = 7 days). */
  tokenTtlSeconds?: number;
  /** Timeout of one delivery, in ms (default 5000). */
  deliveryTimeoutMs?: number;
  /** The first record Id (default 87654321). */
  startId?: number;
  /** Opt-in behaviours the API documentation allows or leaves open (all off by default). */
  quirks?: EmulatorQuirks;
}

/**
 * Behaviours of a Nexudus server that the documentation allows or leaves open, each off by
 * default (the emulator then answers as documented). Tests turn them on to prove that the
 * provider copes with a server that is not this emulator.
 */
export interface EmulatorQuirks {
  /**
   * Search paging that never ends: `"hasNextPage"` answers `HasNextPage: true` (and a
   * `TotalPages` one beyond the page) on every page; `"repeatPage"` answers page 1 whatever
   * `page` asks, with `HasNextPage: true`; `"growing"` answers every page with rows never seen
   * before (made-up Ids) and a huge `TotalItems`.
   */
  endlessPaging?: "hasNextPage" | "repeatPage" | "growing";
  /** Search: the largest page size used, below what was asked (`CurrentPageSize` says it). */
  maxPageSize?: number;
  /** With `maxPageSize`: the envelope (`CurrentPageSize`, `TotalPages`...) claims the asked size. */
  silentPageSizeCap?: boolean;
  /** Unknown routes answer 404 with the JSON string "Not found", like a missing record. */
  /** Search: added to the true `TotalItems` (a count that disagrees with the rows). */
  totalItemsOffset?: number;
  /** Unknown API routes answer 404 with the JSON string "Not found", like a missing record. */
  routeNotFoundAsString?: boolean;
  /** Records (get and search rows) carry `Action` as its name ("BookingCreate"). */
  actionAsName?: boolean;
  /** Records and envelopes carry extra fields the documentation does not list. */
  extraFields?: boolean;
  /** Writes store normalised values: Name trimmed, the URL's host as punycode, Description cut. */
  normalise?: { trimName?: boolean; punycodeHost?: boolean; maxDescription?: number };
  /** Error answers (400, `status` and `wasSuccessfulFalse` faults) quote the request's URL. */
  echoRequestInErrors?: boolean;
  /** Create and update answers carry no `UpdatedOn` / `UpdatedBy` (only `Value: {Id}`). */
  bareWriteAnswers?: boolean;
}

/** A running emulator. */
export interface EmulatorHandle {
  /** The base URL, `http://127.0.0.1:PORT`. */
  url: string;
  /** The TCP port it listens on. */
  port: number;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
  /** Every API request (not admin requests or deliveries), oldest first. */
  requests(): RequestLogEntry[];
  /** Empties the request log. */
  clearRequests(): void;
  /** Every stored record, full, in Id order. */
  records(): WebhookRecord[];
  /** One stored record, or undefined. */
  record(id: number): WebhookRecord | undefined;
  /** Stores a record out of band (not validated, not logged, not rate-limited). */
  insert(partial: WebhookInsert): WebhookRecord;
  /** Edits a record out of band (e.g. `Active=false`); throws when the Id is unknown. */
  patch(id: number, patch: Partial<WebhookRecord>): WebhookRecord;
  /** Deletes a record out of band; false when the Id is unknown. */
  remove(id: number): boolean;
  /** Adds a fault. */
  injectFault(f: FaultSpec): void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Delivers an event to every active webhook of that location and action. */
  fire(businessId: number, action: number, payload?: unknown): Promise<DeliveryResult[]>;
  /**
   * Invalidates every token issued by `/api/token` (access and refresh tokens); users' `apiTokens`
   * stay valid. With `keepRefreshTokens`, only the access tokens expire (the refresh grant works).
   */
  expireTokens(opts?: { keepRefreshTokens?: boolean }): void;
  /** Turns the rate limits off (`false`) or on with these overrides; resets the counters. */
  setRateLimits(l: false | Partial<RateLimits>): void;
  /** Adds a user, or replaces the one with the same username. */
  addUser(u: EmulatorUser): void;
  /** Replaces the quirks (`{}` turns every one off). */
  setQuirks(q: EmulatorQuirks): void;
}

/** The default user: a full administrator with a fixed API token. */
export const DEFAULT_ADMIN: Readonly<EmulatorUser> = Object.freeze({
  username: "admin@example.com",
  password: "admin-password",
  roles: ["Administrator"] as Role[],
  apiTokens: ["emulator-admin-token"],
});

/** The default locations. */
export const DEFAULT_LOCATIONS: readonly EmulatorLocation[] = Object.freeze([
  { id: 1234, name: "HQ" },
]);

/** The default first record Id (the one in the API documentation's examples). */
export const DEFAULT_START_ID = 87654321;
/** The default token lifetime (7 days), in seconds. */
export const DEFAULT_TOKEN_TTL_SECONDS = 604800;
/** The default delivery timeout, in ms. */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 5000;
/** After this many consecutive failed deliveries a webhook is disabled. */
export const MAX_CONSECUTIVE_FAILURES = 10;
