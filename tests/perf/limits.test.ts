/**
 * At the limit without being throttled: converging, refreshing and destroying 100 webhooks through
 * one host against the emulator with the documented limits on (time-scaled) draws no more than the
 * tolerated 409 (testing/throttle.ts), answers every call and surfaces no error. Behaviour only: how close to the limits this runs is `npm run bench`'s job.
 */
import type { EmulatorHandle } from "../../emulator";
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import type { Host } from "../../testing/host";
import { count409s, TOLERATED_409S } from "../../testing/throttle";
import { Counter, fleet, usePerfRig } from "./helpers";

const TOKEN = "tok-perf-limits-7c6b5a";
const N = 100;
const TIME_FACTOR = "0.02";

const perf = usePerfRig(TOKEN, {
  emulator: { rateLimits: {}, timeFactor: Number(TIME_FACTOR) },
  host: { env: { NEXUDUS_TIME_FACTOR: TIME_FACTOR } },
  // One GET per webhook on refresh: enough reads to cross the minute's limit.
  config: (emulator) => ({
    "nexudus:baseUrl": emulator.url,
    "nexudus:token": { secret: TOKEN },
    "nexudus:refreshMode": "get",
  }),
});
let emulator: EmulatorHandle;
let host: Host;
let template: CapturedResource;
let calls: Counter;
beforeAll(() => ({ emulator, host, template, calls } = perf));

const throttled = () => count409s(calls.requests());
/** Requests of a route the emulator answered (a 409 is sent again, so it is not counted). */
const answered = (route: string) =>
  calls.requests().filter((r) => r.route === route && r.status !== 409).length;

describe(`${N} webhooks at the documented limits`, () => {
  const engine = () => new Engine(host, { parallel: N });
  let e: Engine;

  it("converges them with a POST each and shared search pages, at most the tolerated 409 and no error", async () => {
    e = engine();
    calls.reset();
    const result = await e.up(fleet(template, N), { parallel: N, throwOnError: false });
    expect(result.errors).toHaveLength(0);
    expect(result.summary).toEqual({ create: N });
    expect(throttled()).toBeLessThanOrEqual(TOLERATED_409S);
    expect(answered("create")).toBe(N);
    // A GET only to learn that the server keeps descriptions as sent (recordWithDescription).
    const gets = calls.count("get");
    expect(gets).toBeLessThanOrEqual(3);
    const searches = calls.requests().filter((r) => r.route === "search").length;
    expect(searches).toBeLessThanOrEqual(2 * Math.ceil(N / 10));
    expect(calls.total).toBe(N + searches + gets + throttled());
    expect(emulator.records()).toHaveLength(N);
  });

  it("refreshes them with a GET each, at most the tolerated 409", async () => {
    calls.reset();
    const result = await e.refresh({ parallel: N, throwOnError: false });
    expect(result.errors).toHaveLength(0);
    expect(throttled()).toBeLessThanOrEqual(TOLERATED_409S);
    expect(calls.total).toBe(N + throttled());
  });

  it("destroys them (more writes than a minute allows) with a DELETE each, at most the tolerated 409", async () => {
    calls.reset();
    const result = await e.destroy({ parallel: N, throwOnError: false });
    expect(result.errors).toHaveLength(0);
    expect(throttled()).toBeLessThanOrEqual(TOLERATED_409S);
    expect(calls.total).toBe(N + throttled());
    expect(emulator.records()).toHaveLength(0);
  });
});
