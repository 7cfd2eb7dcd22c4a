/**
 * Rate limits: the limiter's arithmetic on a fake clock, and the 409 answers over HTTP.
 */
import { RateLimiter } from "../../emulator/limits";
import {
  DEFAULT_RATE_LIMITS,
  startEmulator,
  type EmulatorHandle,
  type RateLimits,
} from "../../emulator";
import { ADMIN_AUTH, basic, call, sleep, webhookBody } from "./helpers";

describe("RateLimiter (fake clock)", () => {
  function limiter(overrides: Partial<RateLimits> = {}, timeFactor = 1) {
    let t = 1_000_000;
    const l = new RateLimiter(overrides, timeFactor, () => t);
    return {
      check: (client: string, isWrite: boolean) => l.check(client, isWrite),
      advance: (ms: number) => {
        t += ms;
      },
    };
  }

  it("uses the documented defaults", () => {
    expect(new RateLimiter({}, 1).effectiveLimits()).toEqual({
      writesPerMinute: 60,
      writesPerDay: 5000,
      minIntervalMs: 100,
      perMinute: 120,
      perHour: 5000,
      perDay: 200000,
    });
    expect(DEFAULT_RATE_LIMITS.writesPerMinute).toBe(60);
  });

  it("enforces the 100 ms minimum interval, scaled by the time factor", () => {
    const l = limiter({}, 0.5);
    expect(l.check("a", false)).toBeUndefined();
    l.advance(49);
    expect(l.check("a", false)).toBe("minInterval");
    l.advance(1);
    expect(l.check("a", false)).toBeUndefined();
  });

  it("does not count throttled requests", () => {
    const l = limiter();
    expect(l.check("a", false)).toBeUndefined();
    for (let i = 0; i < 5; i++) {
      l.advance(10);
      expect(l.check("a", false)).toBe("minInterval");
    }
    // 50 ms after the last throttled one but 100 ms after the accepted one.
    l.advance(50);
    expect(l.check("a", false)).toBeUndefined();
  });

  it("limits writes to 60 per minute, reads still pass", () => {
    const l = limiter();
    for (let i = 0; i < 60; i++) {
      expect(l.check("a", true)).toBeUndefined();
      l.advance(100);
    }
    expect(l.check("a", true)).toBe("writesPerMinute");
    expect(l.check("a", false)).toBeUndefined();
    // The first write leaves the window 60 s after it was made.
    l.advance(60_000 - 6_000 - 1);
    expect(l.check("a", true)).toBe("writesPerMinute");
    l.advance(1);
    expect(l.check("a", true)).toBeUndefined();
  });

  it("limits every method to 120 per minute", () => {
    const l = limiter();
    for (let i = 0; i < 120; i++) {
      expect(l.check("a", false)).toBeUndefined();
      l.advance(100);
    }
    expect(l.check("a", false)).toBe("perMinute");
    expect(l.check("a", true)).toBe("perMinute");
  });

  it("scales the minute by the time factor", () => {
    const l = limiter({ minIntervalMs: 0 }, 0.01);
    for (let i = 0; i < 60; i++) expect(l.check("a", true)).toBeUndefined();
    expect(l.check("a", true)).toBe("writesPerMinute");
    l.advance(599);
    expect(l.check("a", true)).toBe("writesPerMinute");
    l.advance(1);
    expect(l.check("a", true)).toBeUndefined();
  });

  it("applies the hour and day windows", () => {
    const l = limiter({
      minIntervalMs: 0,
      perMinute: 1e9,
      perHour: 3,
      perDay: 4,
      writesPerDay: 2,
      writesPerMinute: 1e9,
    });
    expect(l.check("a", true)).toBeUndefined();
    expect(l.check("a", true)).toBeUndefined();
    expect(l.check("a", true)).toBe("writesPerDay");
    expect(l.check("a", false)).toBeUndefined();
    expect(l.check("a", false)).toBe("perHour");
    l.advance(3_600_000);
    expect(l.check("a", false)).toBeUndefined();
    expect(l.check("a", false)).toBe("perDay");
    l.advance(86_400_000);
    expect(l.check("a", false)).toBeUndefined();
  });

  it("keeps clients apart", () => {
    const l = limiter();
    expect(l.check("a", false)).toBeUndefined();
    expect(l.check("b", false)).toBeUndefined();
    expect(l.check("a", false)).toBe("minInterval");
  });

  it("rejects bad settings", () => {
    expect(() => new RateLimiter({ perMinute: -1 }, 1)).toThrow(/rateLimits.perMinute/);
    expect(() => new RateLimiter({}, 0)).toThrow(/timeFactor/);
  });
});

