/**
 * The WebHook resource's whole lifecycle through the REAL dynamic-provider host (spawned, driven
 * over gRPC in the engine's order and shapes) against the emulator on loopback. Every scenario
 * asserts the emulator's records and its request log.
 */
import type { EmulatorHandle } from "../../emulator";
import { WebHook, type WebHookArgs } from "../../sdk";
import { captureResources, withInputs, type CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { HostCallError, secretValue, startHost, UNKNOWN, type Host } from "../../testing/host";
import { useRig } from "../../testing/rig";

const TOKEN = "tok-lifecycle-7f3a9c1e5b";
const HQ = 1234;
const ANNEX = 5678;
const base: WebHookArgs = {
  businessId: HQ,
  name: "Bookings to Slack",
  action: "BookingCreate",
  url: "https://hooks.example.com/nexudus/bookings",
};

// A short client timeout: after an ambiguous POST the provider looks for the record for about
// two timeouts before giving up, which would make the "reset" case slow with the 30 s default.
const suite = useRig({
  token: TOKEN,
  emulator: {
    locations: [
      { id: HQ, name: "HQ" },
      { id: ANNEX, name: "Annex" },
    ],
  },
  host: { env: { NEXUDUS_TIMEOUT_MS: "1500" } },
});
let emulator: EmulatorHandle;
let host: Host;
let template: CapturedResource;

function desired(changes: Record<string, unknown> = {}, name = "bookings"): CapturedResource {
  return withInputs(template, changes, name);
}

function writes(): string[] {
  return emulator
    .requests()
    .filter((r) => r.method !== "GET")
    .map((r) => `${r.method} ${r.path}`);
}

function calls(): number {
  return emulator.requests().length;
}

beforeAll(async () => {
  ({ emulator, host } = suite);
  const captured = await captureResources(() => {
    new WebHook("bookings", base);
  });
  template = captured[0]!;
});

function newEngine(): Engine {
  emulator.clearRequests();
  return new Engine(host);
}

describe("the serialized provider", () => {
  it("has the WebHook type token and a small __provider with no credential, config or schema", () => {
    expect(template.type).toBe("pulumi-nodejs:dynamic/nexudus:WebHook");
    const code = template.inputs.__provider as string;
    expect(code.length).toBeLessThan(4096);
    expect(code).toContain('require("pulumi-nexudus/provider")');
    for (const forbidden of [
      TOKEN,
      "emulator-admin-token",
      "zod",
      "axios",
      "safeParse",
      emulator.url,
    ]) {
      expect(code).not.toContain(forbidden);
    }
  });
});

describe("WebHook lifecycle", () => {
  let engine: Engine;
  beforeAll(() => {
    engine = newEngine();
  });

  it("previews a new stack with check and diff only, unknown inputs allowed, and no API call", async () => {
    const plan = await engine.preview([desired({ url: UNKNOWN })]);
    expect(plan.summary).toEqual({ create: 1 });
    expect(plan.steps[0]!.inputs).toMatchObject({ action: 6, url: UNKNOWN, active: true });
    expect(calls()).toBe(0);
    expect(emulator.records()).toHaveLength(0);
  });

  it("creates with the shared pre-create snapshot (one search), one POST and one GET, returning every output", async () => {
    await engine.up([desired({ description: "to the #bookings channel" })]);
    expect(writes()).toEqual(["POST /api/sys/webhooks"]);
    expect(emulator.requests().map((r) => r.route)).toEqual(["search", "create", "get"]);
    expect(calls()).toBe(3);
    const [record] = emulator.records();
    expect(record).toMatchObject({
      BusinessId: HQ,
      Name: "Bookings to Slack",
      Action: 6,
      Active: true,
    });
    const outs = engine.find("bookings")!.outputs;
    expect(outs).toMatchObject({
      webhookId: record!.Id,
      uniqueId: record!.UniqueId,
      actionName: "BookingCreate",
      action: 6,
      businessId: HQ,
      url: base.url,
      description: "to the #bookings channel",
      active: true,
      errorCount: 0,
      lastError: null,
      lastTrigger: null,
      updatedBy: "ops@example.com",
    });
    expect(engine.find("bookings")!.id).toBe(String(record!.Id));
    expect(JSON.stringify(engine.snapshot())).not.toContain(TOKEN);
  });

  it("makes no API call when nothing changed, and accepts the action as a number", async () => {
    emulator.clearRequests();
    const result = await engine.up([
      desired({ description: "to the #bookings channel", action: 6 }),
    ]);
    expect(result.summary).toEqual({ same: 1 });
    expect(calls()).toBe(0);
  });

  it("renames and changes the URL in place with GET + PUT, keeping other fields", async () => {
    const id = emulator.records()[0]!.Id;
    emulator.patch(id, { SystemId: "crm-7" });
    emulator.clearRequests();
    const result = await engine.up([
      desired({
        name: "Bookings (renamed)",
        url: "https://hooks.example.com/v2",
        description: "to the #bookings channel",
      }),
    ]);
    expect(result.summary).toEqual({ update: 1 });
    expect(emulator.requests().map((r) => r.method)).toEqual(["GET", "PUT"]);
    expect(emulator.record(id)).toMatchObject({
      Name: "Bookings (renamed)",
      URL: "https://hooks.example.com/v2",
      Description: "to the #bookings channel",
      SystemId: "crm-7",
      Active: true,
    });
    expect(engine.find("bookings")!.outputs).toMatchObject({
      name: "Bookings (renamed)",
      url: "https://hooks.example.com/v2",
    });
  });

  it("deactivates", async () => {
    emulator.clearRequests();
    await engine.up([
      desired({ name: "Bookings (renamed)", url: "https://hooks.example.com/v2", active: false }),
    ]);
    const [record] = emulator.records();
    expect(record).toMatchObject({ Active: false, Description: null });
    expect(engine.find("bookings")!.outputs.active).toBe(false);
  });

  it("moves to another location by replacing it, creating the new one before deleting the old", async () => {
    const oldId = emulator.records()[0]!.Id;
    emulator.clearRequests();
    const result = await engine.up([desired({ businessId: ANNEX })]);
    expect(result.summary).toMatchObject({ replace: 1 });
    expect(writes()).toEqual(["POST /api/sys/webhooks", `DELETE /api/sys/webhooks/${oldId}`]);
    const records = emulator.records();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ BusinessId: ANNEX, Active: true });
    expect(engine.find("bookings")!.id).toBe(String(records[0]!.Id));
  });

  it("drops a webhook deleted out of band on refresh, and creates it again on up", async () => {
    const id = emulator.records()[0]!.Id;
    emulator.remove(id);
    emulator.clearRequests();
    const refreshed = await engine.refresh();
    expect(refreshed.steps[0]).toMatchObject({ op: "read", gone: true });
    expect(engine.find("bookings")).toBeUndefined();
    // The default `account` mode: the account's page (no row), then the GET that answers 404.
    expect(calls()).toBe(2);
    await engine.up([desired({ businessId: ANNEX })]);
    expect(emulator.records()).toHaveLength(1);
    expect(emulator.records()[0]!.Id).not.toBe(id);
  });

  it("sees an out-of-band change on refresh and corrects it on up", async () => {
    const id = emulator.records()[0]!.Id;
    emulator.patch(id, { Name: "changed by hand", URL: "https://evil.example.com/" });
    emulator.clearRequests();
    const refreshed = await engine.refresh();
    expect(refreshed.steps[0]).toMatchObject({ op: "read", inputsReplaced: true });
    expect(engine.find("bookings")!.inputs).toMatchObject({ name: "changed by hand" });
    const plan = await engine.preview([desired({ businessId: ANNEX })]);
    expect(plan.summary).toEqual({ update: 1 });
    await engine.up([desired({ businessId: ANNEX })]);
    expect(emulator.record(id)).toMatchObject({ Name: base.name, URL: base.url });
  });

  it("re-enables a webhook that Nexudus disabled after 10 failed deliveries", async () => {
    const id = emulator.records()[0]!.Id;
    emulator.patch(id, { URL: "http://127.0.0.1:9/unreachable" });
    for (let i = 0; i < 10; i++) await emulator.fire(ANNEX, 6);
    expect(emulator.record(id)).toMatchObject({ Active: false, ErrorCount: 10 });
    await engine.refresh();
    const outs = engine.find("bookings")!.outputs;
    expect(outs).toMatchObject({ active: false, errorCount: 10 });
    expect(typeof outs.lastError).toBe("string");
    const result = await engine.up([desired({ businessId: ANNEX })]);
    expect(result.summary).toEqual({ update: 1 });
    expect(emulator.record(id)).toMatchObject({ Active: true, URL: base.url });
  });

  it("destroys with one DELETE", async () => {
    emulator.clearRequests();
    await engine.destroy();
    expect(writes()).toHaveLength(1);
    expect(writes()[0]).toMatch(/^DELETE /);
    expect(emulator.records()).toHaveLength(0);
  });

  it("counts a webhook already deleted as deleted", async () => {
    const e = newEngine();
    await e.up([desired()]);
    emulator.remove(emulator.records()[0]!.Id);
    await e.destroy();
    expect(e.state.size).toBe(0);
  });
});

