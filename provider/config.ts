/**
 * Provider configuration: the stack config (`nexudus:*`, read in `configure()`), with the
 * environment (`NEXUDUS_*`) as fallback. Pure: takes a getter and an environment.
 */

import type { NexudusClientOptions } from "./client";
import { REFRESH_MODES, type RefreshMode } from "./readCache";
import { registerSecret } from "./redact";

/** One setting: its stack config key and its environment variable. */
export const CONFIG_KEYS = {
  baseUrl: { key: "nexudus:baseUrl", env: "NEXUDUS_BASE_URL" },
  token: { key: "nexudus:token", env: "NEXUDUS_TOKEN" },
  username: { key: "nexudus:username", env: "NEXUDUS_USERNAME" },
  password: { key: "nexudus:password", env: "NEXUDUS_PASSWORD" },
  timeoutMs: { key: "nexudus:timeoutMs", env: "NEXUDUS_TIMEOUT_MS" },
  maxRetries: { key: "nexudus:maxRetries", env: "NEXUDUS_MAX_RETRIES" },
  refreshMode: { key: "nexudus:refreshMode", env: "NEXUDUS_REFRESH_MODE" },
} as const;

/** Default API address. */
export const DEFAULT_BASE_URL = "https://spaces.nexudus.com";

/** Provider settings after reading config and environment. Holds secrets: never log it. */
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
}

/** A configuration problem; the message names the key, the variable and the rule. */
export class NexudusProviderConfigError extends Error {
  override readonly name = "NexudusProviderConfigError";
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** A base URL as quoted in a message: never its user or password (nor a query, which may hold a key). */
export function shownBaseUrl(value: string): string {
  const noCredentials = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1[redacted]@");
  return JSON.stringify(noCredentials.replace(/[?#][\s\S]*$/, "?[redacted]"));
}

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

/** Why a base URL is refused, or undefined when it is fine. */
export function baseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute URL such as ${DEFAULT_BASE_URL}; got ${shownBaseUrl(value)}`;
  }
  if (url.username || url.password) {
    return `must not contain a user or password (use nexudus:token, or nexudus:username and nexudus:password); got ${shownBaseUrl(value)}`;
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && LOOPBACK.test(url.hostname)) return undefined;
  if (url.protocol === "http:") {
    return `must use https:// (plain http:// is allowed only on loopback, e.g. the local emulator); got ${shownBaseUrl(value)}`;
  }
  return `must be an https:// URL; got ${shownBaseUrl(value)}`;
}

function name(setting: keyof typeof CONFIG_KEYS): string {
  const { key, env } = CONFIG_KEYS[setting];
  return `${key} (or ${env})`;
}

function positiveInt(setting: "timeoutMs" | "maxRetries", raw: string | undefined, min: number) {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new NexudusProviderConfigError(
      `${name(setting)} must be a whole number of at least ${min}; got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/**
 * Reads the settings. `get` reads a stack config key (e.g. `req.config.get`), `env` the
 * environment. Throws a NexudusProviderConfigError naming the key and variable for a bad value.
 * Missing credentials are not an error here (a preview needs none); see `requireCredentials`.
 */
export function resolveSettings(
  get: (key: string) => string | undefined,
  env: Record<string, string | undefined> = process.env,
): ProviderSettings {
  const read = (setting: keyof typeof CONFIG_KEYS): string | undefined => {
    const { key, env: variable } = CONFIG_KEYS[setting];
    const fromConfig = get(key);
    const value = fromConfig !== undefined && fromConfig !== "" ? fromConfig : env[variable];
    return value === undefined || value === "" ? undefined : value;
  };
  const baseUrl = (read("baseUrl") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  registerBaseUrlCredentials(baseUrl); // a password in it never reaches a message
  const problem = baseUrlProblem(baseUrl);
  if (problem) throw new NexudusProviderConfigError(`${name("baseUrl")} ${problem}`);

  const token = read("token");
  const username = read("username");
  const password = read("password");
  if (token !== undefined && /\s/.test(token.trim())) {
    throw new NexudusProviderConfigError(
      `${name("token")} must be a single bearer token without spaces`,
    );
  }
  if ((username === undefined) !== (password === undefined) && token === undefined) {
    const missing = username === undefined ? "username" : "password";
    throw new NexudusProviderConfigError(
      `${name(missing)} is missing: nexudus:username and nexudus:password go together (or set nexudus:token instead)`,
    );
  }
  const settings: ProviderSettings = { baseUrl };
  if (token !== undefined) settings.token = token.trim();
  else if (username !== undefined && password !== undefined) {
    settings.username = username;
    settings.password = password;
  }
  const timeoutMs = positiveInt("timeoutMs", read("timeoutMs"), 1);
  if (timeoutMs !== undefined) settings.timeoutMs = timeoutMs;
  const maxRetries = positiveInt("maxRetries", read("maxRetries"), 0);
  if (maxRetries !== undefined) settings.maxRetries = maxRetries;
  const refreshMode = read("refreshMode")?.trim().toLowerCase();
  if (refreshMode !== undefined) {
    if (!(REFRESH_MODES as readonly string[]).includes(refreshMode)) {
      throw new NexudusProviderConfigError(
        `${name("refreshMode")} must be one of ${REFRESH_MODES.join(", ")}; got ${JSON.stringify(read("refreshMode"))}`,
      );
    }
    settings.refreshMode = refreshMode as RefreshMode;
  }
  return settings;
}

/** The message for missing credentials: which config keys or variables to set. */
export const MISSING_CREDENTIALS =
  "Nexudus credentials are missing: set a token with `pulumi config set --secret nexudus:token <token>` " +
  "(or the NEXUDUS_TOKEN environment variable), or a user with nexudus:username and " +
  "`pulumi config set --secret nexudus:password <password>` (or NEXUDUS_USERNAME and NEXUDUS_PASSWORD)";

/** Throws the missing-credentials error when neither a token nor a user is configured. */
export function requireCredentials(settings: ProviderSettings): void {
  if (
    settings.token === undefined &&
    (settings.username === undefined || settings.password === undefined)
  ) {
    throw new NexudusProviderConfigError(MISSING_CREDENTIALS);
  }
}

/** The client options for these settings (the client reads its tuning variables itself). */
export function clientOptions(settings: ProviderSettings): NexudusClientOptions {
  const { baseUrl, token, username, password, timeoutMs, maxRetries } = settings;
  return {
    baseUrl,
    ...(token !== undefined ? { token } : {}),
    ...(username !== undefined ? { username, password } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(maxRetries !== undefined ? { maxRetries } : {}),
  };
}
