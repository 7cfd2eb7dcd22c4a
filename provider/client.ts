/**
 * The typed REST client of the Nexudus WebHook API (`/api/sys/webhooks`, `/api/token`).
 *
 * One place per concern: options are checked by {@link resolveOptions}; the credential is put on
 * requests by a token source (static token, or the password grant with a process-wide cache);
 * every call goes through {@link NexudusClient}'s single request loop (limiter slot, send, read
 * the answer, the one retry policy of `./retry`); answers are checked against the schemas of
 * `./schemas`; failures become the errors of `./errors`; secrets are kept out of everything by
 * `./redact`.
 *
 * @module
 */
import { createHash } from "node:crypto";
import axios, { type AxiosInstance } from "axios";
import { z } from "zod";
import {
  NexudusApiError,
  NexudusAuthError,
  NexudusConfigError,
  NexudusConflictError,
  NexudusConnectionError,
  NexudusNotFoundError,
  NexudusResponseError,
  NexudusRoutingError,
  NexudusServerError,
  NexudusThrottledError,
  NexudusTimeoutError,
  NexudusValidationError,
  parseErrorBody,
  type ApiErrorInit,
  type FieldError,
  type NexudusRole,
} from "./errors";
import { sharedLimiter, type Limiter } from "./limiter";
import { defaultHistoryDir, FileCallHistory, historyKey } from "./callHistory";
import * as path from "node:path";
import { redact, registerSecret } from "./redact";
import {
  failedBeforeSending,
  isTransientCode,
  parseRetryAfter,
  retryDelay,
  type FailureClass,
  type RetryPolicy,
} from "./retry";
import {
  check,
  describeIssues,
  searchPageSchema,
  searchQuerySchema,
  tokenResponseSchema,
  webhookRecordSchema,
  webhookUpdateSchema,
  webhookWriteSchema,
  writeEnvelopeSchema,
  writeValueSchema,
  type SearchPage,
  type SearchQuery,
  type WebhookRecord,
  type WebhookSummary,
  type WebhookWrite,
} from "./schemas";

export { limiterStats, resetLimiterStats, type LimiterStats } from "./limiter";
export type {
  SearchPage,
  SearchQuery,
  WebhookRecord,
  WebhookSummary,
  WebhookWrite,
} from "./schemas";

/** The production API. */
export const DEFAULT_BASE_URL = "https://spaces.nexudus.com";
/** Default per-request timeout (ms). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default number of retries after the first attempt. */
export const DEFAULT_MAX_RETRIES = 5;
/** Default page size of {@link NexudusClient.search} (the API's maximum). */
export const DEFAULT_SEARCH_PAGE_SIZE = 1000;
/**
 * Throttled answers (409 with `Retry-After`) one call may draw while the limiter paces it, each
 * followed by a hold of up to a minute (× time factor): about half an hour at most.
 */
export const DEFAULT_MAX_THROTTLE_RETRIES = 30;
/**
 * The most pages one {@link NexudusClient.searchAll} reads before it fails: a guard against a
 * server whose paging never ends (200 pages of 1,000 rows is far beyond any location).
 */
export const MAX_SEARCH_PAGES = 200;

/** Options of one search page request. */
export interface SearchPageOptions {
  /**
   * Called once, just before the first attempt is sent (after the limiter let it go): what the
   * page shows is the server's state at that moment or later.
   */
  beforeSend?: () => void;
}

/** The calls of the API. */
export type Route = "search" | "get" | "create" | "update" | "delete" | "token";

/** One attempt of one call, reported to the `onRequest` hook (never holds a credential). */
export interface RequestEvent {
  /** HTTP method. */
  method: string;
  /** Path with its query string. */
  path: string;
  /** Which call. */
  route: Route;
  /** HTTP status, when an answer came. */
  status?: number;
  /** 1 for the first attempt of the call, 2 for the next… */
  attempt: number;
  /** Time from sending to the answer (or failure), in ms. */
  durationMs: number;
  /** What went wrong with this attempt (redacted), when it failed. */
  error?: string;
}

/** Options of {@link NexudusClient}. */
export interface NexudusClientOptions {
  /** API base URL (default `https://spaces.nexudus.com`); `http://` only for loopback hosts. */
  baseUrl?: string;
  /** A bearer token. Give either this or `username` + `password`. */
  token?: string;
  /** A Nexudus user (an email), exchanged with `password` for a token at `POST /api/token`. */
  username?: string;
  /** The user's password. */
  password?: string;
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Retries after the first attempt of an idempotent call (default 5). */
  maxRetries?: number;
  /**
   * Retries after throttled answers (409 with `Retry-After`) while the limiter paces the client
   * (default 30): each waits for a hold that grows up to a minute, since an unpredicted throttle
   * means another command or stack of this user spent the budget. Without the limiter,
   * `maxRetries` bounds throttles too.
   */
  maxThrottleRetries?: number;
  /** Multiplies every documented wait: rate-limit windows, `Retry-After`, backoff (default 1). */
  timeFactor?: number;
  /** Whether the process-wide client-side rate limiter paces requests (default true). */
  rateLimit?: boolean;
  /**
   * The runner-local folder where the limiter shares its call history with the other processes
   * of this user and base URL (default: `pulumi-nexudus-calls` in the OS temp folder), or `false`
   * for none. The credential is never written: the history is keyed by a SHA-256.
   */
  callHistory?: string | false;
  /** Called after every attempt, for logging and metrics; exceptions it throws are ignored. */
  onRequest?: (event: RequestEvent) => void;
}

/** The result of a create or update. */
export interface WriteResult {
  /** The record's Id. */
  id: number;
  /** The envelope's `UpdatedOn` (when the server wrote the record), when it gave one. */
  updatedOn?: string | null;
  /** The envelope's `UpdatedBy` (the user who wrote it), when it gave one. */
  updatedBy?: string | null;
}

type OptionKey = keyof NexudusClientOptions;

/** The environment variable behind each option read by {@link NexudusClient.fromEnv}. */
export const ENV_VARS = {
  baseUrl: "NEXUDUS_BASE_URL",
  token: "NEXUDUS_TOKEN",
  username: "NEXUDUS_USERNAME",
  password: "NEXUDUS_PASSWORD",
  timeoutMs: "NEXUDUS_TIMEOUT_MS",
  maxRetries: "NEXUDUS_MAX_RETRIES",
  maxThrottleRetries: "NEXUDUS_MAX_THROTTLE_RETRIES",
  timeFactor: "NEXUDUS_TIME_FACTOR",
  rateLimit: "NEXUDUS_RATE_LIMIT",
  callHistory: "NEXUDUS_CALL_HISTORY",
} as const satisfies Partial<Record<OptionKey, string>>;

