/**
 * The client's options: their types, defaults and checks ({@link resolveOptions}), and the
 * environment variables `NexudusClient.fromEnv` reads ({@link optionsFromEnv}). The names, the
 * reader of the environment and the base-URL rule are those of `./config`; the wording here is
 * the client's (`NexudusClient option "baseUrl" ...`).
 *
 * @module
 */
import * as path from "node:path";
import { z } from "zod";
import { defaultHistoryDir } from "./callHistory";
import {
  baseUrlRule,
  DEFAULT_BASE_URL,
  readSources,
  settingNames,
  SETTINGS,
  type BaseUrlProblem,
  type Setting,
} from "./config";
import { NexudusConfigError } from "./errors";
import { redact, registerSecret } from "./redact";
import type { Route } from "./routes";

export { DEFAULT_BASE_URL, isLoopbackHost } from "./config";
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
   * (provider/callHistory.ts).
   */
  callHistory?: string | false;
  /** Called after every attempt, for logging and metrics; exceptions it throws are ignored. */
  onRequest?: (event: RequestEvent) => void;
}

/** A client option error; the message is redacted (it may quote a value). */
function optionError(option: string, message: string): NexudusConfigError {
  const setting = (Object.keys(SETTINGS) as Setting[]).find(
    (s) => s === option || SETTINGS[s].envVar === option,
  );
  return new NexudusConfigError(
    option,
    redact(message),
    setting !== undefined ? settingNames(setting) : undefined,
  );
}

type OptionKey = keyof NexudusClientOptions;

/** The environment variable behind each option read by `NexudusClient.fromEnv` (from `SETTINGS`). */
export const ENV_VARS = {
  baseUrl: SETTINGS.baseUrl.envVar,
  token: SETTINGS.token.envVar,
  username: SETTINGS.username.envVar,
  password: SETTINGS.password.envVar,
  timeoutMs: SETTINGS.timeoutMs.envVar,
  maxRetries: SETTINGS.maxRetries.envVar,
  maxThrottleRetries: SETTINGS.maxThrottleRetries.envVar,
  maxWaitMs: SETTINGS.maxWaitMs.envVar,
  timeFactor: SETTINGS.timeFactor.envVar,
  rateLimit: SETTINGS.rateLimit.envVar,
  callHistory: SETTINGS.callHistory.envVar,
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
  readonly maxWaitMs: number;
  readonly onNotice: (message: string) => void;
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
      maxWaitMs: int().min(0, "must be >= 0").max(86_400_000, "must be <= 86400000").optional(),
      onNotice: z
        .custom<(message: string) => void>((v) => typeof v === "function", "must be a function")
        .optional(),
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

/** The client's wording of each base-URL problem (`shown` is the quoted URL). */
const BASE_URL_WORDING: Record<BaseUrlProblem, (shown: string) => string> = {
  notAbsolute: (shown) => `must be an absolute URL such as ${DEFAULT_BASE_URL} (got ${shown})`,
  credentials: () => "must not contain credentials: use the token or username/password options",
  plainHttp: (shown) =>
    `must use https:// (http:// is only allowed for loopback hosts: 127.0.0.0/8, localhost, ` +
    `[::1]) (got ${shown})`,
  scheme: (shown) => `must use https:// (got ${shown})`,
  query: (shown) => `must not have a query or fragment (got ${shown})`,
};

function checkBaseUrl(raw: string, name: string): { baseUrl: string; origin: string } {
  const r = baseUrlRule(raw);
  if (r.ok) return r;
  const shown = raw.includes("@") ? "(a URL with credentials)" : JSON.stringify(raw);
  const rule = BASE_URL_WORDING[r.problem](shown);
  throw new NexudusConfigError("baseUrl", redact(`NexudusClient ${name} ${rule}`), {
    ...settingNames("baseUrl"),
    rule: redact(rule),
  });
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
        `NexudusClient has no option "${key}" (known: ${Object.keys(optionsSchema().shape).join(", ")})`,
      );
    }
    const key = String(issue?.path[0] ?? "options") as OptionKey;
    const secret = key === "token" || key === "password";
    const got = secret ? "" : ` (got ${JSON.stringify(defined[key]) ?? String(defined[key])})`;
    throw optionError(key, `NexudusClient ${nameOf(key)} ${issue?.message ?? "is invalid"}${got}`);
  }
  const o = parsed.data;
  const { baseUrl, origin } = checkBaseUrl(o.baseUrl ?? DEFAULT_BASE_URL, nameOf("baseUrl"));

  let credential: ResolvedOptions["credential"];
  if (o.token !== undefined) {
    if (o.username !== undefined || o.password !== undefined) {
      throw optionError(
        "token",
        `NexudusClient takes either ${nameOf("token")} or ${nameOf("username")} and ` +
          `${nameOf("password")}, not both`,
      );
    }
    credential = { kind: "token", token: o.token };
  } else if (o.username !== undefined || o.password !== undefined) {
    if (o.username === undefined || o.password === undefined) {
      const missing: OptionKey = o.username === undefined ? "username" : "password";
      throw optionError(
        missing,
        `NexudusClient needs ${nameOf("username")} and ${nameOf("password")} together: ` +
          `${nameOf(missing)} is missing`,
      );
    }
    credential = { kind: "password", username: o.username, password: o.password };
  } else {
    throw optionError(
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
    maxWaitMs: o.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    onNotice: o.onNotice ?? ((message) => process.stderr.write(`${message}\n`)),
    timeFactor: o.timeFactor ?? 1,
    rateLimit: o.rateLimit ?? true,
    callHistory: o.callHistory ?? defaultHistoryDir(),
    ...(o.onRequest ? { onRequest: o.onRequest } : {}),
  };
}

