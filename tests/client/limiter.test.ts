/**
 * The client-side rate limiter, with a fake clock: exact FIFO scheduling under each window and
 * the minimum spacing, no polling, one limiter per key in an account's ClientShare.
 */
import {
  DOCUMENTED_LIMITS,
  JITTER_RISK,
  jitterWiden,
  MIN_RTT_SAMPLES,
  RateLimiter,
  type LimiterClock,
  type LimiterStats,
  type RateLimits,
  throttleHoldMs,
} from "../../client/ratelimit/limiter";
import type { CallHistory, ForeignCall } from "../../client/ratelimit/callHistory";
import { ClientShare } from "../../client/share";

/**
 * A fake clock whose sleeps advance virtual time by exactly the asked amount once every pending
 * callback has run (the limiter is its only sleeper); an aborted sleep ends without advancing.
 * `sleeps` lists the sleeps that ran to their end.
 */
function fakeClock(start = 0) {
  const state = { now: start, sleeps: [] as number[], woken: 0 };
  const clock: LimiterClock = {
    now: () => state.now,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        signal.addEventListener("abort", () => resolve(), { once: true });
        setImmediate(() => {
          if (signal.aborted) {
            state.woken++;
            return;
          }
          state.sleeps.push(ms);
          state.now += ms;
          resolve();
        });
      }),
  };
  return { clock, state };
}

/**
 * A clock whose sleeps end only when woken (an answer, a new request): time stands still unless
 * the test moves it. `sleeps` lists every sleep asked for.
 */
function manualClock() {
  const sleeps: number[] = [];
  const state = { now: 0 };
  const clock: LimiterClock = {
    now: () => state.now,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        sleeps.push(ms);
        signal.addEventListener("abort", () => resolve(), { once: true });
      }),
  };
  return { clock, state, sleeps };
}

function stats(): LimiterStats {
  return { acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 };
}

/** Acquires `kinds` in order (all queued at once) and returns each grant time. */
async function grants(
  limits: Partial<RateLimits>,
  kinds: ("r" | "w")[],
  opts: { timeFactor?: number; slackMs?: number } = {},
) {
  const { clock, state } = fakeClock();
  const s = stats();
  const limiter = new RateLimiter({ limits, clock, slackMs: opts.slackMs ?? 0, stats: s, ...opts });
  const times: number[] = [];
  // Every request is answered the moment it is sent (reference time = send time).
  await Promise.all(
    kinds.map((k) =>
      limiter.acquire(k === "w").then((slot) => {
        times.push(state.now);
        slot.done();
      }),
    ),
  );
  return { times, sleeps: state.sleeps, stats: s, limiter, state };
}

const NO_LIMITS: RateLimits = {
  minIntervalMs: 0,
  perMinute: Infinity,
  perHour: Infinity,
  writesPerMinute: Infinity,
  writesPerDay: Infinity,
};

