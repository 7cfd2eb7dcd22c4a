/**
 * Every error of the library descends from {@link NexudusError}. The client's errors are
 * {@link NexudusApiError}s: the request's method, path, status, the API's own message and field
 * errors, the answer's request id and the headers that matter, and one subclass per failure
 * family. Configuration errors are {@link NexudusConfigError}s (nothing was sent). Messages say
 * what happened and what to do. Which class an answer's status makes is decided in one place:
 * `errorFamily` in `./classify`.
 *
 * Errors keep only plain, safe data (no axios error, config or request; of the headers only
 * those in {@link KEPT_HEADERS}), and every message and text field passes through {@link redact},
 * so no message, `toString()`, `stack`, `JSON.stringify(error)` or property can carry a token,
 * password or Authorization header.
 *
 * @module
 */
import { check, errorEnvelopeSchema, fieldErrorSchema } from "./schemas";
import { limitsText } from "./ratelimit/limits";
import { redact, redactOptional } from "./redact";

/** One field-level validation error reported by the API. */
export interface FieldError {
  /** The API's `PropertyName`, e.g. `"Name"` (empty when the API gave none). */
  readonly property: string;
  /** The API's message for it, e.g. `"is a required field"`. */
  readonly message: string;
}

/**
 * The root of every error the library throws (client, configuration, provider, SDK, CLI):
 * `instanceof NexudusError` catches them all. A subclass whose message quotes an answer or a
 * request redacts it ({@link NexudusApiError} does).
 */
export class NexudusError extends Error {
  override readonly name: string = "NexudusError";
}

/** The answer headers an error keeps (lower-case): the request id and the throttle's. */
export const KEPT_HEADERS: readonly string[] = [
  "retry-after",
  "x-request-id",
  "request-id",
  "x-correlation-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];

/** The headers that name the request on the server side, in order of preference. */
const REQUEST_ID_HEADERS = ["x-request-id", "request-id", "x-correlation-id"];

/** The message of anything thrown: an Error's `message`, else the value as text. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The request id and kept headers of an answer (lower-case header map), for {@link ApiErrorInit}. */
export function answerFacts(headers: Record<string, string>): {
  requestId?: string;
  headers?: Record<string, string>;
} {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (value !== undefined && value !== "") kept[name] = value;
  }
  const id = REQUEST_ID_HEADERS.map((h) => kept[h]).find((v) => v !== undefined);
  return {
    ...(id !== undefined ? { requestId: id } : {}),
    ...(Object.keys(kept).length ? { headers: kept } : {}),
  };
}

/** What an error knows about the failed call. */
export interface ApiErrorInit {
  /** HTTP method, e.g. `"POST"`. */
  method: string;
  /** Request path with its query string, e.g. `"/api/sys/webhooks?page=2"`. */
  path: string;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** The API's own message (`Message`, `error_description`, or a JSON string body). */
  apiMessage?: string;
  /** The API's field errors (`Errors[]`). */
  fieldErrors?: readonly FieldError[];
  /** True when the request may have been applied by the server although it failed. */
  mayHaveCommitted?: boolean;
  /** How many attempts were made (1 = no retry). */
  attempts?: number;
  /** The answer's request id (`X-Request-Id` or the like), when it gave one. */
  requestId?: string;
  /** The answer's headers that matter ({@link KEPT_HEADERS}), when it had any. */
  headers?: Readonly<Record<string, string>>;
}

/** Sentence appended when a write may have been applied. */
const MAY_HAVE_COMMITTED =
  " The request may have been applied by the server: look (search or get) before writing again.";

function attemptsText(attempts: number): string {
  return attempts > 1 ? ` after ${attempts} attempts` : "";
}

function apiText(apiMessage: string | undefined): string {
  return apiMessage ? ` (API: "${apiMessage}")` : "";
}

/**
 * The base of every error of a call to the API. `instanceof NexudusApiError` catches them all.
 */
