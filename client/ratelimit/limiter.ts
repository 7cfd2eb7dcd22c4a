/**
 * A client-side rate limiter that keeps a process below the Nexudus API's documented per-user
 * limits, so that a burst runs without a single throttle (409).
 *
 * Limits: `DOCUMENTED_LIMITS` (`./limits.ts`), each interval and window multiplied by the time
 * factor. Windows slide; a request takes a slot when it is sent, a retry takes a new slot.
 *
 * The server counts a request when it *arrives* (or somewhere else between our send and its
 * answer), which we cannot observe. A request may go when, for every rule "at most L in W", the
 * L-th latest *reference time* of the earlier calls the rule counts is at least W ago, where a
 * call's reference time is the latest moment the server may have counted it, measured against
 * the request about to go:
 * - surely, its answer (or, while it is in flight, its send plus {@link DEFAULT_MAX_IN_FLIGHT_MS},
 *   after which we assume it has arrived). This holds whatever the network does, at the cost of
 *   a round trip per call in the spacing;
 * - with steady round trips, its send plus a jitter margin, when that is earlier. A round trip
 *   that takes as long every time shifts every count by the same delay after its send, so calls
 *   spaced by their sends are counted as far apart; what round trips vary by (the jitter) is how
 *   much closer two counts may come. The margin is the spread (longest − shortest) of the
 *   recent round trips of the two kinds involved (reads, writes: at most {@link RTT_SAMPLES} of
 *   each, the call's own included once answered), widened by {@link jitterWiden} of n samples
 *   into a bound of the jitter's whole range that n uniform draws fall short of once in a
 *   thousand (× 3.5 for 8 samples, × 1.3 for 32). It applies only with at least
 *   {@link MIN_RTT_SAMPLES} samples, to this process's own calls, while the margin is shorter
 *   than the shortest of those round trips (jitter as large as the round trip, as on a loaded
 *   loopback, is not steady), and to a call still in flight only until it has taken longer than
 *   any of them (then it counts from its answer). An unpredicted throttle ends it for the
 *   limiter's lifetime: every call then counts from its answer.
 * With a 150 ms round trip that varies by 10 ms, a burst goes about every 115 ms (the 100 ms
 * spacing plus the margin) instead of every 250. tests/perf/limiter.jitter.test.ts checks that a
 * server counting with the emulator's windows, on arrival or after processing, throttles nothing
 * under jittered round trips.
 *
 * Scheduling is exact and FIFO within each kind: the limiter computes the earliest time the
 * request at the head of the queue may go and sleeps until then, waking early when an answer comes
 * back or a read joins a queue whose head is a write (no polling). One exception keeps the
 * all-methods budget from going to waste: when the head is a write held back by a window (say the
 * 61st write of a minute), the first queued read may overtake it, but only if sending that read
 * now does not move the write's window-limited earliest time (it may cost the write one
 * spacing). Without it, the GETs that follow creates would idle behind a blocked POST while the
 * minute's read budget expires unused.
 * The clock is injected, so the logic is tested with a fake clock.
 *
 * Limiters are per account: one per key (base URL + identity + time factor) in the account's
 * `ClientShare` (client/share.ts), so that the clients of one account share one budget.
 *
 * The scheduler, its windows and the throttle holds share one queue and one clock and stay in
 * this file; its vocabulary (limits, slots, the spent-budget error) is in `./limits.ts`, its pure
 * timing rules (jitter bound, throttle hold) in `./timing.ts`, its bookkeeping in `./sentLog.ts`.
 *
 * Across processes (a second command within the hour, two stacks at once with one user), two
 * things keep the budget shared:
 * - a {@link CallHistory} (client/ratelimit/callHistory.ts): every answered call is appended to a
 *   runner-local file, and the other processes' calls are counted in every window as if they were
 *   this process's own;
 * - a throttle the limiter did not predict (a 409 with `Retry-After` on a slot it granted) is read
 *   as budget spent elsewhere: the whole limiter holds every request for a backoff that starts at
 *   `Retry-After` and doubles with each new throttle episode up to a minute (× time factor), with
 *   jitter, and resets after an answer that was not throttled. Requests already in flight when
 *   the hold began belong to the same episode (they do not double it again).
 *
 * Every wait is bounded and said (docs/reliability.md): a request whose window wait (a spent hourly or
 * daily budget, say the day's 5,000 writes) is longer than the caller's `maxWaitMs` is not
 * queued for hours but rejected at once with a {@link RateBudgetSpent} naming the limit, the count
 * seen and when it frees; a hold longer than {@link NOTICE_AFTER_MS} (× time factor) is said once
 * through the caller's `notify`.
 *
 * @module
 */

