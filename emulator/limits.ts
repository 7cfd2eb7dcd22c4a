/**
 * The per-client rate limiter: the API's documented limits as sliding windows, scaled by the time
 * factor. A throttled request is not counted (it has no side effect at all).
 */
import { DEFAULT_RATE_LIMITS, type RateLimits } from "./types";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Sliding-window timestamps, oldest first. */
class Window {
  private times: number[] = [];
  private head = 0;

  constructor(private readonly lengthMs: number) {}

  /** How many accepted requests fall in the window ending at `now`. */
  count(now: number): number {
    const cutoff = now - this.lengthMs;
    while (this.head < this.times.length && (this.times[this.head] ?? Infinity) <= cutoff) {
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

interface ClientState {
  last: number | undefined;
  all: { limit: number; window: Window }[];
  writes: { limit: number; window: Window }[];
}

/** Why a request was throttled (for logs and tests). */
export type ThrottleReason =
  "minInterval" | "perMinute" | "perHour" | "perDay" | "writesPerMinute" | "writesPerDay";

/** A rate limiter for every client. */
export class RateLimiter {
  private readonly limits: RateLimits;
  private readonly clients = new Map<string, ClientState>();

  /**
   * @param limits overrides of the documented limits
   * @param timeFactor multiplies the windows and the minimum interval (must be > 0)
   * @param now the clock, in ms (injectable for tests)
   */
  constructor(
    limits: Partial<RateLimits>,
    private readonly timeFactor: number,
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_RATE_LIMITS, ...limits };
    for (const [k, v] of Object.entries(this.limits)) {
      if (typeof v !== "number" || !(v >= 0)) {
        throw new Error(`emulator rateLimits.${k} must be a number >= 0 (got ${String(v)})`);
      }
    }
    if (!(timeFactor > 0) || !Number.isFinite(timeFactor)) {
      throw new Error(`emulator timeFactor must be a finite number > 0 (got ${timeFactor})`);
    }
  }

  /** The effective limits (before scaling). */
  effectiveLimits(): RateLimits {
    return { ...this.limits };
  }

  private state(client: string): ClientState {
    let s = this.clients.get(client);
    if (!s) {
      const f = this.timeFactor;
      const l = this.limits;
      s = {
        last: undefined,
        all: [
          { limit: l.perMinute, window: new Window(MINUTE * f) },
          { limit: l.perHour, window: new Window(HOUR * f) },
          { limit: l.perDay, window: new Window(DAY * f) },
        ],
        writes: [
          { limit: l.writesPerMinute, window: new Window(MINUTE * f) },
          { limit: l.writesPerDay, window: new Window(DAY * f) },
        ],
      };
      this.clients.set(client, s);
    }
    return s;
  }

  /**
   * Checks one request of `client` and, when it is allowed, counts it. Returns undefined when
   * allowed, or why it is throttled.
   */
  check(client: string, isWrite: boolean): ThrottleReason | undefined {
    const t = this.now();
    const s = this.state(client);
    if (s.last !== undefined && t - s.last < this.limits.minIntervalMs * this.timeFactor) {
      return "minInterval";
    }
    const allNames: ThrottleReason[] = ["perMinute", "perHour", "perDay"];
    const writeNames: ThrottleReason[] = ["writesPerMinute", "writesPerDay"];
    for (const [i, w] of s.all.entries()) {
      if (w.window.count(t) >= w.limit) return allNames[i];
    }
    if (isWrite) {
      for (const [i, w] of s.writes.entries()) {
        if (w.window.count(t) >= w.limit) return writeNames[i];
      }
    }
    s.last = t;
    for (const w of s.all) w.window.add(t);
    if (isWrite) for (const w of s.writes) w.window.add(t);
    return undefined;
  }
}