/** Checked options, with defaults applied. */
export interface ResolvedOptions {
  readonly baseUrl: string;
  readonly origin: string;
  readonly credential:
    | { readonly kind: "token"; readonly token: string }
    | { readonly kind: "password"; readonly username: string; readonly password: string };
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly maxThrottleRetries: number;
  readonly timeFactor: number;
  readonly rateLimit: boolean;
  readonly callHistory: string | false;
  readonly onRequest?: (event: RequestEvent) => void;
}

const optionsSchema = (() => {
  let schema: ReturnType<typeof build> | undefined;
  function build() {
    const int = () => z.number("must be a number").int("must be an integer");
    return z.strictObject({
      baseUrl: z.string("must be a string").optional(),
      token: z.string("must be a string").min(1, "must not be empty").optional(),
      username: z.string("must be a string").min(1, "must not be empty").optional(),
      password: z.string("must be a string").min(1, "must not be empty").optional(),
      timeoutMs: int().positive("must be > 0").max(3_600_000, "must be <= 3600000").optional(),
      maxRetries: int().min(0, "must be >= 0").max(50, "must be <= 50").optional(),
      maxThrottleRetries: int().min(0, "must be >= 0").max(200, "must be <= 200").optional(),
      timeFactor: z.number("must be a number").positive("must be > 0").optional(),
      rateLimit: z.boolean("must be true or false").optional(),
      callHistory: z
        .union([
          z.literal(false),
          z
            .string("must be a folder path or false")
            .refine(
              (v) => path.isAbsolute(v),
              "must be an absolute folder path (or false for none)",
            ),
        ])
        .optional(),
      onRequest: z
        .custom<(event: RequestEvent) => void>((v) => typeof v === "function", "must be a function")
        .optional(),
    });
  }
  return () => (schema ??= build());
})();

const defaultName = (key: string): string => `option "${key}"`;

/** Whether a URL hostname is a loopback host (127.0.0.0/8, localhost, [::1]). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return (
    h === "localhost" || h === "[::1]" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

function checkBaseUrl(raw: string, name: string): { baseUrl: string; origin: string } {
  const shown = raw.includes("@") ? "(a URL with credentials)" : JSON.stringify(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NexudusConfigError(
      "baseUrl",
      `NexudusClient ${name} must be an absolute URL such as ${DEFAULT_BASE_URL} (got ${shown})`,
    );
  }
  const rule = (text: string) => new NexudusConfigError("baseUrl", `NexudusClient ${name} ${text}`);
  if (url.username || url.password) {
    throw rule("must not contain credentials: use the token or username/password options");
  }
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) {
      throw rule(
        `must use https:// (http:// is only allowed for loopback hosts: 127.0.0.0/8, localhost, ` +
          `[::1]) (got ${shown})`,
      );
    }
  } else if (url.protocol !== "https:") {
    throw rule(`must use https:// (got ${shown})`);
  }
  if (url.search || url.hash) throw rule(`must not have a query or fragment (got ${shown})`);
  const path = url.pathname.replace(/\/+$/, "");
  return { baseUrl: `${url.origin}${path}`, origin: url.origin };
}

/**
 * Checks client options and applies defaults; throws {@link NexudusConfigError} naming the
 * option (or, through `nameOf`, the environment variable) and the rule.
 */
export function resolveOptions(
  opts: NexudusClientOptions,
  nameOf: (key: OptionKey) => string = defaultName,
): ResolvedOptions {
  if (opts === null || typeof opts !== "object") {
    throw new NexudusConfigError("options", "NexudusClient options must be an object");
  }
  // Register credentials first, so that no message below can show them.
  registerSecret(opts.token);
  registerSecret(opts.password);
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const parsed = optionsSchema().safeParse(defined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === "unrecognized_keys") {
      const key = issue.keys[0] ?? "";
      throw new NexudusConfigError(
        key,
        `NexudusClient has no option "${key}" (known: ${Object.keys(optionsSchema().shape).join(", ")})`,
      );
    }
    const key = String(issue?.path[0] ?? "options") as OptionKey;
    const secret = key === "token" || key === "password";
    const got = secret ? "" : ` (got ${JSON.stringify(defined[key]) ?? String(defined[key])})`;
    throw new NexudusConfigError(
      key,
      `NexudusClient ${nameOf(key)} ${issue?.message ?? "is invalid"}${got}`,
    );
  }
  const o = parsed.data;
  const { baseUrl, origin } = checkBaseUrl(o.baseUrl ?? DEFAULT_BASE_URL, nameOf("baseUrl"));

  let credential: ResolvedOptions["credential"];
  if (o.token !== undefined) {
    if (o.username !== undefined || o.password !== undefined) {
      throw new NexudusConfigError(
        "token",
        `NexudusClient takes either ${nameOf("token")} or ${nameOf("username")} and ` +
          `${nameOf("password")}, not both`,
      );
    }
    credential = { kind: "token", token: o.token };
  } else if (o.username !== undefined || o.password !== undefined) {
    if (o.username === undefined || o.password === undefined) {
      const missing: OptionKey = o.username === undefined ? "username" : "password";
      throw new NexudusConfigError(
        missing,
        `NexudusClient needs ${nameOf("username")} and ${nameOf("password")} together: ` +
          `${nameOf(missing)} is missing`,
      );
    }
    credential = { kind: "password", username: o.username, password: o.password };
  } else {
    throw new NexudusConfigError(
      "token",
      `NexudusClient needs credentials: set the option "token", or "username" and "password" ` +
        `(environment: ${ENV_VARS.token}, or ${ENV_VARS.username} and ${ENV_VARS.password})`,
    );
  }
  return {
    baseUrl,
    origin,
    credential,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: o.maxRetries ?? DEFAULT_MAX_RETRIES,
    maxThrottleRetries: o.maxThrottleRetries ?? DEFAULT_MAX_THROTTLE_RETRIES,
    timeFactor: o.timeFactor ?? 1,
    rateLimit: o.rateLimit ?? true,
    callHistory: o.callHistory ?? defaultHistoryDir(),
    ...(o.onRequest ? { onRequest: o.onRequest } : {}),
  };
}

