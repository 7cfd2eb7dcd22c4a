/**
 * A property of the client's limiter (fast-check): for generated limits, arrivals of reads and
 * writes, and answer latencies (some never answered), no window ever holds more requests than its
 * limit, and every request is granted, first come first served within its kind.
 *
 * "In a window" uses the limiter's model of when the server counts a request (client/ratelimit/limiter.ts):
 * somewhere between its send and its reference time, the answer or `sentAt + maxInFlightMs`,
 * whichever is first. A grant is within the limits when, for each rule "at most L in W", fewer
 * than L earlier requests of the kind the rule counts have a reference time plus W later than the
 * grant's send time: even if they all reached the server as late as possible and this one
 * as early as possible, no W-long window sees more than L.
 */
import fc from "fast-check";
import { RateLimiter, type RateLimits } from "../../client/ratelimit/limiter";
import { VirtualTime } from "../../testing/virtualTime";

/** Runs of the property: each simulates up to 40 requests in virtual time (about 5 ms a run). */
const NUM_RUNS = 150;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Request {
  write: boolean;
  /** ms after the previous request's arrival at the limiter. */
  gap: number;
  /** ms from grant to answer; undefined: never answered. */
  latency: number | undefined;
}

const scenario = fc.record({
  limits: fc.record({
    minIntervalMs: fc.integer({ min: 0, max: 200 }),
    perMinute: fc.integer({ min: 1, max: 8 }),
    perHour: fc.integer({ min: 1, max: 20 }),
    writesPerMinute: fc.integer({ min: 1, max: 5 }),
    writesPerDay: fc.integer({ min: 1, max: 12 }),
  }),
  timeFactor: fc.constantFrom(1, 0.02),
  maxInFlightMs: fc.integer({ min: 1, max: 800 }),
  requests: fc.array(
    fc.record({
      write: fc.boolean(),
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2_000 })),
      latency: fc.option(fc.integer({ min: 0, max: 1_000 }), { nil: undefined, freq: 8 }),
    }),
    { maxLength: 40 },
  ),
});

interface Grant {
  index: number;
  write: boolean;
  sentAt: number;
  answeredAt?: number;
}

async function simulate(
  limits: RateLimits,
  timeFactor: number,
  maxInFlightMs: number,
  requests: Request[],
): Promise<Grant[]> {
  const time = new VirtualTime();
  const limiter = new RateLimiter({
    limits,
    timeFactor,
    maxInFlightMs,
    slackMs: 0,
    // The latency credit assumes an answer takes at least half the shortest round trip to come
    // back, which virtual time does not model: the windows are checked on the plain reference
    // (the answer, or the in-flight bound); the credit has its own tests in limiter.test.ts.
    sendSpacing: false,
    clock: time.clock,
    stats: { acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 },
  });
  const grants: Grant[] = [];
  let arrival = 0;
  requests.forEach((r, index) => {
    arrival += r.gap;
    time.at(arrival, () => {
      void limiter.acquire(r.write).then((slot) => {
        const grant: Grant = { index, write: r.write, sentAt: time.now };
        grants.push(grant);
        if (r.latency !== undefined) {
          time.at(time.now + r.latency, () => {
            grant.answeredAt = time.now;
            slot.done();
          });
        }
      });
    });
  });
  await time.run();
  return grants;
}

describe("the limiter's windows", () => {
  test("no window ever exceeds its limit; every request is granted, FIFO within its kind", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ limits, timeFactor, maxInFlightMs, requests }) => {
        const grants = await simulate(limits, timeFactor, maxInFlightMs, requests);
        expect(grants).toHaveLength(requests.length);
        for (const write of [false, true]) {
          const order = grants.filter((g) => g.write === write).map((g) => g.index);
          expect(order).toEqual([...order].sort((a, b) => a - b));
        }

        const rules = [
          { limit: 1, windowMs: limits.minIntervalMs, writesOnly: false },
          { limit: limits.perMinute, windowMs: MINUTE, writesOnly: false },
          { limit: limits.perHour, windowMs: HOUR, writesOnly: false },
          { limit: limits.writesPerMinute, windowMs: MINUTE, writesOnly: true },
          { limit: limits.writesPerDay, windowMs: DAY, writesOnly: true },
        ];
        const reference = (g: Grant) =>
          Math.min(g.answeredAt ?? Infinity, g.sentAt + maxInFlightMs);
        grants.forEach((g, k) => {
          for (const rule of rules) {
            const windowMs = rule.windowMs * timeFactor;
            // A rule with no window (minIntervalMs 0) limits nothing.
            if ((rule.writesOnly && !g.write) || windowMs <= 0) continue;
            const inWindow = grants
              .slice(0, k)
              .filter((e) => (!rule.writesOnly || e.write) && reference(e) + windowMs > g.sentAt);
            expect({ rule, request: g.index, inWindow: inWindow.length }).toEqual({
              rule,
              request: g.index,
              inWindow: Math.min(inWindow.length, rule.limit - 1),
            });
          }
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