/** Reads the client's options from environment variables (see {@link ENV_VARS}). */
function optionsFromEnv(env: Record<string, string | undefined>): NexudusClientOptions {
  const raw = readSources({ env });
  const read = (key: keyof typeof ENV_VARS): string | undefined => {
    const v = raw[key];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const num = (
    key: "timeoutMs" | "maxRetries" | "maxThrottleRetries" | "maxWaitMs" | "timeFactor",
  ): number | undefined => {
    const v = read(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) {
      throw optionError(
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
    const v = raw[key];
    if (v !== undefined) out[key] = v;
  }
  const timeoutMs = num("timeoutMs");
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  const maxRetries = num("maxRetries");
  if (maxRetries !== undefined) out.maxRetries = maxRetries;
  const maxThrottleRetries = num("maxThrottleRetries");
  if (maxThrottleRetries !== undefined) out.maxThrottleRetries = maxThrottleRetries;
  const maxWaitMs = num("maxWaitMs");
  if (maxWaitMs !== undefined) out.maxWaitMs = maxWaitMs;
  const timeFactor = num("timeFactor");
  if (timeFactor !== undefined) out.timeFactor = timeFactor;
  const rate = read("rateLimit")?.toLowerCase();
  if (rate !== undefined) {
    if (["off", "false", "0", "no"].includes(rate)) out.rateLimit = false;
    else if (["on", "true", "1", "yes"].includes(rate)) out.rateLimit = true;
    else {
      throw optionError(
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
      throw optionError(
        ENV_VARS.callHistory,
        `${ENV_VARS.callHistory} must be an absolute folder path or "off" (got ${JSON.stringify(history)})`,
      );
    }
  }
  return out;
}

/**
 * The options of `NexudusClient.fromEnv`: the environment's (see {@link optionsFromEnv}) under
 * `overrides`; a credential in `overrides` hides the environment's. Checked here, so that an
 * error names the variable when the value came from the environment.
 */
export function envOptions(
  env: Record<string, string | undefined>,
  overrides: NexudusClientOptions,
): NexudusClientOptions {
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
    key in given || !(key in ENV_VARS) ? defaultName(key) : ENV_VARS[key as keyof typeof ENV_VARS];
  resolveOptions(merged, nameOf);
  return merged;
}