export class NexudusApiError extends NexudusError {
  override readonly name: string = "NexudusApiError";
  /** HTTP status of the last answer, or undefined when there was none (network, timeout). */
  readonly status?: number;
  /** HTTP method of the failed call. */
  readonly method: string;
  /** Path of the failed call, with its query string. */
  readonly path: string;
  /** The API's own message, redacted. */
  readonly apiMessage?: string;
  /** The API's field errors, redacted. */
  readonly fieldErrors: readonly FieldError[];
  /**
   * True when a POST, PUT or DELETE failed after it was sent without a definite answer (reset,
   * timeout, 5xx, an unreadable 2xx): the server may have applied it, so look before writing again.
   */
  readonly mayHaveCommitted: boolean;
  /** How many attempts were made (1 = no retry). */
  readonly attempts: number;
  // `declare`: no own property unless set, so an error without them has the same keys as before.
  /** The answer's request id, to quote to Nexudus support (only when the answer gave one). */
  declare readonly requestId?: string;
  /** The answer's headers that matter, redacted (only when it had any; see {@link KEPT_HEADERS}). */
  declare readonly headers?: Readonly<Record<string, string>>;

  /** @param message - the full message (redacted here); @param init - the call's facts. */
  constructor(message: string, init: ApiErrorInit) {
    super(redact(message));
    this.method = init.method;
    this.path = redact(init.path);
    if (init.status !== undefined) this.status = init.status;
    const apiMessage = redactOptional(init.apiMessage);
    if (apiMessage !== undefined) this.apiMessage = apiMessage;
    this.fieldErrors = (init.fieldErrors ?? []).map((f) => ({
      property: redact(f.property),
      message: redact(f.message),
    }));
    this.mayHaveCommitted = init.mayHaveCommitted ?? false;
    this.attempts = init.attempts ?? 1;
    if (init.requestId !== undefined) this.requestId = redact(init.requestId);
    if (init.headers !== undefined && Object.keys(init.headers).length) {
      this.headers = Object.fromEntries(
        Object.entries(init.headers).map(([k, v]) => [k, redact(v)]),
      );
    }
  }

  /** The safe fields, for `JSON.stringify(error)` and structured logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      method: this.method,
      path: this.path,
      apiMessage: this.apiMessage,
      fieldErrors: this.fieldErrors,
      mayHaveCommitted: this.mayHaveCommitted,
      attempts: this.attempts,
      requestId: this.requestId,
      headers: this.headers,
    };
  }
}

/** `Property: message; Property: message`, or the API message, or a fallback. */
function reasons(init: ApiErrorInit): string {
  const fields = (init.fieldErrors ?? []).map((f) =>
    f.property ? `${f.property}: ${f.message}` : f.message,
  );
  if (fields.length) return fields.join("; ");
  return init.apiMessage || "the API gave no reason";
}

/**
 * The API rejected the input: HTTP 400, or a 2xx answer with `WasSuccessful: false`, or an input
 * the client refused before sending (then `status` is undefined).
 */
export class NexudusValidationError extends NexudusApiError {
  override readonly name: string = "NexudusValidationError";
  constructor(init: ApiErrorInit) {
    const how =
      init.status === undefined
        ? "was not sent: the input is invalid"
        : init.status >= 200 && init.status < 300
          ? `was rejected (HTTP ${init.status} with WasSuccessful: false)`
          : `was rejected (${init.status})`;
    super(
      `${init.method} ${init.path} ${how}: ${reasons(init)}. Fix the input and try again.` +
        (init.mayHaveCommitted ? MAY_HAVE_COMMITTED : ""),
      init,
    );
  }
}

/** Which role each call needs (a full unrestricted administrator has them all). */
export type NexudusRole =
  "WebHook-List" | "WebHook-Read" | "WebHook-Create" | "WebHook-Edit" | "WebHook-Delete";

/**
 * HTTP 401 (or 403): the credential is invalid or expired after one renewal, or the user lacks
 * the role the call needs. Also a refused token exchange (wrong username or password).
 */
export class NexudusAuthError extends NexudusApiError {
  override readonly name: string = "NexudusAuthError";
  /** The role the call needed, e.g. `"WebHook-Create"` (undefined for the token exchange). */
  readonly requiredRole?: NexudusRole;
  constructor(init: ApiErrorInit & { requiredRole?: NexudusRole; tokenExchange?: boolean }) {
    const status = init.status === undefined ? "" : ` (${init.status})`;
    const message = init.tokenExchange
      ? `${init.method} ${init.path} was refused${status}: the username or password is wrong or ` +
        `the user may not use the API${apiText(init.apiMessage)}. Check the options username and ` +
        `password (NEXUDUS_USERNAME, NEXUDUS_PASSWORD).`
      : `${init.method} ${init.path} was refused${status}: the credential is invalid or the user ` +
        `lacks the ${init.requiredRole ?? "needed"} role (or full administrator)` +
        `${apiText(init.apiMessage)}. Check the token (option token, NEXUDUS_TOKEN) or the ` +
        `username and password, and the user's roles in Nexudus.`;
    super(message, init);
    if (init.requiredRole !== undefined) this.requiredRole = init.requiredRole;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), requiredRole: this.requiredRole };
  }
}

