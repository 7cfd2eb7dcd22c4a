/**
 * The client's options: a plain typed object ({@link NexudusClientOptions}), its rules
 * ({@link optionRules}: the ranges, and the one base-URL rule {@link baseUrlRule}) and their
 * check ({@link resolveOptions}). The configuration layer (`config/`) reads stack config, the
 * environment and CLI flags into these options and checks them with the same rules; nothing here
 * reads the environment.
 *
 * @module
 */
import * as path from "node:path";
import { z } from "zod";
import { defaultHistoryDir } from "./ratelimit/callHistory";
import { NexudusConfigError } from "./errors";
import { redact, registerSecret } from "./redact";
import type { Route } from "./routes";

/** The production API. */
export const DEFAULT_BASE_URL = "https://spaces.nexudus.com";

/** Whether a URL hostname is a loopback host (127.0.0.0/8, localhost, [::1]). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return (
    h === "localhost" || h === "[::1]" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/** Why a base URL is refused. */
export type BaseUrlProblem = "notAbsolute" | "credentials" | "plainHttp" | "scheme" | "query";

/** The rule each base-URL problem breaks, in the one wording every front end shows. */
export const BASE_URL_RULES: Readonly<Record<BaseUrlProblem, string>> = {
  notAbsolute: `must be an absolute URL such as ${DEFAULT_BASE_URL}`,
  credentials: "must not contain a user or password (give the token, or the username and password)",
  plainHttp:
    "must use https:// (plain http:// is allowed only on loopback: 127.0.0.0/8, localhost, [::1], e.g. the local emulator)",
  scheme: "must be an https:// URL",
  query: "must not have a query or fragment",
};

/**
 * The one rule of a base URL: absolute, no user or password, `https://` (plain `http://` only on
 * a loopback host, e.g. the local emulator), no query or fragment. Gives the URL without a
 * trailing slash and its origin.
 */
export function baseUrlRule(
  raw: string,
): { ok: true; baseUrl: string; origin: string } | { ok: false; problem: BaseUrlProblem } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: "notAbsolute" };
  }
  if (url.username || url.password) return { ok: false, problem: "credentials" };
  if (url.protocol === "http:") {
    if (!isLoopbackHost(url.hostname)) return { ok: false, problem: "plainHttp" };
  } else if (url.protocol !== "https:") {
    return { ok: false, problem: "scheme" };
  }
  if (url.search || url.hash) return { ok: false, problem: "query" };
  return {
    ok: true,
    baseUrl: `${url.origin}${url.pathname.replace(/\/+$/, "")}`,
    origin: url.origin,
  };
}

/** A base URL as quoted in a message: never its user or password (nor a query, which may hold a key). */
export function shownBaseUrl(value: string): string {
  const noCredentials = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1[redacted]@");
  return JSON.stringify(noCredentials.replace(/[?#][\s\S]*$/, "?[redacted]"));
}

/** Registers the password (and user:password) of a base URL as secrets, if it has any. */
export function registerBaseUrlCredentials(value: string): void {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@]*)@/i.exec(value);
  if (!m) return;
  registerSecret(m[1]);
  const colon = m[1]!.indexOf(":");
  if (colon >= 0) {
    registerSecret(m[1]!.slice(colon + 1));
    try {
      registerSecret(decodeURIComponent(m[1]!.slice(colon + 1)));
    } catch {
      // not percent-encoded
    }
  }
}

/** Why a base URL is refused (the rule and the value, credentials hidden), or undefined when it is fine. */
export function baseUrlProblem(value: string): string | undefined {
  const r = baseUrlRule(value);
  return r.ok ? undefined : `${BASE_URL_RULES[r.problem]}; got ${shownBaseUrl(value)}`;
}
/** Default per-request timeout (ms). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Default number of retries after the first attempt. */
export const DEFAULT_MAX_RETRIES = 5;
/**
 * Throttled answers (409 with `Retry-After`) one call may draw while the limiter paces it, each
 * followed by a hold of up to a minute (× time factor): about half an hour at most.
 */
export const DEFAULT_MAX_THROTTLE_RETRIES = 30;
/**
 * The longest a call waits for the rate budget (ms, × time factor): 5 minutes. A spent hourly or
 * daily budget that frees later fails the call at once, naming the limit and when it frees.
 */
export const DEFAULT_MAX_WAIT_MS = 300_000;

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
  /**
   * The longest a call waits for the rate budget, in ms × time factor (default 300000, 5
   * minutes): a spent budget that frees later (the day's 5,000 writes, the hour's 5,000 calls)
   * fails the call at once with a `NexudusRateBudgetError`, before anything is sent.
   */
  maxWaitMs?: number;
  /**
   * Told when the limiter holds calls longer than a few seconds (default: a line on stderr, which
   * the Pulumi engine shows for the provider host).
   */
  onNotice?: (message: string) => void;
  /** Multiplies every documented wait: rate-limit windows, `Retry-After`, backoff (default 1). */
  timeFactor?: number;
  /** Whether the process-wide client-side rate limiter paces requests (default true). */
  rateLimit?: boolean;
  /**
   * The runner-local folder where the limiter shares its call history with the other processes
   * of this user and base URL (default: `pulumi-nexudus-calls-<uid>` in the OS temp folder), or
   * `false` for none. The credential is never written: the history is keyed by a SHA-256. A folder
   * that is a symlink, not owned by this user, or writable by group or others is refused
   * (client/ratelimit/callHistory.ts).
   */
  callHistory?: string | false;
  /** Called after every attempt, for logging and metrics; exceptions it throws are ignored. */
  onRequest?: (event: RequestEvent) => void;
}