/** Reads the client's options from environment variables (see {@link ENV_VARS}). */
function optionsFromEnv(env: Record<string, string | undefined>): NexudusClientOptions {
  const read = (key: keyof typeof ENV_VARS): string | undefined => {
    const v = env[ENV_VARS[key]];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const num = (
    key: "timeoutMs" | "maxRetries" | "maxThrottleRetries" | "timeFactor",
  ): number | undefined => {
    const v = read(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) {
      throw new NexudusConfigError(
        ENV_VARS[key],
        `${ENV_VARS[key]} must be a number (got ${JSON.stringify(v)})`,
      );
    }
    return n;
  };
  const out: NexudusClientOptions = {};
  const baseUrl = read("baseUrl");
  if (baseUrl !== undefined) out.baseUrl = baseUrl;
  // Credentials are not trimmed: a password may end with a space.
  for (const key of ["token", "username", "password"] as const) {
    const v = env[ENV_VARS[key]];
    if (v !== undefined && v !== "") out[key] = v;
  }
  const timeoutMs = num("timeoutMs");
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  const maxRetries = num("maxRetries");
  if (maxRetries !== undefined) out.maxRetries = maxRetries;
  const maxThrottleRetries = num("maxThrottleRetries");
  if (maxThrottleRetries !== undefined) out.maxThrottleRetries = maxThrottleRetries;
  const timeFactor = num("timeFactor");
  if (timeFactor !== undefined) out.timeFactor = timeFactor;
  const rate = read("rateLimit")?.toLowerCase();
  if (rate !== undefined) {
    if (["off", "false", "0", "no"].includes(rate)) out.rateLimit = false;
    else if (["on", "true", "1", "yes"].includes(rate)) out.rateLimit = true;
    else {
      throw new NexudusConfigError(
        ENV_VARS.rateLimit,
        `${ENV_VARS.rateLimit} must be "off" or "on" (got ${JSON.stringify(rate)})`,
      );
    }
  }
  const history = read("callHistory");
  if (history !== undefined) {
    if (["off", "false", "0", "no"].includes(history.toLowerCase())) out.callHistory = false;
    else if (path.isAbsolute(history)) out.callHistory = history;
    else {
      throw new NexudusConfigError(
        ENV_VARS.callHistory,
        `${ENV_VARS.callHistory} must be an absolute folder path or "off" (got ${JSON.stringify(history)})`,
      );
    }
  }
  return out;
}

/** Maps the client's search field names to the API's query parameters. */
export const SEARCH_PARAMS = {
  businessId: "WebHook_Business",
  name: "WebHook_Name",
  action: "WebHook_Action",
  description: "WebHook_Description",
  url: "WebHook_URL",
  active: "WebHook_Active",
  lastError: "WebHook_LastError",
  errorCount: "WebHook_ErrorCount",
  lastTrigger: "WebHook_LastTrigger",
  fromErrorCount: "from_WebHook_ErrorCount",
  toErrorCount: "to_WebHook_ErrorCount",
  fromLastTrigger: "from_WebHook_LastTrigger",
  toLastTrigger: "to_WebHook_LastTrigger",
  fromCreatedOn: "from_WebHook_CreatedOn",
  toCreatedOn: "to_WebHook_CreatedOn",
  fromUpdatedOn: "from_WebHook_UpdatedOn",
  toUpdatedOn: "to_WebHook_UpdatedOn",
  page: "page",
  size: "size",
  orderBy: "orderBy",
  dir: "dir",
} as const satisfies Record<keyof SearchQuery, string>;

/** The query string of a search (`page=1&size=1000&WebHook_Business=…`), in a stable order. */
export function searchQueryString(q: SearchQuery): string {
  const params = new URLSearchParams();
  for (const [key, param] of Object.entries(SEARCH_PARAMS)) {
    const value = q[key as keyof SearchQuery];
    if (value !== undefined) params.append(param, String(value));
  }
  return params.toString();
}

const WEBHOOKS = "/api/sys/webhooks";
const TOKEN = "/api/token";

/** The role each call needs. */
const ROLES: Record<Exclude<Route, "token">, NexudusRole> = {
  search: "WebHook-List",
  get: "WebHook-Read",
  create: "WebHook-Create",
  update: "WebHook-Edit",
  delete: "WebHook-Delete",
};

/**
 * Builds a path from a template, encoding every parameter with `encodeURIComponent`: the one
 * place path parameters are put into URLs.
 */
export function encodePath(strings: TemplateStringsArray, ...params: (string | number)[]): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < params.length ? encodeURIComponent(String(params[i])) : ""),
    "",
  );
}

/** One API call, as the request loop sees it. */
interface Operation<T> {
  readonly route: Route;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path with the query string. */
  readonly path: string;
  /** JSON body, or a form body for the token exchange. */
  readonly body?: { contentType: string; text: string };
  /** Turns a 2xx answer's parsed JSON (undefined when empty) into the result. */
  readonly read: (body: unknown) => Read<T>;
  /** Called just before the first attempt is sent. */
  readonly beforeSend?: () => void;
}

/** A JSON request body (already checked to serialize). */
function jsonBody(value: unknown): { contentType: string; text: string } {
  return { contentType: "application/json", text: JSON.stringify(value) };
}

/** A read answer body: the value, or what is wrong with it. */
type Read<T> = { ok: true; value: T } | { ok: false; problem: string };

/** What one attempt produced. */
type Outcome =
  | { kind: "answer"; status: number; headers: Record<string, string>; text: string }
  | { kind: "network"; code: string; detail: string }
  | { kind: "timeout" };

