/**
 * The one retry policy of the client, as pure functions: which failures are retried, and how long
 * to wait before the next attempt.
 *
 * - Retried: a throttle (409 with `Retry-After`, waiting what it asks × time factor) for every
 *   call, because the server did nothing; and, for idempotent calls only (GET, PUT, DELETE, the
 *   token exchange), 5xx answers, connection resets/refusals and timeouts, with capped exponential
 *   backoff and full jitter (base 200 ms, cap 10 s, both × time factor).
 * - Never retried: a create (POST) after anything but a throttle, a 409 without `Retry-After`,
 *   any other 4xx, and answers that are not the documented shape unless their status is 5xx.
 *
 * @module
 */

/** Base of the exponential backoff, in ms (multiplied by the time factor). */
export const BACKOFF_BASE_MS = 200;
/** Cap of the exponential backoff, in ms (multiplied by the time factor). */
export const BACKOFF_CAP_MS = 10_000;

/** How an attempt failed, as far as the retry policy cares. */
export type FailureClass =
  | { kind: "throttle"; retryAfterMs: number }
  | { kind: "server" }
  | { kind: "connection"; transient: boolean }
  | { kind: "timeout" }
  | { kind: "final" };

/** The retry policy's parameters. */
export interface RetryPolicy {
  /** Retries allowed after the first attempt. */
  readonly maxRetries: number;
  /** Multiplies every wait (backoff base and cap, `Retry-After`). */
  readonly timeFactor: number;
  /** Source of randomness for the jitter, in [0, 1). */
  readonly random: () => number;
}

/**
 * The wait before the next attempt, in ms, or `undefined` when the failure must not be retried.
 *
 * @param policy - the policy.
 * @param failure - how the attempt failed.
 * @param attempt - the number of the attempt that failed (1 for the first).
 * @param idempotent - whether repeating the call is harmless (GET, PUT, DELETE, token exchange).
 */
export function retryDelay(
  policy: RetryPolicy,
  failure: FailureClass,
  attempt: number,
  idempotent: boolean,
): number | undefined {
  if (attempt > policy.maxRetries) return undefined;
  switch (failure.kind) {
    case "throttle":
      return Math.max(0, failure.retryAfterMs);
    case "server":
    case "timeout":
      return idempotent ? backoffDelay(policy, attempt) : undefined;
    case "connection":
      return idempotent && failure.transient ? backoffDelay(policy, attempt) : undefined;
    case "final":
      return undefined;
  }
}

/** Capped exponential backoff with full jitter: `random() × min(cap, base × 2^(attempt-1))`. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const base = BACKOFF_BASE_MS * policy.timeFactor;
  const cap = BACKOFF_CAP_MS * policy.timeFactor;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  return policy.random() * ceiling;
}

/**
 * The longest wait one `Retry-After` may ask for, in ms before the time factor: a minute, the
 * hold cap of the limiter (each throttled retry waits at most this long, and the throttle retries
 * are bounded, so a call never waits out a `Retry-After: 86400`).
 */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * What a `Retry-After` that is neither delta-seconds nor an HTTP date stands for, in ms before the
 * time factor: the API's own `Retry-After: 1`.
 */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

/**
 * A `Retry-After` header in ms, capped at {@link MAX_RETRY_AFTER_MS} × time factor:
 * delta-seconds multiplied by the time factor, or an HTTP date (not scaled, then capped); a value
 * that is neither is the API's documented `1` second. `undefined` when the header is absent or
 * empty (a 409 without it is a conflict, not a throttle).
 */
export function parseRetryAfter(
  header: string | undefined,
  timeFactor: number,
  now: number = Date.now(),
): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === "") return undefined;
  const cap = MAX_RETRY_AFTER_MS * timeFactor;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(cap, Number(text) * 1000 * timeFactor);
  // Date.parse reads many forms; an HTTP date names a weekday or a month (not a bare number).
  const date = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(date)) return Math.min(cap, DEFAULT_RETRY_AFTER_MS * timeFactor);
  return Math.min(cap, Math.max(0, date - now));
}

/** System error codes of transient connection failures, worth a retry on an idempotent call. */
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "EHOSTDOWN",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

/** Whether a connection error code is transient (worth retrying an idempotent call). */
export function isTransientCode(code: string): boolean {
  return TRANSIENT_CODES.has(code);
}

/**
 * Whether a connection failure with this code happened before the request reached the server,
 * so the server cannot have acted on it (refused connections, DNS failures).
 */
export function failedBeforeSending(code: string): boolean {
  return (
    code === "ECONNREFUSED" ||
    code === "ENOTFOUND" ||
    code === "EAI_AGAIN" ||
    code === "ENETUNREACH" ||
    code === "EHOSTUNREACH" ||
    code === "ERR_INVALID_URL"
  );
}