/** A client option error; the message is redacted (it may quote a value). */
function optionError(option: string, message: string, rule?: string): NexudusConfigError {
  return new NexudusConfigError(option, redact(message), {
    setting: option,
    ...(rule !== undefined ? { rule: redact(rule) } : {}),
  });
}

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
  readonly maxWaitMs: number;
  readonly onNotice: (message: string) => void;
  readonly timeFactor: number;
  readonly rateLimit: boolean;
  readonly callHistory: string | false;
  readonly onRequest?: (event: RequestEvent) => void;
}

/**
 * The rule of each typed option, as zod schemas (built on first use, never captured by a
 * serialized closure). The configuration layer checks stack config, environment and flags with
 * these same rules, so a range is written once.
 */
const optionRules = (() => {
  let rules: ReturnType<typeof build> | undefined;
  function build() {
    const int = () => z.number("must be a number").int("must be a whole number");
    const text = () => z.string("must be a string").min(1, "must not be empty");
    const fn = <T>() => z.custom<T>((v) => typeof v === "function", "must be a function");
    return {
      baseUrl: z.string("must be a string"),
      token: text(),
      username: text(),
      password: text(),
      timeoutMs: int().min(1, "must be at least 1").max(3_600_000, "must be at most 3600000"),
      maxRetries: int().min(0, "must be at least 0").max(50, "must be at most 50"),
      maxThrottleRetries: int().min(0, "must be at least 0").max(200, "must be at most 200"),
      maxWaitMs: int().min(0, "must be at least 0").max(86_400_000, "must be at most 86400000"),
      onNotice: fn<(message: string) => void>(),
      timeFactor: z.number("must be a number").positive("must be greater than 0"),
      rateLimit: z.boolean("must be true or false"),
      callHistory: z.union([
        z.literal(false),
        z
          .string("must be an absolute folder path, or off (false) for none")
          .refine(
            (v) => path.isAbsolute(v),
            "must be an absolute folder path, or off (false) for none",
          ),
      ]),
      onRequest: fn<(event: RequestEvent) => void>(),
    } satisfies Record<keyof NexudusClientOptions, z.ZodType>;
  }
  return () => (rules ??= build());
})();

const optionsSchema = (() => {
  let schema: z.ZodType | undefined;
  return () =>
    (schema ??= z.strictObject(
      Object.fromEntries(
        Object.entries(optionRules()).map(([key, rule]) => [key, rule.optional()]),
      ),
    ));
})();

/** The rule of one option that `value` breaks, or undefined when it keeps them all. */
export function optionProblem(key: keyof NexudusClientOptions, value: unknown): string | undefined {
  const r = optionRules()[key].safeParse(value);
  return r.success ? undefined : (r.error.issues[0]?.message ?? "is invalid");
}

const named = (key: string): string => `option "${key}"`;

function checkBaseUrl(raw: string): { baseUrl: string; origin: string } {
  const r = baseUrlRule(raw);
  if (r.ok) return r;
  const rule = `${BASE_URL_RULES[r.problem]}; got ${shownBaseUrl(raw)}`;
  throw optionError("baseUrl", `NexudusClient ${named("baseUrl")} ${rule}`, rule);
}

/**
 * Checks client options and applies defaults; throws {@link NexudusConfigError} naming the
 * option and the rule.
 */
export function resolveOptions(opts: NexudusClientOptions): ResolvedOptions {
  if (opts === null || typeof opts !== "object") {
    throw optionError("options", "NexudusClient options must be an object");
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
      throw optionError(
        key,
        `NexudusClient has no option "${key}" (known: ${Object.keys(optionRules()).join(", ")})`,
      );
    }
    const key = String(issue?.path[0] ?? "options");
    const secret = key === "token" || key === "password";
    const got = secret ? "" : ` (got ${JSON.stringify(defined[key]) ?? String(defined[key])})`;
    const rule = `${issue?.message ?? "is invalid"}${got}`;
    throw optionError(key, `NexudusClient ${named(key)} ${rule}`, rule);
  }
  const o = parsed.data as NexudusClientOptions;
  const { baseUrl, origin } = checkBaseUrl(o.baseUrl ?? DEFAULT_BASE_URL);

  let credential: ResolvedOptions["credential"];
  if (o.token !== undefined) {
    if (o.username !== undefined || o.password !== undefined) {
      throw optionError(
        "token",
        `NexudusClient takes either ${named("token")} or ${named("username")} and ` +
          `${named("password")}, not both`,
      );
    }
    credential = { kind: "token", token: o.token };
  } else if (o.username !== undefined || o.password !== undefined) {
    if (o.username === undefined || o.password === undefined) {
      const missing = o.username === undefined ? "username" : "password";
      throw optionError(
        missing,
        `NexudusClient needs ${named("username")} and ${named("password")} together: ` +
          `${named(missing)} is missing`,
      );
    }
    credential = { kind: "password", username: o.username, password: o.password };
  } else {
    throw optionError(
      "token",
      `NexudusClient needs credentials: give the option "token", or "username" and "password"`,
    );
  }
  return {
    baseUrl,
    origin,
    credential,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxRetries: o.maxRetries ?? DEFAULT_MAX_RETRIES,
    maxThrottleRetries: o.maxThrottleRetries ?? DEFAULT_MAX_THROTTLE_RETRIES,
    maxWaitMs: o.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    onNotice: o.onNotice ?? ((message) => process.stderr.write(`${message}\n`)),
    timeFactor: o.timeFactor ?? 1,
    rateLimit: o.rateLimit ?? true,
    callHistory: o.callHistory ?? defaultHistoryDir(),
    ...(o.onRequest ? { onRequest: o.onRequest } : {}),
  };
}
