/**
 * API calls per operation through the REAL dynamic-provider host, a no-change `up` of many
 * webhooks, and the size of what lands in state. Behaviour only: timings belong to `npm run bench`.
 */
import type { EmulatorHandle } from "../../emulator";
import { withInputs, type CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import type { Host } from "../../testing/host";
import { Counter, fleet, stateBytes, usePerfRig } from "./helpers";

const TOKEN = "tok-perf-calls-1f2e3d";

// Counts do not depend on pacing: no client-side limiter (the emulator's limits are off too).
const perf = usePerfRig(TOKEN, { host: { env: { NEXUDUS_RATE_LIMIT: "off" } } });
let emulator: EmulatorHandle;
let host: Host;
let template: CapturedResource;
let calls: Counter;
beforeAll(() => ({ emulator, host, template, calls } = perf));

describe("API calls per operation", () => {
  const d = () => withInputs(template, { name: "Per-op", description: "counted" }, "per-op");
  let id = "";
  let outputs: Record<string, unknown> = {};
  let inputs: Record<string, unknown> = {};

  it("check makes no call", async () => {
    calls.reset();
    inputs = (await host.check(d().urn, {}, d().inputs)).inputs;
    expect(calls.total).toBe(0);
  });

  it("create makes 3: the pre-create snapshot search, the POST, and the GET that reads back the declared description as stored", async () => {
    calls.reset();
    const r = await host.create(d().urn, inputs);
    ({ id, properties: outputs } = r);
    expect(calls.requests().map((r) => r.route)).toEqual(["search", "create", "get"]);
    const record = emulator.record(Number(id))!;
    expect(outputs).toMatchObject({
      webhookId: record.Id,
      uniqueId: record.UniqueId,
      createdOn: record.CreatedOn,
      updatedOn: record.UpdatedOn,
      description: "counted",
    });
  });

  it("diff makes no call, with or without a change", async () => {
    calls.reset();
    const same = await host.diff(id, d().urn, outputs, inputs);
    const renamed = { ...inputs, name: "Per-op (renamed)" };
    const changed = await host.diff(id, d().urn, outputs, renamed);
    expect([same.changes, changed.changes]).toEqual(["NONE", "SOME"]);
    expect(calls.total).toBe(0);
  });

  it("update makes 2: the GET the full-replace PUT is built from, and the PUT", async () => {
    calls.reset();
    inputs = { ...inputs, name: "Per-op (renamed)" };
    outputs = (await host.update(id, d().urn, outputs, inputs)).properties;
    expect(calls.requests().map((r) => r.route)).toEqual(["get", "update"]);
    expect(outputs.name).toBe("Per-op (renamed)");
  });

  it("read (refresh, default account mode) makes 1: the account's page", async () => {
    calls.reset();
    const r = await host.read(id, d().urn, outputs, inputs);
    expect(r.id).toBe(id);
    expect(calls.requests().map((r) => r.route)).toEqual(["search"]);
    expect(calls.requests()[0]!.query).not.toContain("WebHook_Business");
  });

  it("delete makes 1", async () => {
    calls.reset();
    await host.delete(id, d().urn, outputs);
    expect(calls.requests().map((r) => r.route)).toEqual(["delete"]);
    expect(emulator.records()).toHaveLength(0);
  });
});

describe("many webhooks through one host", () => {
  const N = 60;
  let engine: Engine;
  let createRoutes: string[] = [];

  beforeAll(async () => {
    engine = new Engine(host, { parallel: N });
    calls.reset();
    await engine.up(fleet(template, N), { parallel: N });
    createRoutes = calls.requests().map((r) => r.route);
  });

  afterAll(async () => {
    await engine.destroy({ parallel: N });
  });

  it(`converges ${N} new webhooks with a POST each and shared search pages (snapshot and outputs), a GET only to learn descriptions`, () => {
    expect(emulator.records()).toHaveLength(N);
    expect(engine.state.size).toBe(N);
    expect(createRoutes.filter((r) => r === "create")).toHaveLength(N);
    // A GET only to learn that the server keeps descriptions as sent (recordWithDescription).
    const gets = createRoutes.filter((r) => r === "get").length;
    expect(gets).toBeLessThanOrEqual(3);
    // Per burst, one snapshot page before the POSTs and one outputs page after them.
    const searches = createRoutes.filter((r) => r === "search").length;
    expect(searches).toBeGreaterThanOrEqual(2);
    expect(searches).toBeLessThanOrEqual(2 * Math.ceil(N / 10));
    expect(createRoutes).toHaveLength(N + searches + gets);
    for (const e of engine.state.values()) {
      const record = emulator.record(Number(e.id))!;
      expect(e.outputs).toMatchObject({
        uniqueId: record.UniqueId,
        updatedOn: record.UpdatedOn,
        description: record.Description,
      });
    }
  });

  it(`makes no call for a preview or an up of ${N} unchanged webhooks`, async () => {
    calls.reset();
    const plan = await engine.preview(fleet(template, N), { parallel: N });
    expect(plan.summary).toEqual({ same: N });
    const result = await engine.up(fleet(template, N), { parallel: N });
    expect(result.summary).toEqual({ same: N });
    expect(calls.total).toBe(0);
  });

  it("updates only what changed: 2 calls per changed webhook, none for the rest", async () => {
    const desired = fleet(template, N).map((d, i) =>
      i < 3 ? withInputs(d, { name: `renamed ${i}` }) : d,
    );
    calls.reset();
    const result = await engine.up(desired, { parallel: N });
    expect(result.summary).toEqual({ same: N - 3, update: 3 });
    expect(calls.count("get")).toBe(3);
    expect(calls.count("update")).toBe(3);
    expect(calls.total).toBe(6);
  });
});

describe("state size", () => {
  it("keeps the serialized __provider under 8 KB", () => {
    const bytes = Buffer.byteLength(String(template.inputs.__provider), "utf8");
    expect(bytes).toBeLessThanOrEqual(8 * 1024);
  });

  it("keeps one webhook's state (inputs + outputs) under 12 KB, even with long values", async () => {
    const engine = new Engine(host);
    const typical = withInputs(
      template,
      { description: "Bookings to the #ops channel" },
      "typical",
    );
    const long = withInputs(
      template,
      {
        name: "N".repeat(255),
        url: `https://hooks.example.com/${"u".repeat(2048 - 26)}`,
        description: "D".repeat(500),
      },
      "long",
    );
    expect(String(long.inputs.url)).toHaveLength(2048);
    await engine.up([typical, long]);
    for (const name of ["typical", "long"]) {
      const entry = engine.find(name)!;
      expect(entry.outputs.__provider).toBe(template.inputs.__provider);
      expect(stateBytes(entry)).toBeLessThanOrEqual(12 * 1024);
    }
    expect(stateBytes(engine.find("typical")!)).toBeLessThanOrEqual(6 * 1024);
    await engine.destroy();
  });
});
