/**
 * Configuration, in one place, for every front end (the provider's stack config, the environment,
 * the CLI's flags): every setting with its names ({@link SETTINGS}: stack config key, environment
 * variable, CLI flag), one reader of the sources ({@link readSources}: flags, then stack config,
 * then the environment), one schema ({@link readSettings}: each text read into the client's typed
 * option and checked by the client's own rules, `optionRules` and `baseUrlRule` in
 * `client/options.ts`), and one wording of its errors, which name the setting by all its names
 * (`nexudus:baseUrl (NEXUDUS_BASE_URL, --base-url) must use https://...`).
 *
 * @module
 */
import { z } from "zod";
import { NexudusConfigError, type SettingNames } from "../client/errors";
import { levenshtein } from "../client/levenshtein";
import {
  baseUrlProblem,
  DEFAULT_BASE_URL,
  optionProblem,
  registerBaseUrlCredentials,
  type NexudusClientOptions,
} from "../client/options";

export { DEFAULT_BASE_URL };

/**
 * How refresh reads webhooks (`nexudus:refreshMode`): `account` (default: the account-wide search
 * pages, shared by the host's reads), `search` (one search page per location) or `get` (one GET
 * per webhook).
 */
export const REFRESH_MODES = ["account", "get", "search"] as const;
/** One of {@link REFRESH_MODES}. */
export type RefreshMode = (typeof REFRESH_MODES)[number];
/** The refresh mode when none is configured. */
export const DEFAULT_REFRESH_MODE: RefreshMode = "account";

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
 * names the setting by every name it has (`nexudus:token (NEXUDUS_TOKEN, --token) ...`), the same
 * text in every front end; `configKey`, `envVar` and `flag` carry the names apart.
 */
export class NexudusProviderConfigError extends NexudusConfigError {
  override readonly name: string = "NexudusProviderConfigError";
}

/** The rule of missing credentials (no setting names it alone). */
export const MISSING_CREDENTIALS_RULE = "credentials are missing";

/** The message for missing credentials: which config keys, variables or flags to set. */
export const MISSING_CREDENTIALS =
  "Nexudus credentials are missing: set a token (nexudus:token, NEXUDUS_TOKEN or --token), or a user " +
  "and password (nexudus:username and nexudus:password, NEXUDUS_USERNAME and NEXUDUS_PASSWORD, or " +
  "--username and --password); in a stack: `pulumi config set --secret nexudus:token <token>`";

const OFF = ["off", "false", "0", "no"];
const ON = ["on", "true", "1", "yes"];

/** A setting by every name it has: `nexudus:baseUrl (NEXUDUS_BASE_URL, --base-url)`. */
export function settingLabel(setting: Setting): string {
  const n: { configKey?: string; envVar: string; flag?: string } = SETTINGS[setting];
  const others = [n.envVar, ...(n.flag !== undefined ? [`--${n.flag}`] : [])];
  return n.configKey !== undefined ? `${n.configKey} (${others.join(", ")})` : others.join(" or ");
}

/** Issue with a rule for the setting at `path[0]`. */
function issue(ctx: z.RefinementCtx, rule: string): typeof z.NEVER {
  ctx.addIssue({ code: "custom", message: rule });
  return z.NEVER;
}

const text = () => z.string().optional();

/** The text of a typed option, checked by the client's rule of that option. */
function typed<K extends keyof NexudusClientOptions>(
  key: K,
  parse: (raw: string) => unknown,
  expected: string,
) {
  return text().transform((raw, ctx) => {
    if (raw === undefined) return undefined;
    const value = parse(raw.trim());
    if (value === undefined) return issue(ctx, `must be ${expected}; got ${JSON.stringify(raw)}`);
    const problem = optionProblem(key, value);
    return problem === undefined
      ? (value as NonNullable<NexudusClientOptions[K]>)
      : issue(ctx, `${problem}; got ${JSON.stringify(raw)}`);
  });
}

const number = (raw: string): number | undefined => {
  const n = Number(raw);
  return raw !== "" && Number.isFinite(n) ? n : undefined;
};
const wholeNumber = (key: "timeoutMs" | "maxRetries" | "maxThrottleRetries" | "maxWaitMs") =>
  typed(key, number, "a whole number");

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
        timeoutMs: wholeNumber("timeoutMs"),
        maxRetries: wholeNumber("maxRetries"),
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
        maxThrottleRetries: wholeNumber("maxThrottleRetries"),
        maxWaitMs: wholeNumber("maxWaitMs"),
        timeFactor: typed("timeFactor", number, "a number greater than 0"),
        rateLimit: typed(
          "rateLimit",
          (raw) =>
            OFF.includes(raw.toLowerCase())
              ? false
              : ON.includes(raw.toLowerCase())
                ? true
                : undefined,
          '"off" or "on"',
        ),
        callHistory: typed(
          "callHistory",
          (raw) => (OFF.includes(raw.toLowerCase()) ? false : raw),
          'an absolute folder path or "off"',
        ),
      })
      .superRefine((s, ctx) => {
        if ((s.username === undefined) !== (s.password === undefined) && s.token === undefined) {
          const missing = s.username === undefined ? "username" : "password";
          ctx.addIssue({
            code: "custom",
            path: [missing],
            message:
              `is missing: ${settingLabel("username")} and ${settingLabel("password")} go ` +
              `together (or set ${settingLabel("token")} instead)`,
          });
        }
      });
  }
  return () => (schema ??= build());
})();

function configError(setting: Setting, rule: string): NexudusProviderConfigError {
  const names = settingNames(setting);
  return new NexudusProviderConfigError(
    names.configKey ?? names.envVar ?? setting,
    `${settingLabel(setting)} ${rule}`,
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

/** The client options for these settings (the plain object the client takes). */
export function clientOptions(settings: ProviderSettings): NexudusClientOptions {
  const { refreshMode: _mode, ...options } = settings;
  void _mode;
  return Object.fromEntries(
    Object.entries(options).filter(([, v]) => v !== undefined),
  ) as NexudusClientOptions;
}