import type { CallHistory } from "./callHistory";

import {
  aboutDuration,
  DAY,
  DEFAULT_MAX_IN_FLIGHT_MS,
  DEFAULT_SLACK_MS,
  DOCUMENTED_LIMITS,
  HOUR,
  MINUTE,
  NOTICE_AFTER_MS,
  RateBudgetSpent,
  realClock,
  type AcquireOptions,
  type Limiter,
  type LimiterClock,
  type LimiterStats,
  type RateLimits,
  type Slot,
} from "./limits";
import { SentLog, type Rule, type Sent, type Waiter } from "./sentLog";
import {
  jitterWiden,
  MIN_RTT_SAMPLES,
  RTT_SAMPLES,
  throttleHoldMs,
  type RttSamples,
} from "./timing";

export * from "./limits";
export * from "./timing";

/** Options of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Limits before scaling; defaults to {@link DOCUMENTED_LIMITS}. */
  limits?: Partial<RateLimits>;
  /** Multiplies every interval and window (default 1). */
  timeFactor?: number;
  /** Safety margin added to every wait, in ms (default {@link DEFAULT_SLACK_MS}). */
  slackMs?: number;
  /** See {@link DEFAULT_MAX_IN_FLIGHT_MS}. */
  maxInFlightMs?: number;
  /** Clock (default {@link realClock}). */
  clock?: LimiterClock;
  /** Where waits are counted (default: counters of this limiter alone). */
  stats?: LimiterStats;
  /** The calls of other processes with the same key, and where this one's go (default none). */
  history?: CallHistory;
  /** Source of randomness for the throttle hold's jitter, in [0, 1) (default Math.random). */
  random?: () => number;
  /**
   * Whether this process's calls may count from their send plus the jitter of the recent round
   * trips, when that is earlier than their answer (default true; false: every call counts from
   * its answer, as after an unpredicted throttle). See the module doc.
   */
  sendSpacing?: boolean;
}

/**
 * A sliding-window rate limiter with a minimum spacing, FIFO and exact: see the module doc.
 */
export class RateLimiter implements Limiter {
  private readonly rules: readonly Rule[];
  private readonly clock: LimiterClock;
  private readonly slackMs: number;
  private readonly maxInFlightMs: number;
  private readonly stats: LimiterStats;
  private readonly all = new SentLog();
  private readonly writes = new SentLog();
  /** Per log: how far back entries matter, and how many of the latest ones to keep at least. */
  private readonly spans: Record<"all" | "writes", { windowMs: number; keep: number }>;
  private readonly queue: Waiter[] = [];
  private pumping = false;
  private sleeps = 0;
  /** Aborts the pump's current sleep (an answer came back: look again). */
  private wake: AbortController | undefined;
  private readonly timeFactor: number;
  private readonly history: CallHistory | undefined;
  private readonly random: () => number;
  /** Epoch ms minus clock time (to read and write the history). */
  private readonly wallOffset: number;
  /** Nothing goes before this time (after an unpredicted throttle). */
  private holdUntil = -Infinity;
  /** When the current hold began: throttles of requests sent before it are the same episode. */
  private holdStartedAt = -Infinity;
  /** Unpredicted throttle episodes in a row. */
  private episodes = 0;
  /** The end of the last hold that was said (see {@link AcquireOptions.notify}). */
  private noticedUntil = -Infinity;
  /** Whether calls may count from their send plus the jitter (until an unpredicted throttle). */
  private sendSpacing: boolean;
  /** This process's latest round trips (ms) by kind, at most {@link RTT_SAMPLES} each. */
  private readonly rtts: Record<"read" | "write", number[]> = { read: [], write: [] };
  /** Other processes' calls whose answers are not known yet, by id. */
  private readonly foreignInFlight = new Map<string, Sent>();