describe("RateLimiter", () => {
  it("spaces requests by the minimum interval, exactly, without polling", async () => {
    const r = await grants({}, Array(10).fill("r"));
    expect(r.times).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(r.sleeps).toEqual(Array(9).fill(100)); // one sleep per wait: no polling
  });

  it("scales every interval by the time factor and adds the slack", async () => {
    const r = await grants({}, ["r", "r", "r"], { timeFactor: 0.02, slackMs: 1 });
    expect(r.times).toEqual([0, 3, 6]);
  });

  it("lets 120 requests through in a sliding minute, then waits for the oldest to leave", async () => {
    const r = await grants({ ...NO_LIMITS, perMinute: 120 }, Array(125).fill("r"));
    expect(r.times.slice(0, 120)).toEqual(Array(120).fill(0));
    expect(r.times.slice(120)).toEqual(Array(5).fill(60_000));
  });

  it("the window slides: each slot frees exactly one minute after it was taken", async () => {
    const { clock, state } = fakeClock();
    const limiter = new RateLimiter({
      limits: { ...NO_LIMITS, perMinute: 3 },
      clock,
      slackMs: 0,
      stats: stats(),
    });
    (await limiter.acquire(false)).done(); // t=0
    state.now = 30_000;
    (await limiter.acquire(false)).done();
    state.now = 59_000;
    (await limiter.acquire(false)).done();
    const times: number[] = [];
    await Promise.all(
      [0, 1, 2].map(() =>
        limiter.acquire(false).then((slot) => {
          times.push(state.now);
          slot.done();
        }),
      ),
    );
    expect(times).toEqual([60_000, 90_000, 119_000]);
  });

  it("limits writes to 60 per minute but not reads, which overtake a waiting write", async () => {
    const kinds: ("r" | "w")[] = [...Array(61).fill("w"), "r"];
    const r = await grants({ ...NO_LIMITS, writesPerMinute: 60 }, kinds);
    expect(r.times.slice(0, 60)).toEqual(Array(60).fill(0));
    // The 61st write waits a minute; the read queued behind it goes at once (grant order).
    expect(r.times.slice(60)).toEqual([0, 60_000]);
    const reads = await grants({ ...NO_LIMITS, writesPerMinute: 1 }, ["r", "r", "r"]);
    expect(reads.times).toEqual([0, 0, 0]);
  });

  it("applies the hourly and daily windows", async () => {
    const hour = await grants({ ...NO_LIMITS, perHour: 2 }, ["r", "r", "r"]);
    expect(hour.times).toEqual([0, 0, 3_600_000]);
    const day = await grants({ ...NO_LIMITS, writesPerDay: 2 }, ["w", "w", "w", "r"]);
    expect(day.times).toEqual([0, 0, 0, 86_400_000]); // the read overtakes the waiting write
  });

  it("combines the windows with the documented limits: 121 reads take a minute and 12 s", async () => {
    const r = await grants(DOCUMENTED_LIMITS, Array(121).fill("r"));
    expect(r.times[119]).toBe(11_900);
    expect(r.times[120]).toBe(60_000); // the first slot leaves the minute window
  });

  it("a write also counts against the all-methods windows", async () => {
    const r = await grants({ ...NO_LIMITS, perMinute: 2 }, ["w", "r", "w"]);
    expect(r.times).toEqual([0, 0, 60_000]);
  });

  it("counts waits in its stats", async () => {
    const r = await grants({}, ["r", "r", "r"]);
    expect(r.stats).toEqual({ acquired: 3, waits: 2, totalWaitMs: 300, maxWaitMs: 200 });
  });

  it("earliest() is pure: it takes no slot", async () => {
    const { clock } = fakeClock();
    const limiter = new RateLimiter({ clock, slackMs: 0, stats: stats() });
    expect(limiter.earliest(false, 0)).toBe(0);
    expect(limiter.earliest(false, 0)).toBe(0);
    (await limiter.acquire(false)).done();
    expect(limiter.earliest(true, 10)).toBe(100);
  });

  it("counts from the answer, not the send: the server may see a request late", async () => {
    const { clock, state } = fakeClock();
    const limiter = new RateLimiter({ clock, slackMs: 0, stats: stats(), sendSpacing: false });
    const first = await limiter.acquire(false); // sent at 0
    state.now = 40;
    first.done(); // answered at 40: it reached the server somewhere in [0, 40]
    expect(limiter.earliest(false, 40)).toBe(140);
  });

  it("an unanswered request holds the next one back until maxInFlightMs", async () => {
    const { clock, state } = fakeClock();
    const limiter = new RateLimiter({ clock, slackMs: 0, maxInFlightMs: 500, stats: stats() });
    await limiter.acquire(false); // never answered
    await limiter.acquire(false);
    expect(state.now).toBe(600);
  });

  it("an answer wakes the waiting request early (no polling)", async () => {
    const { clock, state, sleeps } = manualClock();
    const limiter = new RateLimiter({
      clock,
      slackMs: 0,
      maxInFlightMs: 500,
      stats: stats(),
      sendSpacing: false,
    });
    const first = await limiter.acquire(false);
    let grantedAt: number | undefined;
    const second = limiter.acquire(false).then(() => (grantedAt = state.now));
    await new Promise((r) => setImmediate(r));
    expect(sleeps).toEqual([600]); // until the in-flight cap, unless an answer comes
    state.now = 30;
    first.done();
    await new Promise((r) => setImmediate(r));
    expect(sleeps).toEqual([600, 100]); // woken: now 100 after the answer at 30
    state.now = 130;
    (limiter as unknown as { wake?: AbortController }).wake?.abort();
    await second;
    expect(grantedAt).toBe(130);
  });

  it("schedules precisely on the real clock", async () => {
    const limiter = new RateLimiter({ limits: { minIntervalMs: 20 }, slackMs: 0, stats: stats() });
    const times: number[] = [];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, () =>
        limiter.acquire(false).then((slot) => {
          times.push(performance.now() - start);
          slot.done();
        }),
      ),
    );
    for (let i = 1; i < times.length; i++) {
      expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(19.5);
    }
    expect(times[7]!).toBeLessThan(7 * 20 + 300); // loose: a loaded machine delays timers
  });
});

