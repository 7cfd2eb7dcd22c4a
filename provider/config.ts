/**
 * Configuration, in one place: every setting with the names it has in each front end
 * ({@link SETTINGS}: stack config key, environment variable, CLI flag), one reader of the sources
 * ({@link readSources}: CLI flags, then stack config, then the environment), one zod schema of
 * the settings ({@link readSettings}), one base-URL rule ({@link baseUrlRule}) and the config
 * errors, which carry `{setting, configKey, envVar, flag}` so that each front end words them
 * ({@link describeConfigError}: the provider names `nexudus:*` keys, the CLI its flags).
 *
 * The client's own options (`new NexudusClient({...})`, `NexudusClient.fromEnv`) are typed values
 * checked in `./options`, with this module's names, reader and base-URL rule.
 *
 * @module
 */
import * as path from "node:path";
import { z } from "zod";
import { NexudusConfigError, type SettingNames } from "./errors";
import { levenshtein } from "./levenshtein";
import type { NexudusClientOptions } from "./options";
import { REFRESH_MODES, type RefreshMode } from "./readCache";
import { registerSecret } from "./redact";

/** The production API. */
export const DEFAULT_BASE_URL = "https://spaces.nexudus.com";

/**
 * Every setting and its names: the stack config key (settings the provider reads from the stack),
 * the environment variable (all of them) and the CLI flag (the connection settings).
 */
export const SETTINGS = {
  baseUrl: { configKey: "nexudus:baseUrl", envVar: "NEXUDUS_BASE_URL", flag: "base-url" },
  token: { configKey: "nexudus:token", envVar: "NEXUDUS_TOKEN", flag: "token" },
  username: { configKey: "nexudus:username", envVar: "NEXUDUS_USERNAME", flag: "username" },
  password: { configKey: "nexudus:password", envVar: "NEXUDUS_PASSWORD", flag: "password" },
  timeoutMs: { configKey: "nexudus:timeoutMs", envVar: "NEXUDUS_TIMEOUT_MS" },
  maxRetries: { configKey: "nexudus:maxRetries", envVar: "NEXUDUS_MAX_RETRIES" },
  refreshMode: { configKey: "nexudus:refreshMode", envVar: "NEXUDUS_REFRESH_MODE" },
  maxWaitMs: { configKey: "nexudus:maxWaitMs", envVar: "NEXUDUS_MAX_WAIT_MS" },
  maxThrottleRetries: { envVar: "NEXUDUS_MAX_THROTTLE_RETRIES" },
  timeFactor: { envVar: "NEXUDUS_TIME_FACTOR" },
  rateLimit: { envVar: "NEXUDUS_RATE_LIMIT" },
  callHistory: { envVar: "NEXUDUS_CALL_HISTORY" },
} as const satisfies Record<string, { configKey?: string; envVar: string; flag?: string }>;

/** A setting's name in {@link SETTINGS}. */
export type Setting = keyof typeof SETTINGS;

const CREDENTIALS = ["token", "username", "password"] as const satisfies readonly Setting[];

/** The names of one setting, as a config error carries them. */
export function settingNames(setting: Setting): SettingNames {
  return { setting, ...SETTINGS[setting] };
}

// ---- sources -----------------------------------------------------------------------------------

/** Where settings are read from; the first that gives a non-empty value wins, in this order. */
export interface SettingSources {
  /** CLI flags by flag name (`base-url`, `token`...). A credential flag hides the environment's credentials. */
  flags?: Readonly<Record<string, string | undefined>>;
  /** A stack config getter (`nexudus:*` keys), e.g. `req.config.get`. */
  config?: (key: string) => string | undefined;
  /** The environment (`NEXUDUS_*`). */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Every key of the stack config, when the front end can list them (the engine hands a dynamic
   * provider the whole stack config): a key in the `nexudus:` namespace that is no setting's is
   * refused (see {@link unknownConfigKeyError}). Keys of other namespaces are not ours.
   */
  configKeys?: readonly string[];
}

/** Each setting's raw text (non-empty, untrimmed), from the first source that has it. */
export type RawSettings = Partial<Record<Setting, string>>;

/**
 * The one reader of the sources: flag, then stack config key, then environment variable. When a
 * credential flag is given, the environment's credentials are ignored, so that `--username` and
 * `--password` are not shadowed by a `NEXUDUS_TOKEN` in the environment.
 */
