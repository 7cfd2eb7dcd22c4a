/**
 * Throttling at scale: 60 webhooks created in parallel through one REAL dynamic-provider host,
 * with the emulator enforcing the API's documented limits (1 request per 100 ms, 120 per minute,
 * 60 writes per minute...), time-scaled by 0.02 on both sides so that a minute lasts 1.2 s. Every
 * create must succeed, the emulator may answer at most the tolerated 409s (testing/throttle.ts),
 * and none may surface as an error; then the 60 are destroyed in parallel under the same limits.
 */
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { TOLERATED_409S } from "../../testing/throttle";
import { audit, captureTemplate, clean, hookFrom, startRig, type Rig } from "./helpers";

const TIME_FACTOR = 0.02;
const COUNT = 60;

let rig: Rig;
let template: CapturedResource;

beforeAll(async () => {
  template = await captureTemplate();
  rig = await startRig({
    emulator: { rateLimits: {}, timeFactor: TIME_FACTOR },
    host: {
      env: {
        NEXUDUS_TIME_FACTOR: String(TIME_FACTOR),
        NEXUDUS_TIMEOUT_MS: "10000",
        NEXUDUS_MAX_RETRIES: "5",
      },
    },
  });
});

afterAll(async () => {
  await rig?.stop();
});

function statusCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rig.emulator.requests()) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

it("creates then destroys 60 webhooks in parallel under the documented limits, with no error", async () => {
  const { emulator, host } = rig;
  const hooks = Array.from({ length: COUNT }, (_, i) => {
    const n = String(i).padStart(2, "0");
    return hookFrom(template, `hook-${n}`, {
      name: `Throttle hook ${n}`,
      url: `https://hooks.example.com/throttle/${n}`,
      action: i % 2 === 0 ? "BookingCreate" : "CoworkerInvoicePaid",
    });
  });
  const engine = new Engine(host, { parallel: COUNT });

  emulator.setRateLimits({}); // fresh counters, documented limits
  emulator.clearRequests();
  const up = await engine.up(hooks, { throwOnError: false });
  const upStatuses = statusCounts();
  const upRequests = emulator.requests().length;

  expect(up.errors.map((s) => s.error?.message)).toEqual([]);
  expect(up.summary).toEqual({ create: COUNT });
  const records = emulator.records();
  expect(records).toHaveLength(COUNT);
  expect(new Set(records.map((r) => r.Name)).size).toBe(COUNT);
  expect(clean(audit(emulator, [engine]))).toBe(true);
  for (const h of hooks) {
    const entry = engine.state.get(h.urn);
    expect(emulator.record(Number(entry?.id))?.Name).toBe(h.inputs.name);
  }
  const upThrottled = upStatuses["409"] ?? 0;
  expect(upThrottled).toBeLessThanOrEqual(TOLERATED_409S);
  // One POST per webhook (a throttled request is sent again), no GET; shared search pages: the
  // pre-create snapshot and the outputs page, each shared by the creates that start together.
  const upLog = emulator.requests();
  expect(upLog.filter((r) => r.route === "create" && r.status !== 409)).toHaveLength(COUNT);
  expect(upLog.filter((r) => r.route === "get")).toHaveLength(0);
  const searches = upLog.filter((r) => r.route === "search").length;
  expect(searches).toBeGreaterThanOrEqual(2);
  expect(upRequests).toBe(COUNT + upThrottled + searches);

  emulator.clearRequests();
  const destroy = await engine.destroy({ parallel: COUNT, throwOnError: false });
  const destroyStatuses = statusCounts();
  expect(destroy.errors.map((s) => s.error?.message)).toEqual([]);
  expect(emulator.records()).toEqual([]);
  expect(engine.state.size).toBe(0);
  const destroyThrottled = destroyStatuses["409"] ?? 0;
  expect(destroyThrottled).toBeLessThanOrEqual(TOLERATED_409S);

  recordFigures(
    `Throttling: ${COUNT} webhooks in parallel through one host, documented limits × ${TIME_FACTOR}`,
    [
      {
        step: "up (create)",
        webhooks: COUNT,
        "API requests": upRequests,
        "409s answered": upThrottled,
        errors: up.errors.length,
        "duration (ms)": up.durationMs,
      },
      {
        step: "destroy",
        webhooks: COUNT,
        "API requests": emulator.requests().length,
        "409s answered": destroyThrottled,
        errors: destroy.errors.length,
        "duration (ms)": destroy.durationMs,
      },
    ],
  );
}, 90_000);