describe("limiters per account (ClientShare)", () => {
  it("one limiter per key in a share; two shares (two accounts) never share one", () => {
    const share = new ClientShare();
    const a = share.limiter("https://x\nuser:a\n1", 1);
    expect(share.limiter("https://x\nuser:a\n1", 1)).toBe(a);
    expect(share.limiter("https://x\nuser:b\n1", 1)).not.toBe(a);
    expect(new ClientShare().limiter("https://x\nuser:a\n1", 1)).not.toBe(a);
  });

  it("the share's limiterStats() reports the counters of its limiters, and only theirs", async () => {
    const share = new ClientShare();
    const other = new ClientShare();
    const limiter = share.limiter("https://stats\nuser:s\n0.01", 0.01);
    const slots = [limiter.acquire(false), limiter.acquire(false), limiter.acquire(true)];
    for (const slot of slots) (await slot).done();
    const s = share.limiterStats();
    expect(s.acquired).toBe(3);
    expect(s.waits).toBe(2);
    expect(s.totalWaitMs).toBeGreaterThan(0);
    expect(other.limiterStats()).toEqual({ acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 });
  });
});

describe("send spacing", () => {
  it("with steady round trips, spaces a burst from the send plus the jitter margin, until a throttle", async () => {
    const { clock, state } = fakeClock();
    const limiter = new RateLimiter({ clock, slackMs: 0, stats: stats() });
    const rtts = [40, 42, 41, 40, 41, 42, 40, 41];
    expect(rtts).toHaveLength(MIN_RTT_SAMPLES);
    let sent = 0;
    for (const [i, rtt] of rtts.entries()) {
      const slot = await limiter.acquire(false);
      sent = state.now;
      state.now += rtt;
      slot.done();
      // Fewer than MIN_RTT_SAMPLES round trips: every call counts from its answer.
      if (i < rtts.length - 1) expect(limiter.earliest(false, state.now)).toBe(state.now + 100);
    }
    // Eight samples, spread 2, widened by jitterWiden(8) (3.46): the next call 6.9 ms after the
    // last one's send plus the spacing. (The rule of before, answer − (40 / 2 − 2), gave 41 + 82.)
    expect(limiter.earliest(false, state.now)).toBeCloseTo(sent + 2 * jitterWiden(8) + 100, 9);
    expect(sent + 2 * jitterWiden(8)).toBeLessThan(sent + 41 - (40 / 2 - 2));
    // A throttle the limiter let through: back to answers, and a hold of Retry-After (no jitter).
    const noJitter = new RateLimiter({ clock, slackMs: 0, stats: stats(), random: () => 0 });
    for (const rtt of rtts) {
      const slot = await noJitter.acquire(false);
      state.now += rtt;
      slot.done();
    }
    const x = await noJitter.acquire(false);
    state.now += 40;
    x.done(true);
    expect(noJitter.throttled(x, 1000)).toBe(1000);
    expect(noJitter.earliest(false, state.now)).toBe(state.now + 1000);
    state.now += 1000;
    const y = await noJitter.acquire(false);
    state.now += 40;
    y.done();
    expect(noJitter.earliest(false, state.now)).toBe(state.now + 100); // from the answer again
  });

  it("with steady round trips, a call may go while the one before is in flight; an overdue one holds it", async () => {
    const { clock, state } = fakeClock();
    const limiter = new RateLimiter({ clock, slackMs: 0, stats: stats() });
    for (const rtt of [150, 152, 151, 150, 151, 152, 150, 151]) {
      const s = await limiter.acquire(true);
      state.now += rtt;
      s.done();
    }
    await limiter.acquire(true); // in flight
    const sent = state.now;
    expect(limiter.earliest(true, sent)).toBeCloseTo(sent + 2 * jitterWiden(8) + 100, 9);
    // 153 ms later it has taken longer than any recent round trip: wait for its answer (or 500 ms).
    expect(limiter.earliest(true, sent + 153)).toBe(sent + 500 + 100);
  });

  it("estimates the jitter of writes from writes; jitter as large as the round trip is not steady", async () => {
    const { clock, state } = fakeClock();
    const limiter = new RateLimiter({ clock, slackMs: 0, stats: stats() });
    const take = async (write: boolean, rtt: number) => {
      const s = await limiter.acquire(write);
      state.now += rtt;
      s.done();
      return state.now - rtt;
    };
    await take(false, 60); // a search: 60 ms
    let last = 0;
    for (const rtt of [20, 21, 20, 21, 20, 21, 20, 20]) last = await take(true, rtt);
    // Write after write: the writes' spread (1 ms) widened, the search's 60 ms does not count.
    expect(limiter.earliest(true, state.now)).toBeCloseTo(last + jitterWiden(8) + 100, 9);
    const read = await take(false, 62);
    // Write after a read: the spread of both kinds (20 .. 62 ms) is larger than the shortest
    // round trip: not steady, the read counts from its answer.
    expect(limiter.earliest(true, state.now)).toBe(read + 62 + 100);
  });

  it("widens the spread of n round trips to bound the jitter's range but once in a thousand", () => {
    // n uniform draws all fall within a share q of the range with chance n q^(n−1) − (n−1) q^n.
    for (const n of [2, 8, 16, 32, 64]) {
      const q = 1 / jitterWiden(n);
      expect(n * q ** (n - 1) - (n - 1) * q ** n).toBeCloseTo(JITTER_RISK, 9);
    }
    expect(jitterWiden(8)).toBeCloseTo(3.46, 2);
    expect(jitterWiden(32)).toBeCloseTo(1.34, 2);
    expect(jitterWiden(64)).toBeLessThan(jitterWiden(32));
  });

  it("a read queued while the limiter sleeps for a write's window goes at once", async () => {
    const { clock, state, sleeps } = manualClock();
    const limiter = new RateLimiter({
      limits: { ...NO_LIMITS, writesPerMinute: 1 },
      clock,
      slackMs: 0,
      stats: stats(),
    });
    (await limiter.acquire(true)).done(); // t=0
    let writeAt: number | undefined;
    void limiter.acquire(true).then((s) => ((writeAt = state.now), s.done()));
    await new Promise((r) => setImmediate(r));
    expect(sleeps).toEqual([60_000]); // the pump sleeps until the write's minute
    state.now = 5;
    const read = await limiter.acquire(false); // before: it waited behind that sleep
    expect(state.now).toBe(5);
    read.done();
    expect(writeAt).toBeUndefined();
  });
});