export function readSources(sources: SettingSources): RawSettings {
  const { flags = {}, config, env = {} } = sources;
  const given = (v: string | undefined): v is string => v !== undefined && v !== "";
  const credentialFlag = CREDENTIALS.some((s) => given(flags[SETTINGS[s].flag]));
  const raw: RawSettings = {};
  for (const setting of Object.keys(SETTINGS) as Setting[]) {
    const names: { configKey?: string; envVar: string; flag?: string } = SETTINGS[setting];
    const fromEnv =
      credentialFlag && (CREDENTIALS as readonly Setting[]).includes(setting)
        ? undefined
        : env[names.envVar];
    const value = [
      names.flag !== undefined ? flags[names.flag] : undefined,
      names.configKey !== undefined ? config?.(names.configKey) : undefined,
      fromEnv,
    ].find(given);
    if (value !== undefined) raw[setting] = value;
  }
  return raw;
}

// ---- config keys -------------------------------------------------------------------------------

/** The stack config namespace of the provider's settings. */
export const CONFIG_NAMESPACE = "nexudus";

/** Every stack config key the provider reads, from {@link SETTINGS} (a new setting is known at once). */
export const KNOWN_CONFIG_KEYS: readonly string[] = Object.values(SETTINGS).flatMap((names) =>
  "configKey" in names ? [names.configKey] : [],
);

/** Whether a stack config key is in the provider's namespace (`nexudus:`, in any case). */
export function isOwnConfigKey(key: string): boolean {
  const colon = key.indexOf(":");
  return colon >= 0 && key.slice(0, colon).toLowerCase() === CONFIG_NAMESPACE;
}

