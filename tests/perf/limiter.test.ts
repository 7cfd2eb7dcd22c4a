/**
 * The client's limiter runs a converge at the ideal schedule of the rate limits: with a fake
 * clock and instant answers, the grant times of N creates (each a POST, then its GET once the POST
 * is answered) equal the lower bound's ideal schedule (bench/bound.ts) exactly. That needs reads to
 * overtake a write held back by the write window, instead of idling behind it while the minute's
 * all-methods budget expires unused.
 */
import { idealSchedule } from "../../bench/bound";
import {
  RateLimiter,
  type LimiterClock,
  type LimiterStats,
  type RateLimits,
} from "../../client/ratelimit/limiter";

/** Virtual time that advances by exactly each sleep once every pending callback has run. */
function fakeClock() {
  const state = { now: 0 };
  const clock: LimiterClock = {
    now: () => state.now,
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        signal.addEventListener("abort", () => resolve(), { once: true });
        setImmediate(() => {
          if (signal.aborted) return;
          state.now += ms;
          resolve();
        });
      }),
  };
  return { clock, state };
}

const stats = (): LimiterStats => ({ acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 });

/** N creates queued at once: POST, then (answered instantly) the GET. Returns every grant. */
async function converge(n: number, limits: Partial<RateLimits> = {}) {
  const { clock, state } = fakeClock();
  const limiter = new RateLimiter({ clock, slackMs: 0, stats: stats(), limits });
  const grants: { kind: "write" | "read"; at: number }[] = [];
  const create = async () => {
    const post = await limiter.acquire(true);
    grants.push({ kind: "write", at: state.now });
    post.done();
    const get = await limiter.acquire(false);
    grants.push({ kind: "read", at: state.now });
    get.done();
  };
  await Promise.all(Array.from({ length: n }, create));
  return grants;
}

describe("the limiter against the ideal schedule", () => {
  it.each([10, 59, 60, 61, 100, 150, 250])(
    "converges %i webhooks on the ideal schedule of the documented limits",
    async (n) => {
      const grants = await converge(n);
      expect(grants).toEqual(idealSchedule({ writes: n, reads: n, dependentReads: n }));
    },
  );

  it("fills the first minute with 60 POSTs and 60 GETs, the 61st POST waiting its minute", async () => {
    const grants = await converge(100);
    const firstMinute = grants.filter((g) => g.at < 60_000);
    expect(firstMinute.filter((g) => g.kind === "write")).toHaveLength(60);
    expect(firstMinute.filter((g) => g.kind === "read")).toHaveLength(60);
    expect(grants.filter((g) => g.kind === "write")[60]!.at).toBe(60_000);
    expect(grants[grants.length - 1]!.at).toBe(67_900);
  });

  it("lets a read overtake a blocked write only within the windows", async () => {
    // 2 writes and 3 calls a minute: after 2 POSTs at 0 the next POST waits for the minute, and
    // only one read fits beside them without pushing that POST later.
    const { clock, state } = fakeClock();
    const limiter = new RateLimiter({
      clock,
      slackMs: 0,
      stats: stats(),
      limits: { minIntervalMs: 0, perMinute: 3, writesPerMinute: 2 },
    });
    const log: string[] = [];
    const take = (kind: "w" | "r", name: string) =>
      limiter.acquire(kind === "w").then((slot) => {
        log.push(`${name}@${state.now}`);
        slot.done();
      });
    await Promise.all([
      take("w", "w1"),
      take("w", "w2"),
      take("w", "w3"),
      take("r", "r1"),
      take("r", "r2"),
    ]);
    expect(log).toEqual(["w1@0", "w2@0", "r1@0", "w3@60000", "r2@60000"]);
  });
});
