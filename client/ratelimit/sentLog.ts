/**
 * The limiter's bookkeeping: its rules (one window or spacing each), its queued callers, and the
 * log of sent requests it counts (pruned past the longest window).
 *
 * @module
 */
import type { AcquireOptions, RateBudgetSpent, Slot } from "./limits";

export interface Rule {
  /** At most `limit` requests … */
  readonly limit: number;
  /** … in any window of this many ms … */
  readonly windowMs: number;
  /** … counting only writes. */
  readonly writesOnly: boolean;
  /** The minimum spacing (1 per interval), as opposed to a window. */
  readonly spacing?: boolean;
  /** What is counted per what, e.g. "writes per day" (in messages). */
  readonly label: string;
}

export interface Waiter {
  readonly write: boolean;
  readonly enqueuedAt: number;
  /** The limiter's sleep count when it was queued: unchanged at grant time means no wait. */
  readonly sleepsAtEnqueue: number;
  readonly resolve: (slot: Slot) => void;
  readonly reject: (e: RateBudgetSpent) => void;
  readonly opts: AcquireOptions | undefined;
}

/** One sent request. */
export interface Sent {
  readonly sentAt: number;
  /** A POST, PUT or DELETE. */
  readonly write: boolean;
  /** When its answer came back. */
  answeredAt?: number;
  /** Sent by another process (from the call history): its times are its answer's. */
  readonly foreign?: boolean;
}

/** Sent requests, oldest first, pruned past the longest window. */
export class SentLog {
  private items: Sent[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  /** The i-th most recent entry (1 = latest). */
  recent(i: number): Sent | undefined {
    return i >= 1 && i <= this.size ? this.items[this.items.length - i] : undefined;
  }

  push(s: Sent): void {
    this.items.push(s);
  }

  /** Adds an entry in `sentAt` order (another process's call, usually near the end). */
  insert(s: Sent): void {
    let i = this.items.length;
    while (i > this.head && this.items[i - 1]!.sentAt > s.sentAt) i--;
    this.items.splice(i, 0, s);
  }

  /** Drops entries whose reference time is surely at or before `cutoff`, keeping `keep`. */
  prune(cutoff: number, keep: number, maxInFlightMs: number): void {
    while (
      this.size > keep &&
      (this.items[this.head]?.sentAt ?? Infinity) + maxInFlightMs <= cutoff
    ) {
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
