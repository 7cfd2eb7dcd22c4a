/**
 * What the clients of one Nexudus account share (an account is a base URL and a user): the
 * tokens exchanged for its password, its rate limiters (with their call history) and their
 * counters. A client made alone gets a share of its own; the provider's account context
 * (`provider/context.ts`) makes one share per account and gives it to the account's client, so
 * that one account's resources spend one budget and two accounts never share a token or a budget.
 * Nothing here is global: a test makes its own share.
 *
 * @module
 */
import type { CachedToken } from "./auth";
import type { CallHistory } from "./ratelimit/callHistory";
import { RateLimiter, type Limiter, type LimiterStats } from "./ratelimit/limiter";

/** Zeroed limiter counters. */
export function emptyLimiterStats(): LimiterStats {
  return { acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 };
}

/** The tokens, limiters and counters of the clients of one account. */
export class ClientShare {
  /** Tokens from the password grant, by base URL, user and the password's hash. */
  readonly tokens = new Map<string, CachedToken>();
  /** The limiters, by base URL, identity and time factor (one per budget). */
  readonly #limiters = new Map<string, Limiter>();
  /** Counters of every limiter of this share. */
  readonly stats: LimiterStats = emptyLimiterStats();

  /** The limiter for `key`, made on first use (with the call history `history` gives). */
  limiter(key: string, timeFactor: number, history?: () => CallHistory | undefined): Limiter {
    let limiter = this.#limiters.get(key);
    if (!limiter) {
      const h = history?.();
      limiter = new RateLimiter({ timeFactor, stats: this.stats, ...(h ? { history: h } : {}) });
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }

  /** A copy of the counters (waits, total and longest wait in ms). */
  limiterStats(): LimiterStats {
    return { ...this.stats };
  }

  /** Forgets every token (after a password change). */
  clearTokens(): void {
    this.tokens.clear();
  }
}