/** The known key a mistyped one most likely meant: same letters in another case, or a near miss. */
export function suggestConfigKey(key: string): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = KNOWN_CONFIG_KEYS.find((k) => k.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  const name = lower.slice(lower.indexOf(":") + 1);
  let best: { key: string; distance: number } | undefined;
  for (const known of KNOWN_CONFIG_KEYS) {
    const distance = levenshtein(name, known.slice(known.indexOf(":") + 1).toLowerCase());
    if (!best || distance < best.distance) best = { key: known, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.key : undefined;
}

/**
 * The error for the first key of the `nexudus:` namespace that is no setting's (a typo such as
 * `nexudus:tokn` or `nexudus:baseurl` would otherwise be ignored, and the environment's token
 * and address used instead), or undefined when every such key is known. The value is never
 * quoted (it may be a secret).
 */
export function unknownConfigKeyError(
  keys: readonly string[],
): NexudusProviderConfigError | undefined {
  const unknown = keys.find((k) => isOwnConfigKey(k) && !KNOWN_CONFIG_KEYS.includes(k));
  if (unknown === undefined) return undefined;
  const suggestion = suggestConfigKey(unknown);
  const hint =
    suggestion === undefined
      ? ""
      : suggestion.toLowerCase() === unknown.toLowerCase()
        ? `; did you mean ${suggestion}? (keys are case-sensitive)`
        : `; did you mean ${suggestion}?`;
  const rule =
    `is not a setting of the Nexudus provider${hint || "."} Known keys: ${KNOWN_CONFIG_KEYS.join(", ")}. ` +
    `Nothing was sent. Fix it with \`pulumi config rm ${unknown}\` and set the right key.`;
  return new NexudusProviderConfigError(unknown, `${unknown} ${rule}`, {
    setting: unknown,
    configKey: unknown,
    rule,
  });
}

// ---- the base URL ------------------------------------------------------------------------------

/** Whether a URL hostname is a loopback host (127.0.0.0/8, localhost, [::1]). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return (
    h === "localhost" || h === "[::1]" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/** Why a base URL is refused (each front end words it). */
export type BaseUrlProblem = "notAbsolute" | "credentials" | "plainHttp" | "scheme" | "query";

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

/** The settings' wording of each base-URL problem (`{token}`... name other settings). */
const BASE_URL_RULES: Record<BaseUrlProblem, string> = {
  notAbsolute: `must be an absolute URL such as ${DEFAULT_BASE_URL}`,
  credentials: "must not contain a user or password (use {token}, or {username} and {password})",
  plainHttp:
    "must use https:// (plain http:// is allowed only on loopback, e.g. the local emulator)",
  scheme: "must be an https:// URL",
  query: "must not have a query or fragment",
};

/** Registers the password (and user:password) of a base URL as secrets, if it has any. */
function registerBaseUrlCredentials(value: string): void {
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

/** Why a base URL is refused (the settings' wording), or undefined when it is fine. */
export function baseUrlProblem(value: string): string | undefined {
  const r = baseUrlRule(value);
  return r.ok ? undefined : `${BASE_URL_RULES[r.problem]}; got ${shownBaseUrl(value)}`;
}

// ---- the settings ------------------------------------------------------------------------------

/** Settings after reading the sources. Holds secrets: never log it. */
export interface ProviderSettings {
  baseUrl: string;
  token?: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
  maxRetries?: number;
  /**
   * How refresh reads webhooks: `account` (default: the account-wide search pages, shared by the
   * host's reads), `search` (one shared search page per location) or `get` (one GET each); the
   * page modes make a GET only where a row cannot tell (see `readCache.ts`).
   */
  refreshMode?: RefreshMode;
  /** The longest wait for the rate budget before a call fails (ms, × time factor). */
  maxWaitMs?: number;
  /** Tuning, from the environment only. */
  maxThrottleRetries?: number;
  timeFactor?: number;
  rateLimit?: boolean;
  callHistory?: string | false;
}

/**
 * A configuration problem of the stack config, the environment or the CLI flags. The message
 * is the provider's wording (`nexudus:token (or NEXUDUS_TOKEN) ...`); the CLI words it with its
 * flags through {@link describeConfigError}.
 */
export class NexudusProviderConfigError extends NexudusConfigError {
  override readonly name: string = "NexudusProviderConfigError";
}

/** The rule of missing credentials (no setting names it alone). */
export const MISSING_CREDENTIALS_RULE = "credentials are missing";

/** The message for missing credentials: which config keys or variables to set. */
export const MISSING_CREDENTIALS =
  "Nexudus credentials are missing: set a token with `pulumi config set --secret nexudus:token <token>` " +
  "(or the NEXUDUS_TOKEN environment variable), or a user with nexudus:username and " +
  "`pulumi config set --secret nexudus:password <password>` (or NEXUDUS_USERNAME and NEXUDUS_PASSWORD)";

const OFF = ["off", "false", "0", "no"];
const ON = ["on", "true", "1", "yes"];

/** Issue with a rule for the setting at `path[0]` (other settings as `{name}` placeholders). */
function issue(ctx: z.RefinementCtx, rule: string): typeof z.NEVER {
  ctx.addIssue({ code: "custom", message: rule });
  return z.NEVER;
}

const text = () => z.string().optional();

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return text().transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min} to ${max}`;
      return issue(ctx, `must be a whole number of ${range}; got ${JSON.stringify(raw)}`);
    }
    return n;
  });
}

/** The schema of the settings, from their raw texts. */
const settingsSchema = (() => {
  let schema: ReturnType<typeof build> | undefined;
  function build() {
    return z
      .object({
        baseUrl: text().transform((raw, ctx) => {
          const value = (raw ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
          registerBaseUrlCredentials(value); // a password in it never reaches a message
          const problem = baseUrlProblem(value);
          return problem === undefined ? value : issue(ctx, problem);
        }),
        token: text().transform((raw, ctx) =>
          raw !== undefined && /\s/.test(raw.trim())
            ? issue(ctx, "must be a single bearer token without spaces")
            : raw?.trim(),
        ),
        username: text(),
        password: text(),
        timeoutMs: wholeNumber(1),
        maxRetries: wholeNumber(0),
        refreshMode: text().transform((raw, ctx) => {
          const mode = raw?.trim().toLowerCase();
          if (mode === undefined || (REFRESH_MODES as readonly string[]).includes(mode)) {
            return mode as RefreshMode | undefined;
          }
          return issue(
            ctx,
            `must be one of ${REFRESH_MODES.join(", ")}; got ${JSON.stringify(raw)}`,
          );
        }),
        maxThrottleRetries: wholeNumber(0, 200),
        maxWaitMs: wholeNumber(0, 86_400_000),
        timeFactor: text().transform((raw, ctx) => {
          if (raw === undefined) return undefined;
          const n = Number(raw.trim());
          return Number.isFinite(n) && n > 0 && raw.trim() !== ""
            ? n
            : issue(ctx, `must be a number greater than 0; got ${JSON.stringify(raw)}`);
        }),
        rateLimit: text().transform((raw, ctx) => {
          const v = raw?.trim().toLowerCase();
          if (v === undefined) return undefined;
          if (OFF.includes(v)) return false;
          if (ON.includes(v)) return true;
          return issue(ctx, `must be "off" or "on"; got ${JSON.stringify(raw)}`);
        }),
        callHistory: text().transform((raw, ctx) => {
          const v = raw?.trim();
          if (v === undefined) return undefined;
          if (OFF.includes(v.toLowerCase())) return false as const;
          return path.isAbsolute(v)
            ? v
            : issue(ctx, `must be an absolute folder path or "off"; got ${JSON.stringify(raw)}`);
        }),
      })
      .superRefine((s, ctx) => {
        if ((s.username === undefined) !== (s.password === undefined) && s.token === undefined) {
          ctx.addIssue({
            code: "custom",
            path: [s.username === undefined ? "username" : "password"],
            message: "is missing: {username} and {password} go together (or set {token} instead)",
          });
        }
      });
  }
  return () => (schema ??= build());
})();

/** How a front end names settings in its messages. */
export interface Wording {
  /** The setting a message is about, e.g. `nexudus:token (or NEXUDUS_TOKEN)`. */
  lead(names: SettingNames): string;
  /** Another setting a message mentions, e.g. `nexudus:token`. */
  ref(names: SettingNames): string;
}

/** The provider's wording: stack config keys, with the variable as fallback. */
export const PROVIDER_WORDING: Wording = {
  lead: (n) => (n.configKey ? `${n.configKey} (or ${n.envVar})` : (n.envVar ?? n.setting)),
  ref: (n) => n.configKey ?? n.envVar ?? n.setting,
};

/** A rule about `setting` in a front end's wording (`{token}`... name the other settings). */
function worded(setting: Setting, rule: string, wording: Wording): string {
  const filled = rule.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in SETTINGS ? wording.ref(settingNames(name as Setting)) : whole,
  );
  return `${wording.lead(settingNames(setting))} ${filled}`;
}

/**
 * A config error's message in a front end's wording (the CLI's is in `cli/connect.ts`). An error
 * without a rule about one setting (missing credentials, a client option) keeps its message.
 */
export function describeConfigError(e: NexudusConfigError, wording: Wording): string {
  if (
    e.rule === undefined ||
    e.rule === MISSING_CREDENTIALS_RULE ||
    e.setting === undefined ||
    !(e.setting in SETTINGS)
  ) {
    return e.message;
  }
  return worded(e.setting as Setting, e.rule, wording);
}

function configError(setting: Setting, rule: string): NexudusProviderConfigError {
  const names = settingNames(setting);
  return new NexudusProviderConfigError(
    names.configKey ?? names.envVar ?? setting,
    worded(setting, rule, PROVIDER_WORDING),
    { ...names, rule },
  );
}

/**
 * Reads and checks the settings from the sources (see {@link readSources}). Throws a
 * {@link NexudusProviderConfigError} naming the setting for a bad value. Missing credentials are
 * not an error here (a preview needs none); see {@link requireCredentials}.
 */
export function readSettings(sources: SettingSources): ProviderSettings {
  const unknownKey = unknownConfigKeyError(sources.configKeys ?? []);
  if (unknownKey) throw unknownKey;
  const parsed = settingsSchema().safeParse(readSources(sources));
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw configError(first.path[0] as Setting, first.message);
  }
  const s = parsed.data;
  const settings: ProviderSettings = { baseUrl: s.baseUrl };
  if (s.token !== undefined) settings.token = s.token;
  else if (s.username !== undefined && s.password !== undefined) {
    settings.username = s.username;
    settings.password = s.password;
  }
  for (const key of [
    "timeoutMs",
    "maxRetries",
    "refreshMode",
    "maxWaitMs",
    "maxThrottleRetries",
    "timeFactor",
    "rateLimit",
    "callHistory",
  ] as const) {
    if (s[key] !== undefined) (settings as unknown as Record<string, unknown>)[key] = s[key];
  }
  return settings;
}

/** The provider's reading: stack config first (`get`), then the environment. */
export function resolveSettings(
  get: (key: string) => string | undefined,
  env: Record<string, string | undefined> = process.env,
  configKeys: readonly string[] = [],
): ProviderSettings {
  return readSettings({ config: get, env, configKeys });
}

/** Throws the missing-credentials error when neither a token nor a user is configured. */
export function requireCredentials(settings: ProviderSettings): void {
  if (
    settings.token === undefined &&
    (settings.username === undefined || settings.password === undefined)
  ) {
    throw new NexudusProviderConfigError("nexudus:token", MISSING_CREDENTIALS, {
      ...settingNames("token"),
      rule: MISSING_CREDENTIALS_RULE,
    });
  }
}

/** The client options for these settings. */
export function clientOptions(settings: ProviderSettings): NexudusClientOptions {
  const { refreshMode: _mode, ...options } = settings;
  void _mode;
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as NexudusClientOptions;
}