  constructor(opts: RateLimiterOptions = {}) {
    const f = opts.timeFactor ?? 1;
    const l = { ...DOCUMENTED_LIMITS, ...opts.limits };
    this.rules = [
      {
        limit: 1,
        windowMs: l.minIntervalMs * f,
        writesOnly: false,
        spacing: true,
        label: `requests per ${l.minIntervalMs} ms`,
      },
      { limit: l.perMinute, windowMs: MINUTE * f, writesOnly: false, label: "requests per minute" },
      { limit: l.perHour, windowMs: HOUR * f, writesOnly: false, label: "requests per hour" },
      {
        limit: l.writesPerMinute,
        windowMs: MINUTE * f,
        writesOnly: true,
        label: "writes per minute",
      },
      { limit: l.writesPerDay, windowMs: DAY * f, writesOnly: true, label: "writes per day" },
    ].filter((r) => Number.isFinite(r.limit) && r.limit > 0 && r.windowMs > 0);
    const span = (writes: boolean) => {
      const rules = this.rules.filter((r) => r.writesOnly === writes);
      return {
        windowMs: Math.max(0, ...rules.map((r) => r.windowMs)),
        keep: Math.max(0, ...rules.map((r) => r.limit)),
      };
    };
    this.spans = { all: span(false), writes: span(true) };
    this.clock = opts.clock ?? realClock;
    this.slackMs = opts.slackMs ?? DEFAULT_SLACK_MS;
    this.maxInFlightMs = opts.maxInFlightMs ?? DEFAULT_MAX_IN_FLIGHT_MS;
    this.stats = opts.stats ?? { acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 };
    this.timeFactor = f;
    this.history = opts.history;
    this.random = opts.random ?? Math.random;
    this.sendSpacing = opts.sendSpacing ?? true;
    this.wallOffset = Date.now() - this.clock.now();
  }

  /**
   * Counts the calls other processes recorded since the last look: from their send, and by their
   * answer once it is known, as this process's own.
   */
  private absorbForeign(): void {
    if (!this.history) return;
    for (const call of this.history.poll()) {
      const at = call.at - this.wallOffset;
      if (call.answered) {
        const sent = this.foreignInFlight.get(call.id);
        if (sent) sent.answeredAt = at;
        this.foreignInFlight.delete(call.id);
        continue;
      }
      const sent: Sent = { sentAt: at, write: call.write, foreign: true };
      this.all.insert(sent);
      if (call.write) this.writes.insert(sent);
      // Bounded: a process that died leaves calls without answers (they count until maxInFlight).
      if (this.foreignInFlight.size > 10_000) this.foreignInFlight.clear();
      this.foreignInFlight.set(call.id, sent);
    }
  }

  /** The recent round trips of each kind (none after an unpredicted throttle). */
  private samples(): Record<"read" | "write", RttSamples | undefined> | undefined {
    if (!this.sendSpacing) return undefined;
    const of = (rtts: number[]): RttSamples | undefined =>
      rtts.length === 0
        ? undefined
        : { n: rtts.length, min: Math.min(...rtts), max: Math.max(...rtts) };
    return { read: of(this.rtts.read), write: of(this.rtts.write) };
  }

  /**
   * How a request of this kind sent at `now` sees each earlier call: the latest time the server
   * may have counted it, relative to this request's own count (see the module doc).
   */
  private referencer(write: boolean, now: number): (s: Sent) => number {
    const samples = this.samples();
    return (s) => {
      const surely = Math.min(s.answeredAt ?? Infinity, s.sentAt + this.maxInFlightMs);
      if (!samples || s.foreign) return surely;
      const a = samples[s.write ? "write" : "read"];
      const b = samples[write ? "write" : "read"];
      if (!a || !b) return surely;
      const n = a === b ? a.n : a.n + b.n;
      if (n < MIN_RTT_SAMPLES) return surely;
      const min = Math.min(a.min, b.min);
      const max = Math.max(a.max, b.max);
      // Its own round trip, once answered, belongs in the spread (it may be older than the
      // samples); still in flight after longer than any recent one, it is not steady: wait for
      // its answer.
      const rtt = s.answeredAt === undefined ? undefined : s.answeredAt - s.sentAt;
      if (rtt === undefined && now - s.sentAt > max) return surely;
      // The spread of n samples, widened to a bound of the jitter's whole range.
      const lo = Math.min(min, rtt ?? min);
      const margin = (Math.max(max, rtt ?? max) - lo) * jitterWiden(n);
      // Jitter as large as the round trip itself (loopback under load) is not steady.
      if (margin >= lo) return surely;
      return Math.min(surely, s.sentAt + margin);
    };
  }

  throttled(slot: Slot, retryAfterMs: number): number {
    const sentAt = (slot as { sentAt?: number }).sentAt ?? this.clock.now();
    const now = this.clock.now();
    this.sendSpacing = false;
    if (sentAt >= this.holdStartedAt || this.holdUntil < now) this.episodes++;
    const ms = throttleHoldMs(retryAfterMs, this.episodes, this.timeFactor, this.random);
    if (now + ms > this.holdUntil) {
      this.holdUntil = now + ms;
      this.holdStartedAt = now;
    }
    this.wake?.abort();
    return ms;
  }