/** A failed attempt: how the retry policy sees it, and how to make the final error. */
interface Failure {
  readonly retry: FailureClass;
  /** The server may have acted on this attempt although it failed. */
  readonly ambiguous: boolean;
  readonly make: (ctx: { attempts: number; mayHaveCommitted: boolean }) => NexudusApiError;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** Puts the credential on requests. */
interface TokenSource {
  /** Whether a 401 can be cured by renewing the token. */
  readonly renewable: boolean;
  /** The `Authorization` header value. */
  authorization(): Promise<string>;
  /** Renews the token after `stale` was refused (shared between concurrent callers). */
  renew(stale: string): Promise<void>;
}

/** A token exchanged for a username and password, shared by every client of the process. */
interface CachedToken {
  accessToken?: string;
  refreshToken?: string;
  /** `Date.now()` after which the token is renewed before use. */
  renewAfter?: number;
  inflight?: Promise<void>;
}

const TOKEN_CACHE_KEY = Symbol.for("pulumi-nexudus.token-cache.v1");

function tokenCache(): Map<string, CachedToken> {
  const holder = globalThis as unknown as Record<symbol, Map<string, CachedToken> | undefined>;
  let cache = holder[TOKEN_CACHE_KEY];
  if (!cache) {
    cache = new Map();
    holder[TOKEN_CACHE_KEY] = cache;
  }
  return cache;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Forgets every cached token of the process (tests, or after a password change). */
export function clearTokenCache(): void {
  tokenCache().clear();
}

/** Performs one token exchange at `POST /api/token` (a client's request loop). */
interface TokenExchanger {
  exchange(
    form: Record<string, string>,
  ): Promise<{ accessToken: string; refreshToken?: string; expiresIn?: number }>;
}

class StaticToken implements TokenSource {
  readonly renewable = false;
  // ES private: invisible to JSON.stringify, util.inspect and closure serializers.
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  async authorization(): Promise<string> {
    return `Bearer ${this.#token}`;
  }
  async renew(): Promise<void> {}
}

class PasswordGrant implements TokenSource {
  readonly renewable = true;
  // ES private: invisible to JSON.stringify, util.inspect and closure serializers.
  readonly #key: string;
  readonly #username: string;
  readonly #password: string;
  readonly #exchanger: TokenExchanger;

  constructor(baseUrl: string, username: string, password: string, exchanger: TokenExchanger) {
    this.#username = username;
    this.#password = password;
    this.#exchanger = exchanger;
    // Keyed by base URL and username; the password's hash keeps a wrong password from reusing
    // the token of a right one.
    this.#key = `${baseUrl}\n${username}\n${sha256(password)}`;
  }

  private entry(): CachedToken {
    const cache = tokenCache();
    let e = cache.get(this.#key);
    if (!e) {
      e = {};
      cache.set(this.#key, e);
    }
    return e;
  }

  async authorization(): Promise<string> {
    const e = this.entry();
    // Join an exchange in flight, or start one; a second pass only covers a cache cleared meanwhile.
    for (let pass = 0; pass < 3; pass++) {
      if (e.inflight) await e.inflight;
      if (e.accessToken && (e.renewAfter === undefined || Date.now() < e.renewAfter)) {
        return `Bearer ${e.accessToken}`;
      }
      if (!e.inflight) await this.run(e, false);
    }
    throw new NexudusResponseError({
      method: "POST",
      path: TOKEN,
      problem: "the token exchange succeeded but no access token could be kept",
    });
  }

  async renew(stale: string): Promise<void> {
    const e = this.entry();
    if (e.inflight) return e.inflight;
    if (e.accessToken && `Bearer ${e.accessToken}` !== stale) return; // renewed by someone else
    return this.run(e, true);
  }

  /** Runs one exchange for every concurrent caller: refresh grant first when asked and possible. */
  private run(e: CachedToken, preferRefresh: boolean): Promise<void> {
    const refreshToken = preferRefresh ? e.refreshToken : undefined;
    const job = (async () => {
      let got: Awaited<ReturnType<TokenExchanger["exchange"]>> | undefined;
      if (refreshToken) {
        try {
          got = await this.#exchanger.exchange({
            grant_type: "refresh_token",
            refresh_token: refreshToken,
          });
        } catch (err) {
          if (!(err instanceof NexudusAuthError) && !(err instanceof NexudusValidationError)) {
            throw err;
          }
          got = undefined; // the refresh token is no good: fall back to the password
        }
      }
      got ??= await this.#exchanger.exchange({
        grant_type: "password",
        username: this.#username,
        password: this.#password,
      });
      e.accessToken = got.accessToken;
      if (got.refreshToken !== undefined) e.refreshToken = got.refreshToken;
      if (got.expiresIn !== undefined && got.expiresIn > 0) {
        const margin = Math.min(60, got.expiresIn / 10);
        e.renewAfter = Date.now() + (got.expiresIn - margin) * 1000;
      } else {
        delete e.renewAfter;
      }
    })();
    const inflight = job.finally(() => {
      if (e.inflight === inflight) delete e.inflight;
    });
    e.inflight = inflight;
    return inflight;
  }
}

/** Lower-cased header map with string values. */
function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === "object") {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      if (v !== undefined && v !== null) {
        out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
      }
    }
  }
  return out;
}

/** The system error code of whatever the HTTP library threw. */
function errorCode(err: unknown): { code: string; detail: string } {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code =
    typeof e?.cause?.code === "string" && /^E[A-Z]/.test(e.cause.code)
      ? e.cause.code
      : typeof e?.code === "string"
        ? e.code
        : "UNKNOWN";
  const message = typeof e?.message === "string" ? e.message : String(err);
  return { code, detail: redact(message).slice(0, 200) };
}

function looksLikeHtml(headers: Record<string, string>, text: string): boolean {
  return /\btext\/html\b/i.test(headers["content-type"] ?? "") || /^\s*</.test(text);
}

/**
 * The client of the Nexudus WebHook API. Every call is paced by the process-wide limiter,
 * retried by one policy (idempotent calls only, and creates only after a throttle), validated
 * against the documented shapes, and fails with a {@link NexudusApiError} subclass whose message
 * says what to do.
 */
export class NexudusClient {
  /** The API base URL (no trailing slash). */
  readonly baseUrl: string;
  /** Per-request timeout, in ms. */
  readonly timeoutMs: number;
  /** Retries after the first attempt of an idempotent call. */
  readonly maxRetries: number;
  /** Multiplier of every documented wait. */
  readonly timeFactor: number;
  /** Whether the process-wide rate limiter paces this client. */
  readonly rateLimit: boolean;

  readonly #http: AxiosInstance;
  readonly #auth: TokenSource;
  readonly #limiter: Limiter | undefined;
  readonly #policy: RetryPolicy;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;
  readonly #maxThrottleRetries: number;
  /** Set once the API answered a search: a 404 of a record route then means "no such record". */
  #apiConfirmed = false;

