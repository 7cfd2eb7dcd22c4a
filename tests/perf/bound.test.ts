/**
 * The benchmark's lower bound (bench/bound.ts): hand-computed cases at the documented limits, and
 * the greedy ideal schedule checked against an exhaustive search over every order of calls.
 */
import {
  idealSchedule,
  lowerBoundMs,
  scheduleInOrder,
  type BoundOptions,
  type CallKind,
  type CallMix,
} from "../../bench/bound";

describe("lower bound at the documented limits", () => {
  it("spaces a short burst 100 ms apart", () => {
    expect(lowerBoundMs({ writes: 0, reads: 1 })).toBe(0);
    expect(lowerBoundMs({ writes: 0, reads: 20 })).toBe(1900);
    // 10 creates: POST + GET each, 20 calls.
    expect(lowerBoundMs({ writes: 10, reads: 10, dependentReads: 10 })).toBe(1900);
  });

  it("waits for the minute window: the 121st call and the 61st write go at 60 s", () => {
    expect(lowerBoundMs({ writes: 0, reads: 121 })).toBe(60_000);
    expect(lowerBoundMs({ writes: 61, reads: 0 })).toBe(60_000);
  });

  it("fills the first minute with 60 writes and 60 reads when converging 100 webhooks", () => {
    const s = idealSchedule({ writes: 100, reads: 100, dependentReads: 100 });
    expect(s.filter((c) => c.at < 60_000).length).toBe(120);
    // 80 calls remain after the first minute, 100 ms apart.
    expect(lowerBoundMs({ writes: 100, reads: 100, dependentReads: 100 })).toBe(60_000 + 7_900);
  });

  it("scales with the time factor", () => {
    const mix: CallMix = { writes: 100, reads: 100, dependentReads: 100 };
    expect(lowerBoundMs(mix, { timeFactor: 0.02 })).toBeCloseTo(67_900 * 0.02, 6);
  });

  it("never sends a dependent read before its write", () => {
    const s = idealSchedule({ writes: 70, reads: 70, dependentReads: 70 });
    let writes = 0;
    let reads = 0;
    for (const c of s) {
      if (c.kind === "write") writes++;
      else reads++;
      expect(reads).toBeLessThanOrEqual(writes);
    }
  });
});

/** Every order of `w` writes and `r` reads that respects the dependent reads. */
function* orders(w: number, r: number, dependent: number): Generator<CallKind[]> {
  const free = r - dependent;
  function* go(prefix: CallKind[], wl: number, rl: number): Generator<CallKind[]> {
    if (wl === 0 && rl === 0) {
      yield prefix;
      return;
    }
    if (wl > 0) yield* go([...prefix, "write"], wl - 1, rl);
    if (rl > 0) {
      const readsSoFar = r - rl + 1;
      const writesSoFar = w - wl;
      if (readsSoFar <= free + Math.min(writesSoFar, dependent)) {
        yield* go([...prefix, "read"], wl, rl - 1);
      }
    }
  }
  yield* go([], w, r);
}

describe("the greedy ideal schedule is optimal", () => {
  // Small limits so that every window binds within a few calls: a "minute" of 10 ms holding a few
  // calls and fewer writes, calls at least 1 ms apart. The first set has the documented shape
  // (all = 2 × writes), the second does not.
  const f = 10 / 60_000;
  const limitSets = [
    { perMinute: 4, writesPerMinute: 2 },
    { perMinute: 5, writesPerMinute: 3 },
  ];

  const cases: [string, CallMix, BoundOptions][] = [];
  for (const set of limitSets) {
    const opts: BoundOptions = {
      timeFactor: f,
      limits: { ...set, minIntervalMs: 1 / f, perHour: 1_000_000, writesPerDay: 1_000_000 },
    };
    for (let w = 0; w <= 6; w++) {
      for (let r = 0; r <= 6; r++) {
        for (const dependent of new Set([0, Math.min(w, r)])) {
          const label = `${set.perMinute}/${set.writesPerMinute}: ${w} writes, ${r} reads (${dependent} dependent)`;
          cases.push([label, { writes: w, reads: r, dependentReads: dependent }, opts]);
        }
      }
    }
  }

  it.each(cases)("matches an exhaustive search: %s", (_label, mix, opts) => {
    let best = Infinity;
    for (const order of orders(mix.writes, mix.reads, mix.dependentReads ?? 0)) {
      const times = scheduleInOrder(order, opts);
      best = Math.min(best, times.length === 0 ? 0 : times[times.length - 1]!);
    }
    expect(lowerBoundMs(mix, opts)).toBeCloseTo(best, 6);
  });
});