  /**
   * The `limit`-th latest reference time in `log` (plus `extra`, a request that would be sent
   * now, when given), or undefined when it holds fewer entries.
   */
  private nthLatestReference(
    log: SentLog,
    limit: number,
    extra: Sent | undefined,
    reference: (s: Sent) => number,
  ): number | undefined {
    const size = log.size + (extra ? 1 : 0);
    const at = (i: number): Sent =>
      extra ? (i === 1 ? extra : log.recent(i - 1)!) : log.recent(i)!;
    if (limit > size) return undefined;
    const pivot = at(limit);
    // Only entries sent at most maxInFlightMs before the pivot can have a later reference.
    const refs: number[] = [];
    for (let i = 1; i <= size; i++) {
      const s = at(i);
      if (i > limit && s.sentAt < pivot.sentAt - this.maxInFlightMs) break;
      refs.push(reference(s));
    }
    if (refs.length === limit) return Math.min(...refs);
    refs.sort((a, b) => b - a);
    return refs[limit - 1];
  }

  /**
   * The earliest time a request of this kind may be sent, given the slots taken so far and what
   * is known of their answers (`now` when it may go at once). Pure: takes no slot.
   */
  earliest(write: boolean, now: number): number {
    return this.earliestUnder(write, now, true);
  }

  /**
   * {@link earliest}, optionally without the spacing rule, and optionally as if a read were sent
   * at `now` first.
   */
  private earliestUnder(
    write: boolean,
    now: number,
    spacing: boolean,
    readNow = false,
    hold = true,
  ): number {
    return this.rulesAt(write, now, spacing, readNow, hold).at;
  }

  /**
   * {@link earliestUnder}, with the rule that sets it (undefined when none holds the request
   * past `now` and the hold).
   */
  private rulesAt(
    write: boolean,
    now: number,
    spacing: boolean,
    readNow: boolean,
    hold: boolean,
  ): { at: number; rule?: Rule } {
    const extra: Sent | undefined = readNow ? { sentAt: now, write: false } : undefined;
    let at = hold ? Math.max(now, this.holdUntil) : now;
    let binding: Rule | undefined;
    const reference = this.referencer(write, now);
    for (const rule of this.rules) {
      if (rule.writesOnly && !write) continue;
      if (rule.spacing && !spacing) continue;
      const ref = rule.writesOnly
        ? this.nthLatestReference(this.writes, rule.limit, undefined, reference)
        : this.nthLatestReference(this.all, rule.limit, extra, reference);
      if (ref !== undefined && ref + rule.windowMs + this.slackMs > at) {
        at = ref + rule.windowMs + this.slackMs;
        binding = rule;
      }
    }
    return binding ? { at, rule: binding } : { at };
  }

  /** How many calls `rule` counts at `now` (their reference time within its window). */
  private counted(rule: Rule, write: boolean, now: number): number {
    const log = rule.writesOnly ? this.writes : this.all;
    const reference = this.referencer(write, now);
    let n = 0;
    for (let i = 1; i <= log.size; i++) {
      const s = log.recent(i)!;
      if (s.sentAt + this.maxInFlightMs + rule.windowMs <= now) break;
      if (reference(s) + rule.windowMs > now) n++;
    }
    return n;
  }

  /** "the 5,000 writes per day limit (5,000 counted)". */
  private describe(rule: Rule, write: boolean, now: number): { limit: string; count: number } {
    return {
      limit: `the ${rule.limit.toLocaleString("en-US")} ${rule.label} limit`,
      count: this.counted(rule, write, now),
    };
  }

  /**
   * Rejects the head request when its window wait exceeds its `maxWaitMs` (nothing is sent):
   * true when it did.
   */
  private refuse(head: Waiter, now: number, windowAt: number): boolean {
    const bound = head.opts?.maxWaitMs;
    if (bound === undefined || windowAt - now <= bound) return false;
    const { rule } = this.rulesAt(head.write, now, true, false, false);
    if (!rule) return false;
    const { limit, count } = this.describe(rule, head.write, now);
    this.queue.shift();
    head.reject(
      new RateBudgetSpent(limit, count, windowAt + this.wallOffset, windowAt - now, bound),
    );
    return true;
  }