describe("adopt", () => {
  afterEach(() => {
    for (const r of emulator.records()) emulator.remove(r.Id);
  });

  it("takes over the one webhook with the same action and URL, updating it to the declared values", async () => {
    const existing = emulator.insert({
      BusinessId: HQ,
      Action: 6,
      URL: base.url as string,
      Name: "made by hand",
      Description: "old",
      SystemId: "x",
    });
    emulator.insert({ BusinessId: HQ, Action: 7, URL: base.url as string, Name: "other action" });
    const engine = newEngine();
    await engine.up([desired({ adopt: true })]);
    expect(writes()).toEqual(["PUT /api/sys/webhooks"]);
    expect(emulator.records()).toHaveLength(2);
    expect(emulator.record(existing.Id)).toMatchObject({
      Name: base.name,
      Description: null,
      SystemId: "x",
      Active: true,
    });
    expect(engine.find("bookings")!.id).toBe(String(existing.Id));
  });

  it("takes over without writing when the webhook already matches", async () => {
    const existing = emulator.insert({
      BusinessId: HQ,
      Action: 6,
      URL: base.url as string,
      Name: base.name as string,
      Active: true,
    });
    const engine = newEngine();
    await engine.up([desired({ adopt: true })]);
    expect(writes()).toEqual([]);
    expect(engine.find("bookings")!.id).toBe(String(existing.Id));
  });

  it("fails and lists the ids when several webhooks match", async () => {
    const a = emulator.insert({ BusinessId: HQ, Action: 6, URL: base.url as string, Name: "a" });
    const b = emulator.insert({ BusinessId: HQ, Action: 6, URL: base.url as string, Name: "b" });
    const engine = newEngine();
    const result = await engine.up([desired({ adopt: true })], { throwOnError: false });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.error!.message).toContain(`ids ${a.Id}, ${b.Id}`);
    expect(writes()).toEqual([]);
    expect(emulator.records()).toHaveLength(2);
  });

  it("creates a new webhook when none matches exactly (a URL that merely contains it does not count)", async () => {
    emulator.insert({ BusinessId: HQ, Action: 6, URL: `${base.url as string}/longer`, Name: "a" });
    emulator.insert({
      BusinessId: ANNEX,
      Action: 6,
      URL: base.url as string,
      Name: "other location",
    });
    const engine = newEngine();
    await engine.up([desired({ adopt: true })]);
    expect(writes()).toEqual(["POST /api/sys/webhooks"]);
    expect(emulator.records()).toHaveLength(3);
  });
});