  /** @throws {@link NexudusConfigError} when an option is missing or invalid. */
  constructor(opts: NexudusClientOptions) {
    const o = resolveOptions(opts);
    this.baseUrl = o.baseUrl;
    this.timeoutMs = o.timeoutMs;
    this.maxRetries = o.maxRetries;
    this.timeFactor = o.timeFactor;
    this.rateLimit = o.rateLimit;
    this.#onRequest = o.onRequest;
    this.#maxThrottleRetries = o.maxThrottleRetries;
    this.#policy = { maxRetries: o.maxRetries, timeFactor: o.timeFactor, random: Math.random };

    const origin = o.origin;
    this.#http = axios.create({
      baseURL: o.baseUrl,
      validateStatus: () => true,
      responseType: "text",
      transformResponse: [(data: unknown) => data],
      maxRedirects: 3,
      maxContentLength: 64 * 1024 * 1024,
      // Never carry the credential to another origin.
      beforeRedirect: (options: Record<string, unknown>) => {
        let target = "";
        try {
          target = new URL(String(options.href)).origin;
        } catch {
          target = "";
        }
        if (target !== origin) {
          const headers = (options.headers ?? {}) as Record<string, unknown>;
          for (const name of Object.keys(headers)) {
            if (/^(authorization|cookie|proxy-authorization)$/i.test(name)) delete headers[name];
          }
          delete options.auth;
        }
      },
      headers: { Accept: "application/json", "User-Agent": "pulumi-nexudus" },
    });

    const identity =
      o.credential.kind === "token"
        ? `token:${sha256(o.credential.token)}`
        : `user:${o.credential.username}`;
    const historyDir = o.callHistory;
    this.#limiter = o.rateLimit
      ? sharedLimiter(`${o.baseUrl}\n${identity}\n${o.timeFactor}`, o.timeFactor, () =>
          historyDir === false
            ? undefined
            : new FileCallHistory(
                historyDir,
                historyKey(o.baseUrl, identity, o.timeFactor),
                o.timeFactor,
              ),
        )
      : undefined;
    this.#auth =
      o.credential.kind === "token"
        ? new StaticToken(o.credential.token)
        : new PasswordGrant(o.baseUrl, o.credential.username, o.credential.password, {
            exchange: (form) => this.exchange(form),
          });
  }

  /**
   * How long to wait between two looks for a record whose create may have committed late (after
   * an error with `mayHaveCommitted`): 1 s × timeFactor.
   */
  get lookAgainMs(): number {
    return 1000 * this.timeFactor;
  }

  /**
   * A client configured from environment variables (`NEXUDUS_BASE_URL`, `NEXUDUS_TOKEN`,
   * `NEXUDUS_USERNAME`, `NEXUDUS_PASSWORD`, `NEXUDUS_TIMEOUT_MS`, `NEXUDUS_MAX_RETRIES`,
   * `NEXUDUS_TIME_FACTOR`, `NEXUDUS_RATE_LIMIT` = `off`|`on`), with `overrides` taking precedence.
   * When `overrides` gives a credential, the environment's credentials are ignored.
   *
   * @throws {@link NexudusConfigError} naming the variable or option at fault.
   */
  static fromEnv(
    env: Record<string, string | undefined> = process.env,
    overrides: NexudusClientOptions = {},
  ): NexudusClient {
    const fromEnv = optionsFromEnv(env);
    const given = Object.fromEntries(
      Object.entries(overrides).filter(([, v]) => v !== undefined),
    ) as NexudusClientOptions;
    if (given.token !== undefined || given.username !== undefined || given.password !== undefined) {
      delete fromEnv.token;
      delete fromEnv.username;
      delete fromEnv.password;
    }
    const merged: NexudusClientOptions = { ...fromEnv, ...given };
    const nameOf = (key: OptionKey): string =>
      key in given || !(key in ENV_VARS)
        ? defaultName(key)
        : ENV_VARS[key as keyof typeof ENV_VARS];
    resolveOptions(merged, nameOf); // fails naming the variable when it comes from the environment
    return new NexudusClient(merged);
  }

  /** One page of search results (`size` defaults to the API's 25 unless given). */
  async searchPage(q: SearchQuery = {}, opts: SearchPageOptions = {}): Promise<SearchPage> {
    const query = this.checkQuery(q);
    const qs = searchQueryString(query);
    const page = await this.call<SearchPage>({
      route: "search",
      method: "GET",
      path: qs ? `${WEBHOOKS}?${qs}` : WEBHOOKS,
      read: (body) => check(searchPageSchema(), body),
      ...(opts.beforeSend ? { beforeSend: opts.beforeSend } : {}),
    });
    this.#apiConfirmed = true;
    return page;
  }

  /**
   * Every record matching `q` (1000 per page unless `q.size`), read to the end before anything
   * is returned, so that no caller decides on a partial list. Paging stops at `TotalPages` (once
   * `TotalItems` rows are seen), on an empty page or one that repeats rows already seen, and fails
   * beyond {@link MAX_SEARCH_PAGES} pages. After
   * the first page it asks with the page size the server used (`CurrentPageSize`, or the rows of
   * a full page when the server caps `size` without saying so). When the distinct rows seen do
   * not add up to `TotalItems` it fails instead of returning a partial or inconsistent list.
   * Rows are summaries: `Description` is not populated, so `get` a record before building an
   * update from it.
   */
  async searchAll(q: SearchQuery = {}, opts: SearchPageOptions = {}): Promise<WebhookSummary[]> {
    const query = this.checkQuery(q);
    let size = query.size ?? DEFAULT_SEARCH_PAGE_SIZE;
    const first = query.page ?? 1;
    const byId = new Map<number, WebhookSummary>();
    const path = `${WEBHOOKS}?${searchQueryString({ ...query, page: first, size })}`;
    let totalItems: number | undefined;
    let pages = 0;
    for (let page = first; ; page++) {
      if (pages >= MAX_SEARCH_PAGES) {
        throw new NexudusResponseError({
          method: "GET",
          path,
          problem:
            `the search did not end after ${MAX_SEARCH_PAGES} pages (${byId.size} distinct rows; ` +
            `TotalPages or HasNextPage kept asking for more), so paging was stopped and nothing ` +
            `was decided on the list`,
        });
      }
      pages++;
      const result = await this.searchPage({ ...query, page, size }, page === first ? opts : {});
      const rows = result.Records;
      let fresh = 0;
      for (const row of rows) {
        if (!byId.has(row.Id)) {
          byId.set(row.Id, row);
          fresh++;
        }
      }
      totalItems = result.TotalItems;
      if (rows.length === 0 || fresh === 0) break; // an empty page, or one seen already
      // More to read: pages left by TotalPages, or rows left by TotalItems (HasNextPage alone,
      // which some servers never turn false, is not trusted).
      const more = page < result.TotalPages || (first === 1 && byId.size < result.TotalItems);
      if (page === first) {
        const used = result.CurrentPageSize;
        if (typeof used === "number" && Number.isInteger(used) && used > 0 && used < size) {
          size = used;
        } else if (more && rows.length < size) {
          size = rows.length; // the server capped the size without saying so
        }
      }
      if (!more) break;
    }
    if (first === 1 && totalItems !== undefined && byId.size !== totalItems) {
      throw new NexudusResponseError({
        method: "GET",
        path,
        problem:
          `the search returned ${byId.size} distinct rows but its TotalItems says ${totalItems}: ` +
          `the list is partial or inconsistent (records changed while paging, or the server pages ` +
          `differently), so nothing was decided on it; run the operation again`,
      });
    }
    return [...byId.values()];
  }

  /** {@link searchAll} as an iterator (every page is read before the first row is yielded). */
  async *search(q: SearchQuery = {}): AsyncIterable<WebhookSummary> {
    yield* await this.searchAll(q);
  }

  /** The full record with this Id. */
  async get(id: number): Promise<WebhookRecord> {
    const path = this.recordPath("GET", id);
    return this.recordCall<WebhookRecord>({
      route: "get",
      method: "GET",
      path,
      read: (body) => {
        const r = check(webhookRecordSchema(), body);
        if (r.ok && r.value.Id !== id) {
          return { ok: false, problem: `Id: expected ${id}, got ${r.value.Id}` };
        }
        return r;
      },
    });
  }

  /**
   * Creates a record. Never retried (except after a throttle, when the server did nothing): on a
   * failure after sending (reset, timeout, 5xx) the error has `mayHaveCommitted: true`, and the
   * caller must search before creating again.
   */
  async create(body: WebhookWrite): Promise<WriteResult> {
    const checked = this.checkBody("POST", WEBHOOKS, webhookWriteSchema(), body);
    return this.call<WriteResult>({
      route: "create",
      method: "POST",
      path: WEBHOOKS,
      body: jsonBody(checked),
      read: (answer) => this.readWrite(answer, undefined),
    });
  }

  /** Replaces a record (a field left out is cleared: build the body from a fresh `get`). */
  async update(body: WebhookWrite & { Id: number }): Promise<WriteResult> {
    const checked = this.checkBody("PUT", WEBHOOKS, webhookUpdateSchema(), body);
    return this.recordCall<WriteResult>({
      route: "update",
      method: "PUT",
      path: WEBHOOKS,
      body: jsonBody(checked),
      read: (answer) => this.readWrite(answer, checked.Id),
    });
  }

  /**
   * Deletes a record. When an attempt fails without a definite answer and the retry answers 404,
   * the first attempt deleted it: that is success.
   */
  async delete(id: number): Promise<void> {
    const path = this.recordPath("DELETE", id);
    await this.recordCall<void>({
      route: "delete",
      method: "DELETE",
      path,
      read: (answer) => {
        if (answer === undefined) return { ok: true, value: undefined };
        const r = check(writeEnvelopeSchema(), answer);
        return r.ok ? { ok: true, value: undefined } : r;
      },
    });
  }

  /**
   * Makes sure a token is held: exchanges the username and password at `POST /api/token` unless
   * a valid token is cached (the cache is process-wide). Does nothing for a token client.
   */
  async exchangeToken(): Promise<void> {
    await this.#auth.authorization();
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * A call on one record: a 404 is "no such record" only once the API is known to answer here
   * (a search succeeded in this process); otherwise one search page is asked first, and when that
   * fails too the 404 is the route's, not the record's ({@link NexudusRoutingError}, naming
   * baseUrl), so nothing is taken as deleted.
   */
  private async recordCall<T>(op: Operation<T>): Promise<T> {
    try {
      return await this.call(op);
    } catch (e) {
      if (!(e instanceof NexudusNotFoundError) || this.#apiConfirmed) throw e;
      try {
        await this.searchPage({ page: 1, size: 1 });
      } catch (probe) {
        if (probe instanceof NexudusAuthError) throw e; // the API answered: the route exists
        const name = probe instanceof Error ? probe.message : String(probe);
        if (
          probe instanceof NexudusRoutingError ||
          probe instanceof NexudusNotFoundError ||
          probe instanceof NexudusResponseError
        ) {
          throw new NexudusRoutingError({
            method: op.method,
            path: op.path,
            status: 404,
            baseUrl: this.baseUrl,
            why: `the WebHook search does not answer at this address either: ${name}`,
            ...(e.apiMessage !== undefined ? { apiMessage: e.apiMessage } : {}),
          });
        }
        throw new NexudusApiError(
          `${op.method} ${op.path} answered 404, and whether that means "no such record" could ` +
            `not be confirmed (the WebHook search failed: ${name}); nothing was taken as deleted. ` +
            `Try again.`,
          { method: op.method, path: op.path, status: 404 },
        );
      }
      throw e;
    }
  }

  private exchange(
    form: Record<string, string>,
  ): Promise<{ accessToken: string; refreshToken?: string; expiresIn?: number }> {
    return this.call({
      route: "token",
      method: "POST",
      path: TOKEN,
      body: {
        contentType: "application/x-www-form-urlencoded",
        text: new URLSearchParams(form).toString(),
      },
      read: (body) => {
        const r = check(tokenResponseSchema(), body);
        if (!r.ok) return r;
        registerSecret(r.value.access_token);
        registerSecret(r.value.refresh_token);
        return {
          ok: true,
          value: {
            accessToken: r.value.access_token,
            ...(r.value.refresh_token ? { refreshToken: r.value.refresh_token } : {}),
            ...(typeof r.value.expires_in === "number" ? { expiresIn: r.value.expires_in } : {}),
          },
        };
      },
    });
  }

  private recordPath(method: string, id: number): string {
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
      const shown = typeof id === "number" ? String(id) : (JSON.stringify(id) ?? typeof id);
      throw new NexudusValidationError({
        method,
        path: `${WEBHOOKS}/{id}`,
        fieldErrors: [{ property: "id", message: `must be a positive integer (got ${shown})` }],
      });
    }
    return encodePath`/api/sys/webhooks/${id}`;
  }

  private checkQuery(q: SearchQuery): SearchQuery {
    const r = searchQuerySchema().safeParse(q ?? {});
    if (r.success) return r.data;
    const fieldErrors: FieldError[] = r.error.issues.map((issue) =>
      issue.code === "unrecognized_keys"
        ? {
            property: issue.keys.join(", "),
            message: `is not a search field (known: ${Object.keys(SEARCH_PARAMS).join(", ")})`,
          }
        : { property: issue.path.map(String).join("."), message: issue.message },
    );
    throw new NexudusValidationError({ method: "GET", path: WEBHOOKS, fieldErrors });
  }

  private checkBody<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body: unknown,
  ): z.infer<S> {
    const r = schema.safeParse(body);
    if (r.success) {
      try {
        JSON.stringify(r.data);
        return r.data;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new NexudusValidationError({
          method,
          path,
          fieldErrors: [{ property: "(body)", message: `cannot be sent as JSON (${why})` }],
        });
      }
    }
    const fieldErrors: FieldError[] = r.error.issues.map((issue) => ({
      property: issue.path.map(String).join(".") || "(body)",
      message: describeIssues(new z.ZodError([issue])).replace(/^[^:]*: /, ""),
    }));
    throw new NexudusValidationError({ method, path, fieldErrors });
  }

  private readWrite(answer: unknown, knownId: number | undefined): Read<WriteResult> {
    const envelope = check(writeEnvelopeSchema(), answer);
    if (!envelope.ok) return envelope;
    const { UpdatedOn, UpdatedBy } = envelope.value;
    const extra = {
      ...(UpdatedOn !== undefined ? { updatedOn: UpdatedOn } : {}),
      ...(UpdatedBy !== undefined ? { updatedBy: UpdatedBy } : {}),
    };
    const value = check(writeValueSchema(), envelope.value.Value);
    if (value.ok) return { ok: true, value: { id: value.value.Id, ...extra } };
    if (knownId !== undefined) return { ok: true, value: { id: knownId, ...extra } };
    return { ok: false, problem: `Value.${value.problem}` };
  }

  /** The request loop: limiter slot, send, read, one token renewal on 401, the retry policy. */
  private async call<T>(op: Operation<T>): Promise<T> {
    const recordWrite = op.method !== "GET" && op.route !== "token";
    const idempotent = op.method !== "POST" || op.route === "token";
    let attempts = 0;
    let retries = 0;
    let throttles = 0;
    let renewed = false;
    let ambiguous = false;
    for (;;) {
      const authorization = op.route === "token" ? undefined : await this.#auth.authorization();
      const slot = this.#limiter ? await this.#limiter.acquire(op.method !== "GET") : undefined;
      attempts++;
      if (attempts === 1) op.beforeSend?.();
      const started = performance.now();
      const outcome = await this.send(op, authorization);
      const result = this.interpret(op, outcome);
      const throttle = !result.ok && result.failure.retry.kind === "throttle";
      slot?.done(throttle);
      const status = outcome.kind === "answer" ? outcome.status : undefined;

      if (result.ok) {
        this.emit(op, attempts, started, status);
        return result.value;
      }
      const failure = result.failure;
      const mayHaveCommitted = recordWrite && (ambiguous || failure.ambiguous);
      if (this.#onRequest) {
        this.emit(op, attempts, started, status, failure.make({ attempts, mayHaveCommitted }));
      }

      if (status === 401 && authorization && this.#auth.renewable && !renewed) {
        renewed = true;
        await this.#auth.renew(authorization);
        continue;
      }
      if (op.route === "delete" && ambiguous && status === 404) return undefined as T;
      if (failure.ambiguous) ambiguous = true;
      if (failure.retry.kind === "throttle" && slot && this.#limiter?.throttled) {
        // A throttle the limiter did not predict: budget spent elsewhere (another command or
        // stack of this user). The limiter holds every request for a growing while; the server
        // did nothing, so the request goes again when the hold ends (more tries than other
        // failures, each bounded by the hold's cap).
        if (throttles >= this.#maxThrottleRetries) {
          throw failure.make({ attempts, mayHaveCommitted });
        }
        throttles++;
        this.#limiter.throttled(slot, failure.retry.retryAfterMs);
        continue;
      }
      const delay = retryDelay(this.#policy, failure.retry, retries + 1, idempotent);
      if (delay === undefined) throw failure.make({ attempts, mayHaveCommitted });
      retries++;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private emit(
    op: Operation<unknown>,
    attempt: number,
    started: number,
    status: number | undefined,
    error?: NexudusApiError,
  ): void {
    if (!this.#onRequest) return;
    const event: RequestEvent = {
      method: op.method,
      path: redact(op.path),
      route: op.route,
      attempt,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(status !== undefined ? { status } : {}),
      ...(error ? { error: `${error.name}: ${error.message}` } : {}),
    };
    try {
      this.#onRequest(event);
    } catch {
      // a logging hook must not break the call
    }
  }

  /** Sends one attempt; never throws. */
  private async send(op: Operation<unknown>, authorization: string | undefined): Promise<Outcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const headers: Record<string, string> = {};
    if (authorization) headers.Authorization = authorization;
    if (op.body) headers["Content-Type"] = op.body.contentType;
    const data = op.body?.text;
    try {
      const res = await this.#http.request<string>({
        method: op.method,
        url: op.path,
        headers,
        signal: controller.signal,
        // A body (a password or refresh-token grant, a secret webhook URL) never follows a redirect.
        ...(data !== undefined ? { data, maxRedirects: 0 } : {}),
      });
      const text =
        typeof res.data === "string" ? res.data : res.data == null ? "" : String(res.data);
      return { kind: "answer", status: res.status, headers: plainHeaders(res.headers), text };
    } catch (err) {
      if (timedOut) return { kind: "timeout" };
      return { kind: "network", ...errorCode(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads one attempt's outcome: the result, or a failure (pure but for the options it reads). */
  private interpret<T>(op: Operation<T>, outcome: Outcome): Attempt<T> {
    const base = { method: op.method, path: op.path };
    const recordWrite = op.method !== "GET" && op.route !== "token";
    const fail = (retry: FailureClass, ambiguous: boolean, make: Failure["make"]): Attempt<T> => ({
      ok: false,
      failure: { retry, ambiguous, make },
    });

    if (outcome.kind === "timeout") {
      const timeoutMs = this.timeoutMs;
      return fail(
        { kind: "timeout" },
        recordWrite,
        (ctx) => new NexudusTimeoutError({ ...base, ...ctx, timeoutMs }),
      );
    }
    if (outcome.kind === "network") {
      const { code, detail } = outcome;
      const sent = !failedBeforeSending(code);
      return fail(
        { kind: "connection", transient: isTransientCode(code) },
        recordWrite && sent,
        (ctx) => new NexudusConnectionError({ ...base, ...ctx, code, detail }),
      );
    }

    const { status, headers, text } = outcome;
    const at = { ...base, status };
    const ok2xx = status >= 200 && status < 300;

    // The throttle: 409 (or 429) with Retry-After. The server did nothing.
    const retryAfterMs = parseRetryAfter(headers["retry-after"], this.timeFactor);
    if ((status === 409 || status === 429) && retryAfterMs !== undefined) {
      return fail(
        { kind: "throttle", retryAfterMs },
        false,
        (ctx) => new NexudusThrottledError({ ...at, ...ctx, retryAfterMs }),
      );
    }

    const malformed = (problem: string): Attempt<T> =>
      fail(
        status >= 500 ? { kind: "server" } : { kind: "final" },
        recordWrite && (ok2xx || status >= 500),
        (ctx) => new NexudusResponseError({ ...at, ...ctx, problem }),
      );

    const routing = (why: string, apiMessage?: string): Attempt<T> =>
      fail(
        { kind: "final" },
        false,
        (ctx) =>
          new NexudusRoutingError({
            ...at,
            ...ctx,
            baseUrl: this.baseUrl,
            why,
            ...(apiMessage !== undefined ? { apiMessage } : {}),
          }),
      );
    if (looksLikeHtml(headers, text)) {
      // A 401 is an authentication failure whatever its body (a gateway's HTML login page...).
      if ((status === 401 || status === 403) && op.route !== "token") {
        const requiredRole = ROLES[op.route];
        return fail(
          { kind: "final" },
          false,
          (ctx) => new NexudusAuthError({ ...at, ...ctx, requiredRole }),
        );
      }
      if ((status === 400 || status === 401 || status === 403) && op.route === "token") {
        return fail(
          { kind: "final" },
          false,
          (ctx) => new NexudusAuthError({ ...at, ...ctx, tokenExchange: true }),
        );
      }
      if (status === 404) return routing("an HTML page instead of the API's JSON answer");
      return malformed(
        `an HTML page (HTTP ${status}) instead of JSON: a proxy or gateway error, or a wrong baseUrl`,
      );
    }
    let body: unknown = undefined;
    let parseProblem: string | undefined;
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        parseProblem = `the body is not valid JSON (truncated or garbled, ${text.length} characters, HTTP ${status})`;
      }
    }

    if (ok2xx) {
      if (parseProblem) return malformed(parseProblem);
      if (body === undefined && op.route !== "delete") {
        return malformed(`the body is empty (HTTP ${status})`);
      }
      if (
        body !== null &&
        typeof body === "object" &&
        (body as { WasSuccessful?: unknown }).WasSuccessful === false
      ) {
        const parsed = parseErrorBody(body);
        return fail(
          { kind: "final" },
          false,
          (ctx) => new NexudusValidationError({ ...at, ...ctx, ...parsed }),
        );
      }
      if (op.route === "token" && body !== null && typeof body === "object" && "error" in body) {
        const parsed = parseErrorBody(body);
        return fail(
          { kind: "final" },
          false,
          (ctx) => new NexudusAuthError({ ...at, ...ctx, ...parsed, tokenExchange: true }),
        );
      }
      const read = op.read(body);
      return read.ok ? { ok: true, value: read.value } : malformed(read.problem);
    }

    const parsed = parseErrorBody(body);
    const info: ApiErrorInit = { ...at, ...parsed };
    if (parsed.oauthError && !parsed.apiMessage) info.apiMessage = parsed.oauthError;
    const final = (make: Failure["make"]) => fail({ kind: "final" }, false, make);

    if (op.route === "token" && (status === 400 || status === 401 || status === 403)) {
      return final((ctx) => new NexudusAuthError({ ...info, ...ctx, tokenExchange: true }));
    }
    if (status >= 500) {
      return fail(
        { kind: "server" },
        recordWrite,
        (ctx) => new NexudusServerError({ ...info, ...ctx }),
      );
    }
    switch (status) {
      case 400:
        return final((ctx) => new NexudusValidationError({ ...info, ...ctx }));
      case 401:
      case 403: {
        const requiredRole = op.route === "token" ? undefined : ROLES[op.route];
        return final(
          (ctx) =>
            new NexudusAuthError({ ...info, ...ctx, ...(requiredRole ? { requiredRole } : {}) }),
        );
      }
      case 404: {
        const frameworkPage =
          typeof info.apiMessage === "string" &&
          /no http resource was found|no route|not match(es)? the request|unknown (route|endpoint)/i.test(
            info.apiMessage,
          );
        if (frameworkPage) return routing("the framework's own not-found answer", info.apiMessage);
        if (op.route === "search" || op.route === "create" || op.route === "token") {
          return routing(`the ${op.route} route has no record to miss`, info.apiMessage);
        }
        return final((ctx) => new NexudusNotFoundError({ ...info, ...ctx }));
      }
      case 409:
        return final((ctx) => new NexudusConflictError({ ...info, ...ctx }));
    }
    if (status >= 300 && status < 400) {
      return malformed(`a redirect (HTTP ${status}) that was not followed: check baseUrl`);
    }
    return final(
      (ctx) =>
        new NexudusApiError(
          `${op.method} ${op.path} failed (HTTP ${status})${info.apiMessage ? ` (API: "${info.apiMessage}")` : ""}.`,
          { ...info, ...ctx },
        ),
    );
  }
}