describe("rate limits over HTTP", () => {
  const emus: EmulatorHandle[] = [];
  afterAll(async () => {
    await Promise.all(emus.map((e) => e.stop()));
  });
  async function start(...args: Parameters<typeof startEmulator>): Promise<EmulatorHandle> {
    const e = await startEmulator(...args);
    emus.push(e);
    return e;
  }

  it("are off by default", async () => {
    const emu = await start();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call(emu, "GET", "/api/sys/webhooks")),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it("answer a burst with 409, Retry-After: 1 and an empty body, and log it", async () => {
    // The documented limits, with a spacing of 1 s instead of 100 ms: on a loaded machine the
    // ten requests of the burst can arrive more than 100 ms apart, never 1 s.
    const emu = await start({ rateLimits: { minIntervalMs: 1000 } });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(emu, "GET", "/api/sys/webhooks")),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.headers.get("retry-after")).toBe("1");
      expect(r.text).toBe("");
      expect(r.headers.get("content-length")).toBe("0");
    }
    const log = emu.requests();
    expect(log).toHaveLength(10);
    expect(log.filter((e) => e.status === 409)).toHaveLength(9);
    expect(log.every((e) => e.route === "search" && e.client === "admin@example.com")).toBe(true);
  });

  it("throttle a write without side effect", async () => {
    const emu = await start({ rateLimits: { minIntervalMs: 10_000 } });
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(200);
    const r = await call(emu, "POST", "/api/sys/webhooks", { body: webhookBody() });
    expect(r.status).toBe(409);
    expect(r.text).toBe("");
    expect(emu.records()).toEqual([]);
  });

  it("count per user", async () => {
    const emu = await start({ rateLimits: { minIntervalMs: 10_000 } });
    emu.addUser({ username: "other@example.com", password: "pw", roles: ["Administrator"] });
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(200);
    expect(
      (await call(emu, "GET", "/api/sys/webhooks", { auth: basic("other@example.com", "pw") }))
        .status,
    ).toBe(200);
    expect((await call(emu, "GET", "/api/sys/webhooks", { auth: ADMIN_AUTH })).status).toBe(409);
  });

  it("limit writes to 60 per scaled minute", async () => {
    const timeFactor = 0.03; // a minute lasts 1.8 s, the minimum interval 3 ms
    const emu = await start({ rateLimits: {}, timeFactor });
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      await sleep(5);
      statuses.push(
        (await call(emu, "POST", "/api/sys/webhooks", { body: webhookBody({ Name: `w${i}` }) }))
          .status,
      );
    }
    const elapsed = Date.now() - started;
    // The check below is only meaningful when the 61 writes fit in one scaled minute.
    expect(elapsed).toBeLessThan(60_000 * timeFactor);
    expect(statuses.slice(0, 60)).toEqual(Array(60).fill(200));
    expect(statuses[60]).toBe(409);
    expect(emu.records()).toHaveLength(60);
    // Reads are not write-limited.
    await sleep(5);
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(200);
    // Once the scaled minute has passed, writes go through again.
    await sleep(60_000 * timeFactor - (Date.now() - started) + 50);
    expect((await call(emu, "POST", "/api/sys/webhooks", { body: webhookBody() })).status).toBe(
      200,
    );
    expect(emu.records()).toHaveLength(61);
  });

  it("can be switched on and off at run time", async () => {
    const emu = await start();
    emu.setRateLimits({ minIntervalMs: 10_000 });
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(200);
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(409);
    emu.setRateLimits(false);
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(200);
  });

  it("do not apply to unauthenticated requests or the token endpoint", async () => {
    const emu = await start({ rateLimits: { minIntervalMs: 10_000 } });
    for (let i = 0; i < 3; i++) {
      expect((await call(emu, "GET", "/api/sys/webhooks", { auth: null })).status).toBe(401);
    }
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(200);
  });
});