  /** Says a hold of the head request longer than {@link NOTICE_AFTER_MS}, once per hold. */
  private sayWait(head: Waiter, now: number, at: number, windowAt: number): void {
    const notify = head.opts?.notify;
    if (!notify || at - now < NOTICE_AFTER_MS * this.timeFactor || now < this.noticedUntil) return;
    const { rule } = this.rulesAt(head.write, now, true, false, false);
    // The spacing waits for an answer at most DEFAULT_MAX_IN_FLIGHT_MS (unscaled): not a hold.
    if (rule?.spacing && this.holdUntil < windowAt) return;
    this.noticedUntil = at;
    const n = this.queue.length;
    const what = `holding ${n} request${n === 1 ? "" : "s"} for about ${aboutDuration(at - now)} (until ${new Date(at + this.wallOffset).toISOString()})`;
    let why: string;
    if (this.holdUntil >= windowAt || !rule) {
      why =
        "the API throttled a request the limiter let go (HTTP 409 with Retry-After): this " +
        "user's budget is being spent elsewhere (another command, stack or machine)";
    } else {
      const { limit, count } = this.describe(rule, head.write, now);
      why = `${limit} is reached (${count.toLocaleString("en-US")} counted, this process's calls and those in the call history)`;
    }
    try {
      notify(`pulumi-nexudus: ${what}: ${why}; the run goes on then.`);
    } catch {
      // a logging hook must not break the pacing
    }
  }

  /**
   * Whether a read that may go now may overtake the head write: sending it now does not move the
   * write's window-limited earliest time.
   */
  private readMayOvertake(now: number): boolean {
    return this.earliestUnder(true, now, false, true) <= this.earliestUnder(true, now, false);
  }

  /**
   * Resolves, FIFO, when a request of this kind may be sent, and takes its slot. Call `done()`
   * on the slot when the answer (or a failure) comes back.
   */
  acquire(write: boolean, opts?: AcquireOptions): Promise<Slot> {
    return new Promise<Slot>((resolve, reject) => {
      this.queue.push({
        write,
        enqueuedAt: this.clock.now(),
        sleepsAtEnqueue: this.sleeps,
        resolve,
        reject,
        opts,
      });
      if (!this.pumping) void this.pump();
      // A read may overtake a write held back by a window: the sleeping pump looks again. (Not on
      // every request: each look polls the call history, at most once a millisecond.)
      else if (!write && this.queue[0]?.write) this.wake?.abort();
    });
  }

  /** Requests waiting for a slot. */
  get pending(): number {
    return this.queue.length;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        const head = this.queue[0];
        if (!head) return;
        this.absorbForeign();
        const now = this.clock.now();
        const windowAt = this.earliestUnder(head.write, now, true, false, false);
        if (this.refuse(head, now, windowAt)) continue;
        const headAt = Math.max(windowAt, this.holdUntil);
        let at = headAt;
        let index = at <= now ? 0 : -1;
        if (index < 0 && head.write) {
          const read = this.queue.findIndex((w) => !w.write);
          if (read > 0) {
            const readAt = this.earliest(false, now);
            if (readAt > now) at = Math.min(at, readAt);
            else if (this.readMayOvertake(now)) index = read;
          }
        }
        if (index < 0) {
          this.sayWait(head, now, headAt, windowAt);
          this.sleeps++;
          this.wake = new AbortController();
          await this.clock.sleep(at - now, this.wake.signal);
          this.wake = undefined;
          continue;
        }
        const [granted] = this.queue.splice(index, 1);
        const waiter = granted!;
        const slot = this.take(waiter.write, now);
        const waited = waiter.sleepsAtEnqueue === this.sleeps ? 0 : now - waiter.enqueuedAt;
        this.stats.acquired++;
        if (waited > 0) {
          this.stats.waits++;
          this.stats.totalWaitMs += waited;
          this.stats.maxWaitMs = Math.max(this.stats.maxWaitMs, waited);
        }
        waiter.resolve(slot);
      }
    } finally {
      this.pumping = false;
    }
  }

  private take(write: boolean, now: number): Slot {
    const sent: Sent = { sentAt: now, write };
    this.all.push(sent);
    this.all.prune(now - this.spans.all.windowMs, this.spans.all.keep, this.maxInFlightMs);
    if (write) {
      this.writes.push(sent);
      this.writes.prune(
        now - this.spans.writes.windowMs,
        this.spans.writes.keep,
        this.maxInFlightMs,
      );
    }
    // Recorded when sent, so that a process running at the same time counts it at once.
    const seq = this.history?.record(now + this.wallOffset, write);
    const slot = {
      sentAt: now,
      done: (throttled?: boolean) => {
        if (sent.answeredAt !== undefined) return;
        sent.answeredAt = this.clock.now();
        const rtts = this.rtts[write ? "write" : "read"];
        rtts.push(sent.answeredAt - sent.sentAt);
        if (rtts.length > RTT_SAMPLES) rtts.shift();
        if (!throttled && sent.sentAt >= this.holdStartedAt) this.episodes = 0;
        if (seq !== undefined) this.history?.answered(seq, sent.answeredAt + this.wallOffset);
        this.wake?.abort();
      },
    };
    return slot;
  }
}