describe("sharing the budget with other processes", () => {
  it("each new throttle episode doubles the hold up to a minute; in-flight throttles do not", async () => {
    const { clock, state } = fakeClock();
    // maxInFlightMs 0: the second goes 100 ms after the first is sent, both in flight.
    const limiter = new RateLimiter({
      clock,
      slackMs: 0,
      maxInFlightMs: 0,
      stats: stats(),
      random: () => 0,
    });
    const s1 = await limiter.acquire(false);
    const s2 = await limiter.acquire(false); // in flight together with s1
    state.now = 150;
    s1.done(true);
    expect(limiter.throttled(s1, 1000)).toBe(1000);
    s2.done(true);
    expect(limiter.throttled(s2, 1000)).toBe(1000); // the same episode
    const s3 = await limiter.acquire(false); // after the hold: a new episode
    s3.done(true);
    expect(limiter.throttled(s3, 1000)).toBe(2000);
    const s4 = await limiter.acquire(false);
    s4.done(); // answered: the episodes end
    const s5 = await limiter.acquire(false);
    s5.done(true);
    expect(limiter.throttled(s5, 1000)).toBe(1000);
    expect(throttleHoldMs(1000, 10, 1, () => 0)).toBe(60_000);
    expect(throttleHoldMs(1000, 10, 0.01, () => 0)).toBe(1000); // never below Retry-After
    expect(throttleHoldMs(1000, 1, 1, () => 0.999)).toBeLessThan(1250);
  });

  it("counts the calls another process recorded in every window", async () => {
    const { clock, state } = fakeClock(1_000_000);
    const foreign: ForeignCall[] = [];
    const recorded: { at: number; write: boolean; answeredAt?: number }[] = [];
    const history: CallHistory = {
      record: (at, write) => recorded.push({ at, write }),
      answered: (seq, at) => (recorded[seq - 1]!.answeredAt = at),
      poll: () => foreign.splice(0),
    };
    const limiter = new RateLimiter({
      clock,
      slackMs: 0,
      stats: stats(),
      history,
      limits: { perMinute: 3 },
    });
    const wall = Date.now() - state.now; // the limiter's epoch offset, give or take a ms
    // Another process made 3 calls in the last minute, the oldest 10 s ago, answered 20 ms later
    // (the last one's answer is not known yet).
    for (const ago of [10_000, 5_000, 1_000]) {
      const id = `other:${ago}`;
      foreign.push({ id, at: wall + state.now - ago, write: ago === 1_000 });
      if (ago !== 1_000)
        foreign.push({ id, at: wall + state.now - ago + 20, write: false, answered: true });
    }
    const slot = await limiter.acquire(false);
    // The minute window opens when the oldest of them is a minute old (by its answer): 50.02 s on.
    expect(state.now).toBeGreaterThanOrEqual(1_000_000 + 50_020 - 5);
    expect(state.now).toBeLessThanOrEqual(1_000_000 + 50_020 + 5);
    state.now += 30;
    slot.done();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.write).toBe(false);
    expect(recorded[0]!.answeredAt! - recorded[0]!.at).toBe(30);
  });
});
