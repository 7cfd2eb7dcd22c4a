/**
 * The client-side limiter against the emulator's documented rate limits (time factor 0.02 on
 * both sides, so a minute lasts 1.2 s): bursts run with every call answered and at most the
 * tolerated 409 (testing/throttle.ts); without the limiter the same burst is throttled.
 */
import type { EmulatorHandle } from "../../emulator";
import type { NexudusClient } from "../../client/client";
import { recordFigures } from "../../testing/figures";
import { TOLERATED_409S } from "../../testing/throttle";
import { TF, body, passwordClient, startTestEmulator, tokenClient } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startTestEmulator({ rateLimits: {}, timeFactor: TF });
});
afterAll(() => emu.stop());
beforeEach(() => {
  emu.setRateLimits({}); // fresh counters, documented limits
  emu.clearRequests();
});

function statuses(): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of emu.requests()) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

describe("client-side rate limiting", () => {
  it("50 parallel creates, then 50 parallel gets: all answered, at most the tolerated 409", async () => {
    const client: NexudusClient = passwordClient(emu, { rateLimit: true });
    const started = performance.now();
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.create(body(`burst-${i}`))),
    );
    const records = await Promise.all(created.map(({ id }) => client.get(id)));
    const elapsed = performance.now() - started;
    expect(records.map((r) => r.Name).sort()).toEqual(
      Array.from({ length: 50 }, (_, i) => `burst-${i}`).sort(),
    );
    // 1 token + 50 creates + 50 gets, each answered once (a 409 is sent again)
    const { 200: ok, 409: throttled = 0, ...other } = statuses();
    expect({ ok, other }).toEqual({ ok: 101, other: {} });
    expect(throttled).toBeLessThanOrEqual(TOLERATED_409S);
    const s = client.share.limiterStats();
    expect(s.waits).toBeGreaterThan(90);
    recordFigures("client: 100-call burst under the emulator's limits (time factor 0.02)", {
      calls: 100,
      "409s": throttled,
      "elapsed (ms)": Math.round(elapsed),
      "limiter waits": s.waits,
      "limiter total wait (ms)": Math.round(s.totalWaitMs),
    });
  });

  it("130 parallel reads cross the 120-per-minute window, at most the tolerated 409", async () => {
    const client = tokenClient(emu, { rateLimit: true });
    const id = emu.insert(body("window")).Id;
    const started = performance.now();
    await Promise.all(Array.from({ length: 130 }, () => client.get(id)));
    const elapsed = performance.now() - started;
    // Every read answered; why a 409 is tolerated: testing/throttle.ts.
    const { 200: ok, 409: throttled = 0, ...other } = statuses();
    expect({ ok, other }).toEqual({ ok: 130, other: {} });
    expect(throttled).toBeLessThanOrEqual(TOLERATED_409S);
    // the 121st read had to wait for the first slot to leave the (1.2 s) minute
    expect(elapsed).toBeGreaterThanOrEqual(60_000 * TF);
    // …and no more than that plus one (loopback) round trip per request: a loose bound, for a
    // loaded machine; the exact schedule is asserted with a fake clock in limiter.test.ts.
    expect(elapsed).toBeLessThan(60_000 * TF + 4000);
  });

  it("jittered round trips (20 to 30 ms, counted after the delay): 70 parallel creates, at most the tolerated 409", async () => {
    // Every request waits 20 ms plus up to 10 ms more before the emulator counts and answers it:
    // the limiter spaces the burst from the sends plus the jitter margin (client/ratelimit/limiter.ts),
    // across the 60-writes minute. tests/perf/limiter.jitter.test.ts checks the same rule in
    // virtual time, without the loopback's own jitter.
    emu.injectFault({ route: "*", kind: "delay", delayMs: 20, jitterMs: 10, times: Infinity });
    try {
      const client = tokenClient(emu, { rateLimit: true });
      const started = performance.now();
      const created = await Promise.all(
        Array.from({ length: 70 }, (_, i) => client.create(body(`jitter-${i}`))),
      );
      const elapsed = performance.now() - started;
      expect(new Set(created.map((c) => c.id)).size).toBe(70);
      const { 200: ok, 409: throttled = 0, ...other } = statuses();
      expect({ ok, other }).toEqual({ ok: 70, other: {} });
      expect(throttled).toBeLessThanOrEqual(TOLERATED_409S);
      // The 61st POST waits for the first to leave the (1.2 s) minute.
      expect(elapsed).toBeGreaterThanOrEqual(60_000 * TF);
      recordFigures("client: 70 creates with 20-30 ms round trips (time factor 0.02)", {
        calls: 70,
        "409s": throttled,
        "elapsed (ms)": Math.round(elapsed),
      });
    } finally {
      emu.clearFaults();
    }
  });

  it("without the limiter the same burst is throttled (the emulator enforces the limits)", async () => {
    const client = tokenClient(emu, { rateLimit: false, maxRetries: 0 });
    const id = emu.insert(body("unlimited")).Id;
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.get(id)));
    expect(results.filter((r) => r.status === "rejected").length).toBeGreaterThan(0);
    expect(statuses()[409]).toBeGreaterThan(0);
  });
});