/** HTTP 404: no record with that id (deleted outside this program, or a wrong id). */
export class NexudusNotFoundError extends NexudusApiError {
  override readonly name: string = "NexudusNotFoundError";
  constructor(init: ApiErrorInit) {
    super(
      `${init.method} ${init.path}: not found (404)${apiText(init.apiMessage)}. The webhook does ` +
        `not exist (deleted outside this program?) or the id is wrong.` +
        (init.mayHaveCommitted ? MAY_HAVE_COMMITTED : ""),
      init,
    );
  }
}

/**
 * HTTP 404 that is not the API's "no such record" answer: the route itself was not found (the
 * framework's "No HTTP resource was found ..." page, an HTML page, or a 404 from a server that
 * does not answer the WebHook search either). `baseUrl` does not point at the Nexudus API, so
 * nothing may be taken as deleted.
 */
export class NexudusRoutingError extends NexudusApiError {
  override readonly name: string = "NexudusRoutingError";
  /** The base URL the client used. */
  readonly baseUrl: string;
  /** What the answer was, e.g. `an HTML page instead of the API's JSON answer`. */
  readonly why: string;
  constructor(init: ApiErrorInit & { baseUrl: string; why: string }) {
    super(
      `${init.method} ${init.path} answered 404 for the route itself, not "record not found" ` +
        `(${init.why})${apiText(init.apiMessage)}: baseUrl ${init.baseUrl} does not point at the ` +
        `Nexudus API. Nothing was taken as deleted. Check nexudus:baseUrl (NEXUDUS_BASE_URL, ` +
        `option baseUrl): it is the site root, e.g. https://spaces.nexudus.com, without /api.`,
      init,
    );
    this.baseUrl = redact(init.baseUrl);
    this.why = redact(init.why);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), baseUrl: this.baseUrl };
  }
}

