/**
 * The rate limiter's vocabulary: the API's documented limits ({@link DOCUMENTED_LIMITS}), the
 * clock, the counters, a slot and the {@link Limiter} interface, the error of a spent budget
 * ({@link RateBudgetSpent}) and how a wait is said ({@link aboutDuration}). The scheduler is in
 * `./limiter.ts`.
 *
 * @module
 */

/** The API's documented per-user limits (before the time factor). */
export interface RateLimits {
  /** Minimum spacing between two requests, all methods (ms). */
  readonly minIntervalMs: number;
  /** Requests per minute, all methods. */
  readonly perMinute: number;
  /** Requests per hour, all methods. */
  readonly perHour: number;
  /** Writes (POST/PUT/DELETE) per minute. */
  readonly writesPerMinute: number;
  /** Writes (POST/PUT/DELETE) per day. */
  readonly writesPerDay: number;
}

/** The documented limits. (200,000 requests per day is implied by 5,000 per hour.) */
export const DOCUMENTED_LIMITS: RateLimits = Object.freeze({
  minIntervalMs: 100,
  perMinute: 120,
  perHour: 5000,
  writesPerMinute: 60,
  writesPerDay: 5000,
});

/**
 * The limits as a sentence says them: `1 request per 100 ms, 120 per minute and 5,000 per hour,
 * and 60 writes (POST/PUT/DELETE) per minute and 5,000 per day`.
 */
export function limitsText(limits: RateLimits = DOCUMENTED_LIMITS): string {
  const n = (v: number) => v.toLocaleString("en-US");
  return (
    `1 request per ${n(limits.minIntervalMs)} ms, ${n(limits.perMinute)} per minute and ` +
    `${n(limits.perHour)} per hour, and ${n(limits.writesPerMinute)} writes (POST/PUT/DELETE) ` +
    `per minute and ${n(limits.writesPerDay)} per day`
  );
}

/** Margin added to every computed wait (ms, not scaled), for clock rounding on either side. */
export const DEFAULT_SLACK_MS = 1;

/**
 * How long a request may stay unanswered before the limiter assumes it has reached the server
 * (ms, not scaled): a slow answer holds the next request back at most this long.
 */
export const DEFAULT_MAX_IN_FLIGHT_MS = 500;

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Time source and sleeper, injected for tests. */
export interface LimiterClock {
  /** Current time in ms (monotonic). */
  now(): number;
  /** Resolves after `ms` milliseconds, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock: `performance.now()` and `setTimeout`. */
export const realClock: LimiterClock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

/** Counters of the limiter's waits, for benchmarks. */
export interface LimiterStats {
  /** Slots granted. */
  acquired: number;
  /** Slots that had to wait (granted later than requested). */
  waits: number;
  /** Total time spent waiting, in ms. */
  totalWaitMs: number;
  /** Longest single wait, in ms. */
  maxWaitMs: number;
}

/** What one request asks of the limiter besides a slot. */
export interface AcquireOptions {
  /**
   * The longest window wait this request accepts, in ms (already × time factor): a longer one
   * rejects it at once with a {@link RateBudgetSpent}. Holds after throttles are not counted
   * (each is capped at a minute). Default: no bound.
   */
  maxWaitMs?: number;
  /** Told, once per wait, when the limiter holds requests longer than {@link NOTICE_AFTER_MS}. */
  notify?: (message: string) => void;
}

/**
 * A limit is spent for longer than the request's `maxWaitMs`: the request was not sent. Carries
 * what the message says, for the client's error.
 */
export class RateBudgetSpent extends Error {
  override readonly name = "RateBudgetSpent";
  constructor(
    /** The limit, e.g. "the 5,000 writes per day limit". */
    readonly limit: string,
    /** Calls the limit counted in its window when the request asked. */
    readonly count: number,
    /** When the limit lets the request go (epoch ms). */
    readonly freesAt: number,
    /** How long that is from now, in ms. */
    readonly waitMs: number,
    /** The bound it exceeds, in ms. */
    readonly maxWaitMs: number,
  ) {
    super(
      `${limit} is spent (${count.toLocaleString("en-US")} counted) until ` +
        `${new Date(freesAt).toISOString()}, in about ${aboutDuration(waitMs)}`,
    );
  }
}

/** A duration as a person reads it: "21 h 5 min", "4 min 10 s", "12 s". */
export function aboutDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return ms > 0 && s === 0 ? "under a second" : `${s} s`;
}

/**
 * A hold longer than this (ms before the time factor) is said once through `notify`: a few
 * seconds, past which a run that prints nothing looks stuck.
 */
export const NOTICE_AFTER_MS = 5_000;

/** A granted slot: report when the request's answer (or failure) came back. */
export interface Slot {
  /**
   * Marks the request as answered (idempotent). `throttled`: the answer was a throttle (it does
   * not end a throttle episode).
   */
  done(throttled?: boolean): void;
}

/** What the client needs from a limiter (kept minimal so copies of this module interoperate). */
export interface Limiter {
  /**
   * Resolves when a request of this kind may be sent, and takes the slot; rejects with a
   * {@link RateBudgetSpent} when the wait would exceed `opts.maxWaitMs`.
   */
  acquire(write: boolean, opts?: AcquireOptions): Promise<Slot>;
  /**
   * The request of `slot` was throttled (409 with `Retry-After`) although the limiter let it go:
   * holds every request for a while; returns the hold in ms.
   */
  throttled?(slot: Slot, retryAfterMs: number): number;
}