describe("faults during create", () => {
  afterEach(() => {
    emulator.clearFaults();
    for (const r of emulator.records()) emulator.remove(r.Id);
  });

  it("records a webhook whose read-back failed after the POST, instead of leaking it", async () => {
    const engine = newEngine();
    // The shared search page fails, and so does the GET each create then falls back to.
    emulator.injectFault({ route: "search", kind: "status", status: 500, times: Infinity });
    emulator.injectFault({ route: "get", kind: "status", status: 500, times: Infinity });
    const result = await engine.up([desired()], { throwOnError: false });
    expect(result.errors).toHaveLength(1);
    const error = result.errors[0]!.error as HostCallError;
    expect(error.message).toMatch(/created webhook \d+ but could not read it back/);
    expect(emulator.records()).toHaveLength(1);
    const id = String(emulator.records()[0]!.Id);
    expect(engine.find("bookings")).toMatchObject({ id });
    emulator.clearFaults();
    await engine.up([desired()]);
    expect(emulator.records()).toHaveLength(1);
    expect(engine.find("bookings")!.outputs).toMatchObject({ webhookId: Number(id) });
    expect(engine.find("bookings")!.outputs.uniqueId).toEqual(expect.any(String));
  });

  it("finds the record when the connection drops after the POST committed: no duplicate", async () => {
    const engine = newEngine();
    emulator.injectFault({ route: "create", kind: "commitThenReset" });
    await engine.up([desired()]);
    expect(emulator.records()).toHaveLength(1);
    expect(emulator.requests().filter((r) => r.method === "POST")).toHaveLength(1);
    expect(engine.find("bookings")!.id).toBe(String(emulator.records()[0]!.Id));
  });

  it("fails cleanly and creates nothing when the connection drops before the POST is handled", async () => {
    const engine = newEngine();
    emulator.injectFault({ route: "create", kind: "reset" });
    const result = await engine.up([desired()], { throwOnError: false });
    expect(result.errors[0]!.error!.message).toMatch(/failed without a definite answer/);
    expect(emulator.records()).toHaveLength(0);
    expect(engine.state.size).toBe(0);
    await engine.up([desired()]);
    expect(emulator.records()).toHaveLength(1);
  });
});

