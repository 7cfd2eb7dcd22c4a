/**
 * The lower bound the Nexudus API's rate limits put on a run: the time from the first call to the
 * last one when a perfect client issues exactly the calls a run made, as early as the documented
 * sliding windows allow, with zero latency.
 *
 * The limits, per client (each interval and window multiplied by the time factor):
 * - every call: at most 1 per 100 ms, 120 per minute, 5,000 per hour;
 * - writes (POST/PUT/DELETE): at most 60 per minute, 5,000 per day.
 *
 * "At most L in any window of W" means a call at time t needs the L-th latest earlier call at or
 * before t − W (the emulator and the API count a call that is exactly W old as gone).
 *
 * The schedule is built greedily: at each step the call that can go earliest goes (a write on a
 * tie, because writes are the scarcer kind and release the reads that wait for them). A read that
 * depends on a write (the GET after a create's POST) is only available once that write went. For
 * one kind of call, sending each call as early as possible is optimal; with two kinds, the greedy
 * choice is checked against an exhaustive search of every order in `tests/perf/bound.test.ts`.
 *
 * @module
 */

/** The API's documented per-client limits (before the time factor). */
export interface ApiLimits {
  readonly minIntervalMs: number;
  readonly perMinute: number;
  readonly perHour: number;
  readonly writesPerMinute: number;
  readonly writesPerDay: number;
}

/** The documented limits (Nexudus API docs; see `/work/shared/NEXUDUS-API.md`). */
export const API_LIMITS: ApiLimits = Object.freeze({
  minIntervalMs: 100,
  perMinute: 120,
  perHour: 5000,
  writesPerMinute: 60,
  writesPerDay: 5000,
});

/** The calls a run made, by kind. */
export interface CallMix {
  /** POST/PUT/DELETE calls. */
  writes: number;
  /** GET calls (get and search). */
  reads: number;
  /**
   * How many of the reads each need one distinct write to have gone first (a create's GET after
   * its POST). At most `writes`; the rest of the reads may go at any time.
   */
  dependentReads?: number;
}

/** A window rule: at most `limit` calls (of one kind) in any `windowMs`. */
interface Rule {
  limit: number;
  windowMs: number;
  writesOnly: boolean;
}

/** A call kind in a schedule. */
export type CallKind = "write" | "read";

/** Options of {@link idealSchedule}. */
export interface BoundOptions {
  /** Multiplies every interval and window (default 1). */
  timeFactor?: number;
  /** Limits before scaling (default {@link API_LIMITS}). */
  limits?: Partial<ApiLimits>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function rules(opts: BoundOptions): { spacing: number; rules: Rule[] } {
  const f = opts.timeFactor ?? 1;
  const l = { ...API_LIMITS, ...opts.limits };
  return {
    spacing: l.minIntervalMs * f,
    rules: [
      { limit: l.perMinute, windowMs: MINUTE * f, writesOnly: false },
      { limit: l.perHour, windowMs: HOUR * f, writesOnly: false },
      { limit: l.writesPerMinute, windowMs: MINUTE * f, writesOnly: true },
      { limit: l.writesPerDay, windowMs: DAY * f, writesOnly: true },
    ].filter((r) => Number.isFinite(r.limit) && r.limit > 0),
  };
}

/** Incremental earliest-time computation for a growing schedule. */
class Timeline {
  private readonly all: number[] = [];
  private readonly writes: number[] = [];

  constructor(
    private readonly spacing: number,
    private readonly rules: Rule[],
  ) {}

  /** The earliest time a call of this kind may go after the calls placed so far. */
  earliest(kind: CallKind): number {
    const last = this.all[this.all.length - 1];
    let at = last === undefined ? 0 : last + this.spacing;
    for (const r of this.rules) {
      if (r.writesOnly && kind !== "write") continue;
      const log = r.writesOnly ? this.writes : this.all;
      const pivot = log[log.length - r.limit];
      if (pivot !== undefined) at = Math.max(at, pivot + r.windowMs);
    }
    return at;
  }

  /** Places a call at `at` (never earlier than {@link earliest}). */
  place(kind: CallKind, at: number): void {
    this.all.push(at);
    if (kind === "write") this.writes.push(at);
  }
}

/** Times of a fixed order of calls, each sent as early as the limits allow (ms from the first). */
export function scheduleInOrder(order: readonly CallKind[], opts: BoundOptions = {}): number[] {
  const { spacing, rules: rs } = rules(opts);
  const t = new Timeline(spacing, rs);
  return order.map((kind) => {
    const at = t.earliest(kind);
    t.place(kind, at);
    return at;
  });
}

/** The ideal schedule of a call mix: each call's kind and send time (ms from the first call). */
export function idealSchedule(
  mix: CallMix,
  opts: BoundOptions = {},
): { kind: CallKind; at: number }[] {
  const { spacing, rules: rs } = rules(opts);
  const dependent = Math.min(mix.dependentReads ?? 0, mix.writes, mix.reads);
  const t = new Timeline(spacing, rs);
  const out: { kind: CallKind; at: number }[] = [];
  let writesLeft = mix.writes;
  let freeReads = mix.reads - dependent;
  let dependentLeft = dependent;
  let released = 0; // dependent reads whose write has gone
  while (writesLeft > 0 || freeReads > 0 || dependentLeft > 0 || released > 0) {
    const canRead = freeReads > 0 || released > 0;
    const w = writesLeft > 0 ? t.earliest("write") : Infinity;
    const r = canRead ? t.earliest("read") : Infinity;
    if (w <= r) {
      t.place("write", w);
      out.push({ kind: "write", at: w });
      writesLeft--;
      if (dependentLeft > 0) {
        dependentLeft--;
        released++;
      }
    } else {
      t.place("read", r);
      out.push({ kind: "read", at: r });
      if (released > 0) released--;
      else freeReads--;
    }
  }
  return out;
}

/** The lower bound of a call mix, in ms: the ideal send time of its last call. */
export function lowerBoundMs(mix: CallMix, opts: BoundOptions = {}): number {
  const schedule = idealSchedule(mix, opts);
  return schedule.length === 0 ? 0 : schedule[schedule.length - 1]!.at;
}