/** HTTP 409 with `Retry-After` (the API's throttle), after the retries ran out. */
export class NexudusThrottledError extends NexudusApiError {
  override readonly name: string = "NexudusThrottledError";
  /** The wait the last answer asked for, in ms (already multiplied by the time factor). */
  readonly retryAfterMs?: number;
  constructor(init: ApiErrorInit & { retryAfterMs?: number }) {
    const attempts = init.attempts ?? 1;
    const wait =
      init.retryAfterMs === undefined
        ? ""
        : ` with Retry-After: waited ${init.retryAfterMs} ms before each retry`;
    super(
      `${init.method} ${init.path} was throttled (409${wait}) and the retries ran out ` +
        `(${attempts} attempt${attempts === 1 ? "" : "s"}, option maxRetries): the API allows per ` +
        `user ${limitsText()}. Wait a minute and try again, run fewer ` +
        `operations in parallel, and keep the client-side limiter on (option rateLimit).`,
      init,
    );
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * A rate limit is spent for longer than the client may wait (`maxWaitMs`): the request was not
 * sent at all, so nothing happened on the server. Names the limit, the calls it counted and when
 * it frees, so that a CI job fails at once instead of sleeping for hours.
 */
export class NexudusRateBudgetError extends NexudusApiError {
  override readonly name: string = "NexudusRateBudgetError";
  /** The limit, e.g. "the 5,000 writes per day limit". */
  readonly limit: string;
  /** Calls the limit counted (this process's and those in the call history). */
  readonly count: number;
  /** When the limit lets the request go (epoch ms). */
  readonly freesAt: number;
  /** How long the wait would have been (ms). */
  readonly waitMs: number;
  constructor(
    init: ApiErrorInit & {
      limit: string;
      count: number;
      freesAt: number;
      waitMs: number;
      maxWaitMs: number;
      about: string;
    },
  ) {
    super(
      `${init.method} ${init.path} was not sent: ${init.limit} is spent ` +
        `(${init.count.toLocaleString("en-US")} counted, this process's calls and those other ` +
        `processes of this user recorded in the call history) and frees at ` +
        `${new Date(init.freesAt).toISOString()}, in about ${init.about}, longer than the ` +
        `longest wait allowed (nexudus:maxWaitMs or NEXUDUS_MAX_WAIT_MS, ${init.maxWaitMs} ms). ` +
        `Nothing was sent. Run again after that time, or raise nexudus:maxWaitMs to wait for it.`,
      init,
    );
    this.limit = init.limit;
    this.count = init.count;
    this.freesAt = init.freesAt;
    this.waitMs = init.waitMs;
  }
}

/** HTTP 409 without `Retry-After`: a real conflict, not a throttle, so it is never retried. */
export class NexudusConflictError extends NexudusApiError {
  override readonly name: string = "NexudusConflictError";
  constructor(init: ApiErrorInit) {
    super(
      `${init.method} ${init.path} answered 409 Conflict without Retry-After` +
        `${apiText(init.apiMessage)}: a conflict, not a throttle, so it was not retried. Read the ` +
        `record again (refresh) and retry.` +
        (init.mayHaveCommitted ? MAY_HAVE_COMMITTED : ""),
      init,
    );
  }
}

/** HTTP 5xx, after the retries ran out (or at once for a create, which is never retried). */
export class NexudusServerError extends NexudusApiError {
  override readonly name: string = "NexudusServerError";
  constructor(init: ApiErrorInit) {
    super(
      `${init.method} ${init.path} failed with a server error (${init.status ?? "5xx"})` +
        `${attemptsText(init.attempts ?? 1)}${apiText(init.apiMessage)}: Nexudus or a proxy in ` +
        `front of it failed. Try again later.` +
        (init.mayHaveCommitted ? MAY_HAVE_COMMITTED : ""),
      init,
    );
  }
}

/** The connection failed: refused, reset, DNS, TLS… (no HTTP answer). */
export class NexudusConnectionError extends NexudusApiError {
  override readonly name: string = "NexudusConnectionError";
  /** The system error code, e.g. `"ECONNRESET"`, `"ECONNREFUSED"`. */
  readonly code: string;
  constructor(init: ApiErrorInit & { code: string; detail?: string }) {
    super(
      `${init.method} ${init.path}: the connection failed (${init.code}` +
        `${init.detail ? `: ${init.detail}` : ""})${attemptsText(init.attempts ?? 1)}. Check the ` +
        `network and the option baseUrl (NEXUDUS_BASE_URL).` +
        (init.mayHaveCommitted ? MAY_HAVE_COMMITTED : ""),
      init,
    );
    this.code = init.code;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code };
  }
}

/** No complete answer within `timeoutMs`. */
export class NexudusTimeoutError extends NexudusApiError {
  override readonly name: string = "NexudusTimeoutError";
  /** The per-request timeout that expired, in ms. */
  readonly timeoutMs: number;
  constructor(init: ApiErrorInit & { timeoutMs: number }) {
    super(
      `${init.method} ${init.path}: no answer within ${init.timeoutMs} ms` +
        `${attemptsText(init.attempts ?? 1)}. Raise the option timeoutMs (NEXUDUS_TIMEOUT_MS) or ` +
        `check the network.` +
        (init.mayHaveCommitted ? MAY_HAVE_COMMITTED : ""),
      init,
    );
    this.timeoutMs = init.timeoutMs;
  }
}

/** An answer that is not the documented shape: HTML, truncated JSON, missing fields. */
export class NexudusResponseError extends NexudusApiError {
  override readonly name: string = "NexudusResponseError";
  /** What was wrong with the answer, e.g. `Name: expected string, missing`. */
  readonly problem: string;
  constructor(init: ApiErrorInit & { problem: string }) {
    super(
      `${init.method} ${init.path}: the answer is not the documented shape` +
        `${attemptsText(init.attempts ?? 1)}: ${init.problem}.` +
        (init.mayHaveCommitted ? MAY_HAVE_COMMITTED : ""),
      init,
    );
    this.problem = redact(init.problem);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problem: this.problem };
  }
}