describe("bad inputs", () => {
  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ["a relative URL", { url: "/hooks" }, "url", /url must be an absolute http\(s\) URL/],
    [
      "a misspelt action",
      { action: "BookingCreated" },
      "action",
      /action "BookingCreated" is not a Nexudus webhook action; did you mean "BookingCreate"\?/,
    ],
    ["the None action", { action: "None" }, "action", /action None \(1\) fires for nothing/],
    [
      "a negative location",
      { businessId: -4 },
      "businessId",
      /businessId must be a positive integer/,
    ],
    ["an empty name", { name: "" }, "name", /name must be a non-empty string/],
  ])(
    "refuses %s in check, naming the property, with no API call",
    async (_label, change, property, reason) => {
      emulator.clearRequests();
      const d = desired(change);
      const result = await host.check(d.urn, {}, d.inputs);
      expect(result.failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
      expect(calls()).toBe(0);
    },
  );
});

describe("credentials", () => {
  it("fails with the config keys and variables to set when credentials are missing", async () => {
    const bare = await startHost({
      env: { NEXUDUS_TOKEN: undefined, NEXUDUS_USERNAME: undefined, NEXUDUS_PASSWORD: undefined },
    });
    try {
      await bare.configure({ "nexudus:baseUrl": emulator.url });
      const d = desired();
      const checked = await bare.check(d.urn, {}, d.inputs);
      expect(checked.failures).toEqual([]); // a preview needs no credentials
      await expect(bare.create(d.urn, checked.inputs)).rejects.toThrow(
        /credentials are missing.*nexudus:token.*NEXUDUS_TOKEN.*nexudus:username.*NEXUDUS_USERNAME and NEXUDUS_PASSWORD/s,
      );
    } finally {
      await bare.stop();
    }
  });

  it("names the role a user lacks, and leaks neither password nor token", async () => {
    const password = "pw-readonly-c0ffee-91";
    emulator.addUser({
      username: "viewer@example.com",
      password,
      roles: ["WebHook-List", "WebHook-Read"],
    });
    const limited = await startHost();
    try {
      await limited.configure({
        "nexudus:baseUrl": emulator.url,
        "nexudus:username": "viewer@example.com",
        "nexudus:password": { secret: password },
      });
      const d = desired();
      const checked = await limited.check(d.urn, {}, d.inputs);
      const error = await limited.create(d.urn, checked.inputs).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(/WebHook-Create/);
      expect(error?.message).not.toContain(password);
      expect(emulator.records()).toHaveLength(0);
      expect(limited.stdout() + limited.stderr()).not.toContain(password);
    } finally {
      await limited.stop();
    }
  });

  it("keeps a secret URL secret in state, and the token out of outputs", async () => {
    const engine = newEngine();
    const secretUrl = "https://hooks.slack.example.com/services/T000/B000/s3cr3t-XYZ";
    await engine.up([desired({ url: secretValue(secretUrl) })]);
    const entry = engine.find("bookings")!;
    expect(entry.secretInputs).toContain("url");
    expect(entry.secretOutputs).toEqual(expect.arrayContaining(["url", "lastError"]));
    expect(JSON.stringify(entry.outputs)).not.toContain(TOKEN);
    expect(
      emulator
        .requests()
        .map((r) => r.path + r.query)
        .join(" "),
    ).not.toContain("s3cr3t");
    await engine.destroy();
  });
});
