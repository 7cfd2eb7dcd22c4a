/**
 * The limiter's timing rules, pure functions of their inputs: how far the jitter of recent round
 * trips may reach ({@link jitterWiden}) and how long a hold after an unpredicted throttle lasts
 * ({@link throttleHoldMs}).
 *
 * @module
 */
import { MAX_RETRY_AFTER_MS } from "../retry";

/** How many recent round trips the jitter margin looks at. */
export const RTT_SAMPLES = 32;

/** The fewest round trips the jitter margin is estimated from (fewer: calls count from answers). */
export const MIN_RTT_SAMPLES = 8;

/**
 * The chance {@link jitterWiden} allows that the jitter's range exceeds its bound: one estimate in
 * a thousand (and a throttle needs two calls at opposite ends of that range besides).
 */
export const JITTER_RISK = 0.001;

const widenings = new Map<number, number>();

/**
 * What the spread of `n` round trips is multiplied by to bound the whole range of the jitter
 * (n >= 2): 1 / q, where n uniform draws all fall within a share q of their range with chance
 * {@link JITTER_RISK} (n q^(n−1) − (n − 1) q^n = risk). 3.1 for 8 samples, 1.7 for 16, 1.3 for 32.
 */
export function jitterWiden(n: number): number {
  let widen = widenings.get(n);
  if (widen === undefined) {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 50; i++) {
      const q = (lo + hi) / 2;
      if (n * q ** (n - 1) - (n - 1) * q ** n < JITTER_RISK) lo = q;
      else hi = q;
    }
    widen = 1 / hi;
    widenings.set(n, widen);
  }
  return widen;
}

/** The recent round trips of one kind of call (reads or writes). */
export interface RttSamples {
  readonly n: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The longest hold after unpredicted throttles, in ms before the time factor (a minute window;
 * the cap of a `Retry-After` too).
 */
export const MAX_THROTTLE_HOLD_MS = MAX_RETRY_AFTER_MS;

/**
 * The hold after the `episode`-th throttle in a row that the limiter did not predict:
 * `Retry-After` doubled per episode, with up to 25% jitter so that two processes do not retry in
 * step, capped at {@link MAX_THROTTLE_HOLD_MS} × time factor (at the cap the jitter shortens the
 * hold instead); never below `Retry-After` (which the client has capped when it parsed it).
 */
export function throttleHoldMs(
  retryAfterMs: number,
  episode: number,
  timeFactor: number,
  random: () => number = Math.random,
): number {
  const base = Math.max(0, retryAfterMs);
  const cap = MAX_THROTTLE_HOLD_MS * timeFactor;
  const grown = base * 2 ** Math.max(0, Math.min(episode - 1, 20));
  const jitter = 0.25 * random();
  const held = Math.min(grown, cap) * (1 + jitter);
  return Math.max(base, held <= cap ? held : cap * (1 - jitter));
}
