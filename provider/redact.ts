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

/** What a credential is replaced with. */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are not matched as substrings (they would mangle ordinary text). */
const MIN_SECRET_LENGTH = 4;
/** The registry keeps at most this many strings (old renewed tokens are dropped first). */
const MAX_SECRETS = 2000;

const REGISTRY_KEY = Symbol.for("pulumi-nexudus.redact.secrets.v1");

/** The process-wide registry, shared by every loaded copy of this module. */
function registry(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  let set = holder[REGISTRY_KEY];
  if (!set) {
    set = new Set<string>();
    holder[REGISTRY_KEY] = set;
  }
  return set;
}

/** The forms a secret can take in text we might print: raw, URL/form-encoded, JSON-escaped. */
function variants(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(encodeURIComponent(secret));
  forms.add(new URLSearchParams({ s: secret }).toString().slice(2));
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(Buffer.from(secret, "utf8").toString("base64"));
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

/**
 * Registers a credential so that {@link redact} removes it from any text. Call it as soon as a
 * secret enters the process (options, environment, token responses). Empty and very short values
 * are ignored.
 */
export function registerSecret(secret: string | undefined | null): void {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) return;
  const set = registry();
  for (const form of variants(secret)) {
    set.delete(form);
    set.add(form);
  }
  while (set.size > MAX_SECRETS) {
    const oldest = set.values().next().value;
    if (oldest === undefined) break;
    set.delete(oldest);
  }
}

const PATTERNS: readonly [RegExp, string][] = [
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
  const secrets = [...registry()].sort((a, b) => b.length - a.length);
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