/** The names one setting has in each front end (see `SETTINGS` in `../config/settings`). */
export interface SettingNames {
  /** The setting, e.g. `"baseUrl"` (the client option of the same name). */
  readonly setting: string;
  /** The stack config key, e.g. `"nexudus:baseUrl"`, when the provider reads it. */
  readonly configKey?: string;
  /** The environment variable, e.g. `"NEXUDUS_BASE_URL"`. */
  readonly envVar?: string;
  /** The CLI flag without dashes, e.g. `"base-url"`, when the CLI has one. */
  readonly flag?: string;
}

/**
 * A setting (client option, stack config key, environment variable or CLI flag) is missing or
 * invalid. Nothing was sent. The message names the setting by all its names (stack config key,
 * environment variable, CLI flag: one text for every front end); `setting`, `configKey`,
 * `envVar`, `flag` and `rule` carry them apart.
 */
export class NexudusConfigError extends NexudusError {
  override readonly name: string = "NexudusConfigError";
  /** The option or environment variable at fault, e.g. `"baseUrl"` or `"NEXUDUS_TIMEOUT_MS"`. */
  readonly option: string;
  /** The setting at fault, when known (e.g. `"baseUrl"`). */
  declare readonly setting?: string;
  /** Its stack config key, when it has one. */
  declare readonly configKey?: string;
  /** Its environment variable, when it has one. */
  declare readonly envVar?: string;
  /** Its CLI flag (without dashes), when it has one. */
  declare readonly flag?: string;
  /**
   * The rule broken, without the setting's own name; other settings appear as `{token}`,
   * `{username}`... for the front end to name.
   */
  declare readonly rule?: string;
  constructor(option: string, message: string, names?: SettingNames & { rule?: string }) {
    super(message);
    this.option = option;
    if (names) {
      this.setting = names.setting;
      if (names.configKey !== undefined) this.configKey = names.configKey;
      if (names.envVar !== undefined) this.envVar = names.envVar;
      if (names.flag !== undefined) this.flag = names.flag;
      if (names.rule !== undefined) this.rule = names.rule;
    }
  }

  /** The safe fields, for `JSON.stringify(error)` and structured logs. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      option: this.option,
      setting: this.setting,
      configKey: this.configKey,
      envVar: this.envVar,
      flag: this.flag,
    };
  }
}

/** The API's message and field errors, read liberally from an error body. */
export interface ParsedErrorBody {
  apiMessage?: string;
  fieldErrors: FieldError[];
  /** The OAuth `error` code of a token answer, e.g. `"invalid_grant"`. */
  oauthError?: string;
}

const MAX_API_MESSAGE = 500;

function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_API_MESSAGE ? `${oneLine.slice(0, MAX_API_MESSAGE)}…` : oneLine;
}

/** Reads the API's `Errors[]` entries (liberal: skips entries that are not objects). */
export function readFieldErrors(errors: unknown): FieldError[] {
  if (!Array.isArray(errors)) return [];
  const out: FieldError[] = [];
  for (const entry of errors) {
    const parsed = check(fieldErrorSchema(), entry);
    if (!parsed.ok) continue;
    const property = parsed.value.PropertyName ?? "";
    const message = parsed.value.Message ?? "";
    if (property || message) out.push({ property: shorten(property), message: shorten(message) });
  }
  return out;
}

/**
 * Reads an error answer's body (already JSON-parsed, or `undefined` when it was empty or not
 * JSON): a JSON string, an envelope with `Message`/`Errors`, or an OAuth error.
 */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  const parsed = check(errorEnvelopeSchema(), body);
  if (!parsed.ok) return { fieldErrors: [] };
  const value = parsed.value;
  if (typeof value === "string") {
    return value.trim() ? { apiMessage: shorten(value), fieldErrors: [] } : { fieldErrors: [] };
  }
  const result: ParsedErrorBody = { fieldErrors: readFieldErrors(value.Errors) };
  const message =
    typeof value.Message === "string"
      ? value.Message
      : typeof value.error_description === "string"
        ? value.error_description
        : undefined;
  if (message && message.trim()) result.apiMessage = shorten(message);
  if (typeof value.error === "string") result.oauthError = value.error;
  return result;
}
