/**
 * Redaction of credentials: the one place that keeps tokens and passwords out of error messages,
 * `toString()`, `stack`, `JSON.stringify(error)` and `onRequest` events.
 *
 * Two layers:
 * - every credential the client handles (token, password, access and refresh tokens) is registered
 *   here, in a process-wide registry, and any occurrence of it (raw, URL-encoded, form-encoded or
 *   JSON-escaped) is replaced;
 * - patterns that look like credentials (`Bearer …`, `Basic …`, `access_token=…`,
 *   `"password": "…"`) are replaced even when the value was never registered.
 *
 * @module
 */
import { processWide } from "./processWide";

/** What a credential is replaced with. */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are not matched as substrings (they would mangle ordinary text). */
const MIN_SECRET_LENGTH = 4;
/** The registry keeps at most this many strings (old renewed tokens are dropped first). */
const MAX_SECRETS = 2000;

/** The process-wide registry, shared by every loaded copy of this module. */
function registry(): Set<string> {
  return processWide("pulumi-nexudus.redact.secrets.v1", () => new Set<string>());
}

/** The forms a secret can take in text we might print: raw, URL/form-encoded, JSON-escaped. */
function variants(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(Buffer.from(secret, "utf8").toString("base64"));
  forms.add(JSON.stringify(secret).slice(1, -1).replace(/\//g, "\\/")); // "https:\/\/..."
  forms.add(secret.replace(/&/g, "&amp;")); // quoted in HTML
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/**
 * Registers a credential so that {@link redact} removes it from any text. Call it as soon as a
 * secret enters the process (options, environment, token responses). Empty and very short values
 * are ignored.
 */
export function registerSecret(secret: string | undefined | null): void {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return;
  addAll(registry(), variants(secret), MAX_SECRETS);
}

/** The URL registry keeps at most this many strings (oldest dropped first). */
const MAX_URL_SECRETS = 50_000;

/** The process-wide registry of webhook URL parts (kept apart so they never evict credentials). */
function urlRegistry(): Set<string> {
  return processWide("pulumi-nexudus.redact.urls.v1", () => new Set<string>());
}

/** Adds `forms` to `set` (as the newest), then drops the oldest beyond `max`. */
function addAll(set: Set<string>, forms: Iterable<string>, max: number): void {
  for (const form of forms) {
    set.delete(form);
    set.add(form);
  }
  while (set.size > max) {
    const oldest = set.values().next().value;
    if (oldest === undefined) break;
    set.delete(oldest);
  }
}

/** A URL piece worth hiding: long enough, and token-like (letters and digits, or long). */
function tokenLike(piece: string): boolean {
  return (piece.length >= 8 && /\d/.test(piece) && /[a-z]/i.test(piece)) || piece.length >= 20;
}

/**
 * Registers a webhook URL (which may be a secret: the provider cannot tell) so that
 * {@link redact} removes it from any text, including text quoted by the API: the whole URL (as
 * given and as a URL parser writes it), its user and password, its query values and its
 * token-like path segments. Call it whenever a URL enters the provider.
 */
export function registerUrlSecret(url: unknown): void {
  if (typeof url !== "string" || url.length < MIN_SECRET_LENGTH) return;
  const pieces = new Set<string>([url]);
  try {
    const u = new URL(url);
    pieces.add(u.href);
    const user = decodeURIComponentSafe(u.username);
    const password = decodeURIComponentSafe(u.password);
    if (password) {
      pieces.add(password);
      pieces.add(u.password);
      pieces.add(`${u.username}:${u.password}`);
    }
    if (user && tokenLike(user)) pieces.add(user);
    for (const value of u.searchParams.values())
      if (tokenLike(value) || value.length >= 6) pieces.add(value);
    for (const segment of u.pathname.split("/")) {
      const s = decodeURIComponentSafe(segment);
      if (tokenLike(s)) pieces.add(s);
    }
  } catch {
    // not a URL: the whole value is registered
  }
  addAll(urlRegistry(), [...pieces].flatMap(variants), MAX_URL_SECRETS);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const PATTERNS: readonly [RegExp, string][] = [
  // The credential part of any URL (`https://user:pass@host`).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi, `$1${REDACTED}@`],
  // Query parameters whose name says they hold a credential (`?key=...`, `&sig=...`).
  [
    /([?&;](?:[\w.-]*?(?:key|token|secret|sig|signature|pass|password|pwd|auth|code|credential)[\w.-]*)=)[^&#\s"'<>]+/gi,
    `$1${REDACTED}`,
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/\b(access_token|refresh_token|password|token)=([^&\s"']*)/gi, `$1=${REDACTED}`],
  [
    /("(?:access_token|refresh_token|password|token|authorization)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
    `$1"${REDACTED}"`,
  ],
  [/\b(authorization)(\s*[:=]\s*)(?:(?:Bearer|Basic)\s+)?[^\s,;}"']+/gi, `$1$2${REDACTED}`],
];

/** Returns `text` with every registered credential and every credential-like pattern replaced. */
export function redact(text: string): string {
  let out = text;
  const secrets = [...registry(), ...urlRegistry()].sort((a, b) => b.length - a.length);
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** {@link redact} for optional text: keeps `undefined` as it is. */
export function redactOptional(text: string | undefined): string | undefined {
  return text === undefined ? undefined : redact(text);
}
