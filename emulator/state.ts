/**
 * The state of one running emulator, shared by its routing and handlers. One object, so that what
 * the handle replaces (quirks, rate limits, the request log) is seen by every part at once.
 */
import type { UserDirectory } from "./auth";
import type { FaultBook } from "./faults";
import type { RateLimiter } from "./limits";
import type { WebhookStore } from "./store";
import type { EmulatorQuirks, RequestLogEntry } from "./types";

export interface EmulatorState {
  readonly store: WebhookStore;
  readonly directory: UserDirectory;
  readonly faults: FaultBook;
  /** The configured locations' ids (a write to another location is refused). */
  readonly locationIds: ReadonlySet<number>;
  /** Replaced by `setQuirks`. */
  quirks: EmulatorQuirks;
  /** Replaced by `setRateLimits`; undefined when rate limits are off. */
  limiter: RateLimiter | undefined;
  /** Every API request, oldest first; replaced by `clearRequests`. */
  log: RequestLogEntry[];
  /** Set by `stop()`: a request woken from a `delay` fault then answers nothing. */
  stopped: boolean;
  /** Waits `ms`; `stop()` ends every wait at once. */
  sleep(ms: number): Promise<void>;
}
