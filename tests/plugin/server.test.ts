/**
 * The nexudus plugin process (`dist/provider/plugin/main.js`, the entry of
 * `pulumi-resource-nexudus`) driven over gRPC as the engine drives it, against emulators on
 * loopback: its schema, the config check, every WebHook step (through the dynamic provider's
 * implementation), import by id, the functions with the client's paging checks, and two provider
 * instances (two processes) with two accounts. Needs `npm run build`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { schemaText } from "../../provider/plugin/schema";
import {
  isSecretValue,
  REPO_ROOT,
  secretValue,
  startHost,
  unwrapSecrets,
  type Host,
  type HostCallError,
  type Props,
} from "../../testing/host";
import { adminUser } from "../../testing/rig";

const ENTRY = path.join(REPO_ROOT, "dist", "provider", "plugin", "main.js");
const TOKEN_A = "plugin-token-a-7f3e";
const TOKEN_B = "plugin-token-b-91c2";
const URN = (name: string) => `urn:pulumi:dev::proj::nexudus:index:WebHook::${name}`;
const PROVIDER_URN = "urn:pulumi:dev::proj::pulumi:providers:nexudus::default";
const SECRET_URL = "https://hooks.example.com/plugin/SECRET-PATH-1";

async function plugin(emulator: EmulatorHandle, token: string): Promise<Host> {
  const host = await startHost({ script: ENTRY });
  // As the engine configures an explicit provider: its inputs as args (the token a secret).
  await host.configure({ baseUrl: emulator.url, token: { secret: token } });
  return host;
}

function plain(p: Props): Props {
  return unwrapSecrets(p)[0] as Props;
}

let emuA: EmulatorHandle;
let emuB: EmulatorHandle;
let hostA: Host;
let hostB: Host;
const started: Host[] = [];

beforeAll(async () => {
  if (!fs.existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: run npm run build`);
  emuA = await startEmulator({ port: 0, users: [adminUser(TOKEN_A)] });
  emuB = await startEmulator({ port: 0, users: [adminUser(TOKEN_B, "ops-b@example.com")] });
  hostA = await plugin(emuA, TOKEN_A);
  hostB = await plugin(emuB, TOKEN_B);
  started.push(hostA, hostB);
}, 60_000);

afterAll(async () => {
  const printed: string[] = [];
  for (const h of started) {
    await h.stop();
    printed.push(h.stdout(), h.stderr());
  }
  await emuA?.stop();
  await emuB?.stop();
  // No credential or secret URL in anything the plugins printed.
  for (const text of printed) {
    expect(text).not.toContain(TOKEN_A);
    expect(text).not.toContain(TOKEN_B);
    expect(text).not.toContain("SECRET-PATH");
  }
});

describe("the plugin as a process", () => {
  it("answers the package schema (what `pulumi package get-schema` prints) and its version", async () => {
    expect(await hostA.getSchema()).toBe(schemaText());
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect((await hostA.getPluginInfo()).version).toBe(pkg.version);
  });

  it("is the package's `pulumi-resource-nexudus` bin, runnable on its own (a node shebang)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    expect(path.join(REPO_ROOT, pkg.bin["pulumi-resource-nexudus"]!)).toBe(ENTRY);
    expect(fs.readFileSync(ENTRY, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("CheckConfig names the bad setting and its rule, and keeps credentials secret", async () => {
    const bad = await hostA.checkConfig(PROVIDER_URN, {}, { baseUrl: "ftp://example.com" });
    // The reason names the key; no property, or the engine prints its value beside it.
    expect(bad.failures).toEqual([
      { property: "", reason: expect.stringMatching(/nexudus:baseUrl/) },
    ]);
    expect(bad.failures[0]!.reason).toMatch(/https/);

    const typo = await hostA.checkConfig(PROVIDER_URN, {}, { tokn: "x", baseUrl: emuA.url });
    expect(typo.failures).toHaveLength(1);
    expect(typo.failures[0]!.reason).toMatch(/nexudus:tokn .*did you mean nexudus:token\?/);

    const timeout = await hostA.checkConfig(PROVIDER_URN, {}, { timeoutMs: "soon" });
    expect(timeout.failures[0]!.reason).toMatch(/nexudus:timeoutMs/);

    const spaced = await hostA.checkConfig(PROVIDER_URN, {}, { token: "two words-LEAK" });
    expect(spaced.failures).toEqual([
      { property: "", reason: expect.stringMatching(/nexudus:token/) },
    ]);
    expect(JSON.stringify(spaced.failures)).not.toContain("LEAK");

    const ok = await hostA.checkConfig(
      PROVIDER_URN,
      {},
      { baseUrl: emuA.url, token: "given-in-clear", password: "pw", version: "0.1.0" },
    );
    expect(ok.failures).toEqual([]);
    expect(isSecretValue(ok.inputs.token)).toBe(true);
    expect(isSecretValue(ok.inputs.password)).toBe(true);
    expect(ok.inputs.baseUrl).toBe(emuA.url);
    expect(ok.inputs.version).toBe("0.1.0");
  });

  it("a provider without credentials fails its first step, naming nexudus:token, and sends nothing", async () => {
    const host = await startHost({ script: ENTRY, env: { NEXUDUS_TOKEN: undefined } });
    started.push(host);
    emuA.clearRequests();
    await host.configure({ baseUrl: emuA.url });
    const { inputs } = await host.check(
      URN("nocreds"),
      {},
      {
        businessId: 1234,
        name: "No credentials",
        action: "BookingCreate",
        url: "https://hooks.example.com/none",
      },
    );
    await expect(host.create(URN("nocreds"), inputs)).rejects.toMatchObject({
      details: expect.stringMatching(/nexudus:token/),
    });
    expect(emuA.requests()).toEqual([]);
  });
});

describe("a WebHook through the plugin", () => {
  let id = "";
  let outputs: Props = {};
  let inputs: Props = {};

  it("check validates with the dynamic provider's rules (a failure names the field) and keeps url secret", async () => {
    const bad = await hostA.check(
      URN("h"),
      {},
      {
        businessId: 1234,
        name: "x",
        action: "BookingCreat",
        url: "not a url",
      },
    );
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["action", "url"]);
    expect(bad.failures.find((f) => f.property === "action")!.reason).toMatch(
      /did you mean "BookingCreate"/,
    );

    const good = await hostA.check(
      URN("h"),
      {},
      {
        businessId: 1234,
        name: "Bookings",
        action: "BookingCreate",
        url: SECRET_URL,
      },
    );
    expect(good.failures).toEqual([]);
    inputs = good.inputs;
    expect(isSecretValue(inputs.url)).toBe(true);
    expect(plain(inputs)).toEqual({
      businessId: 1234,
      name: "Bookings",
      action: 6,
      actionName: "BookingCreate", // derived by check, for the eye in preview --diff
      url: SECRET_URL,
      description: null,
      active: true,
      adopt: false,
    });
  });

  it("create writes the record in its own account and answers the outputs, url and lastError secret", async () => {
    const created = await hostA.create(URN("h"), inputs);
    id = created.id;
    outputs = created.properties;
    expect(isSecretValue(outputs.url)).toBe(true);
    expect(outputs.__provider).toBeUndefined();
    expect(plain(outputs)).toMatchObject({
      businessId: 1234,
      name: "Bookings",
      action: 6,
      webhookId: Number(id),
      actionName: "BookingCreate",
      errorCount: 0,
      lastError: null,
    });
    expect(emuA.record(Number(id))).toMatchObject({ Name: "Bookings", URL: SECRET_URL });
    expect(emuB.records()).toEqual([]);
  });

  it("diff answers a detailed diff naming each field with its kind", async () => {
    const same = await hostA.diff(id, URN("h"), outputs, inputs);
    expect(same).toMatchObject({ changes: "NONE", diffs: [], detailedDiff: {} });

    const renamed = await hostA.diff(id, URN("h"), outputs, {
      ...inputs,
      name: "Renamed",
      active: false,
    });
    expect(renamed.changes).toBe("SOME");
    expect(renamed.replaces).toEqual([]);
    expect(renamed.detailedDiff).toEqual({
      name: { kind: "UPDATE", inputDiff: false },
      active: { kind: "UPDATE", inputDiff: false },
    });

    const moved = await hostA.diff(id, URN("h"), outputs, { ...inputs, businessId: 5678 });
    expect(moved.replaces).toEqual(["businessId"]);
    expect(moved.detailedDiff).toEqual({
      businessId: { kind: "UPDATE_REPLACE", inputDiff: false },
    });
  });

  it("read (refresh) sees an out-of-band edit; update puts the declared values back", async () => {
    emuA.patch(Number(id), { Name: "Edited by hand", UpdatedOn: "2026-12-07T01:00:00Z" });
    const read = await hostA.read(id, URN("h"), outputs, inputs);
    expect(read.id).toBe(id);
    expect(plain(read.properties).name).toBe("Edited by hand");
    expect(isSecretValue(read.properties.url)).toBe(true);
    const drift = await hostA.diff(id, URN("h"), read.properties, inputs);
    expect(drift.detailedDiff).toEqual({ name: { kind: "UPDATE", inputDiff: false } });

    const updated = await hostA.update(id, URN("h"), read.properties, inputs);
    expect(plain(updated.properties).name).toBe("Bookings");
    expect(emuA.record(Number(id))!.Name).toBe("Bookings");
    outputs = updated.properties;
  });

  it("read with the id alone (pulumi import) adopts a record made elsewhere", async () => {
    const rec = emuA.insert({
      BusinessId: 1234,
      Name: "Made by hand",
      Action: 7,
      URL: "https://hooks.example.com/hand/SECRET-PATH-2",
      Description: "from the web UI",
    });
    const read = await hostA.read(String(rec.Id), URN("imported"), {});
    expect(read.id).toBe(String(rec.Id));
    expect(plain(read.inputs!)).toEqual({
      businessId: 1234,
      name: "Made by hand",
      action: 7,
      actionName: "BookingUpdate",
      url: "https://hooks.example.com/hand/SECRET-PATH-2",
      description: "from the web UI",
      active: true,
      adopt: false,
    });
    expect(isSecretValue(read.inputs!.url)).toBe(true);
    expect(plain(read.properties).webhookId).toBe(rec.Id);
    // The engine then checks the read inputs (as `pulumi import` does): they pass as they are.
    const checked = await hostA.check(URN("imported"), {}, read.inputs!);
    expect(checked.failures).toEqual([]);
    const none = await hostA.diff(String(rec.Id), URN("imported"), read.properties, checked.inputs);
    expect(none.changes).toBe("NONE");
  });

  it("read of a record deleted out of band answers no id (the engine drops it)", async () => {
    const rec = emuA.insert({
      BusinessId: 1234,
      Name: "Gone",
      Action: 7,
      URL: "https://x.example/g",
    });
    emuA.remove(rec.Id);
    expect((await hostA.read(String(rec.Id), URN("gone"), {})).id).toBe("");
  });

  it("delete removes the record", async () => {
    await hostA.delete(id, URN("h"), outputs);
    expect(emuA.record(Number(id))).toBeUndefined();
  });
});

describe("a create whose read-back fails", () => {
  it("hands the engine the new id and outputs (ErrorResourceInitFailed), url secret, so nothing leaks", async () => {
    const host = await startHost({ script: ENTRY });
    started.push(host);
    await host.configure({ baseUrl: emuA.url, token: { secret: TOKEN_A }, maxRetries: "0" });
    const { inputs } = await host.check(
      URN("partial"),
      {},
      {
        businessId: 1234,
        name: "Partial",
        action: 6,
        url: "https://hooks.example.com/partial/SECRET-PATH-4",
      },
    );
    // The snapshot search before the POST works; the read-back (search, then GET) does not.
    emuA.injectFault({ route: "search", kind: "status", status: 500, times: Infinity, skip: 1 });
    emuA.injectFault({ route: "get", kind: "status", status: 500, times: Infinity });
    try {
      const err = (await host
        .create(URN("partial"), inputs)
        .catch((e: unknown) => e)) as HostCallError;
      expect(err.details).toMatch(/created webhook \d+ but could not read it back/);
      const rec = emuA.records().find((r) => r.Name === "Partial")!;
      expect(err.id).toBe(String(rec.Id));
      expect(isSecretValue(err.properties!.url)).toBe(true);
      expect(err.properties!.__provider).toBeUndefined();
      expect(plain(err.properties!)).toMatchObject({ webhookId: rec.Id, name: "Partial" });
      emuA.clearFaults();
      await host.delete(err.id!, URN("partial"), err.properties!);
      expect(emuA.record(rec.Id)).toBeUndefined();
    } finally {
      emuA.clearFaults();
    }
  });
});

describe("functions", () => {
  it("getWebhookActions answers the enum", async () => {
    const r = await hostA.invoke("nexudus:index:getWebhookActions", {});
    const actions = r.outputs.actions as { name: string; value: number }[];
    expect(actions).toContainEqual({ name: "BookingCreate", value: 6 });
    expect(actions.length).toBeGreaterThan(80);
  });

  it("getWebhook reads one record, url secret; an unknown id fails naming it", async () => {
    const rec = emuA.insert({
      BusinessId: 1234,
      Name: "One",
      Action: 6,
      URL: "https://hooks.example.com/one/SECRET-PATH-3",
      Description: "d",
    });
    const r = await hostA.invoke("nexudus:index:getWebhook", { webhookId: rec.Id });
    expect(r.failures).toEqual([]);
    expect(isSecretValue(r.outputs.url)).toBe(true);
    expect(plain(r.outputs)).toMatchObject({ webhookId: rec.Id, name: "One", description: "d" });
    expect(r.outputs.adopt).toBeUndefined();
    await expect(
      hostA.invoke("nexudus:index:getWebhook", { webhookId: 99_999_999 }),
    ).rejects.toMatchObject({ details: expect.stringMatching(/webhook 99999999 does not exist/) });
  });

  it("bad arguments fail naming each one, before any call", async () => {
    emuA.clearRequests();
    const r = await hostA.invoke("nexudus:index:getWebhooks", {
      businessId: "HQ",
      action: "Bogus",
      active: "yes",
      extra: 1,
    });
    expect(r.failures.map((f) => f.property).sort()).toEqual([
      "action",
      "active",
      "businessId",
      "extra",
    ]);
    expect(r.failures.find((f) => f.property === "businessId")!.reason).toMatch(
      /businessId must be a positive integer/,
    );
    const g = await hostA.invoke("nexudus:index:getWebhook", { webhookId: 0 });
    expect(g.failures.map((f) => f.property)).toEqual(["webhookId"]);
    expect(emuA.requests()).toEqual([]);
  });

  it("getWebhooks reads every page of a location and filters by action, name prefix and active", async () => {
    for (let i = 0; i < 23; i++) {
      emuB.insert({
        BusinessId: 1234,
        Name: `${i % 2 === 0 ? "team-" : "other-"}${i}`,
        Action: i % 3 === 0 ? 7 : 6,
        URL: `https://hooks.example.com/list/${i}`,
        Active: i !== 4,
      });
    }
    emuB.insert({
      BusinessId: 5678,
      Name: "team-elsewhere",
      Action: 6,
      URL: "https://x.example/e",
    });
    emuB.setQuirks({ maxPageSize: 5 });
    emuB.clearRequests();
    try {
      const all = await hostB.invoke("nexudus:index:getWebhooks", { businessId: 1234 });
      const rows = all.outputs.webhooks as Props[];
      expect(rows).toHaveLength(23);
      expect(rows.every((w) => isSecretValue(w.url))).toBe(true);
      expect(emuB.requests().filter((r) => r.route === "search").length).toBeGreaterThanOrEqual(5);

      const some = await hostB.invoke("nexudus:index:getWebhooks", {
        businessId: 1234,
        action: "BookingCreate",
        namePrefix: "team-",
        active: true,
      });
      const names = (some.outputs.webhooks as Props[]).map((w) => plain(w).name);
      // Even i (team-), i % 3 !== 0 (action 6), i !== 4 (active): 2, 8, 10, 14, 16, 20, 22.
      expect(names).toEqual([
        "team-2",
        "team-8",
        "team-10",
        "team-14",
        "team-16",
        "team-20",
        "team-22",
      ]);
    } finally {
      emuB.setQuirks({});
    }
  });

  it("getWebhooks fails rather than answer a list whose rows do not add up", async () => {
    emuB.setQuirks({ totalItemsOffset: 3 });
    try {
      await expect(
        hostB.invoke("nexudus:index:getWebhooks", { businessId: 1234 }),
      ).rejects.toMatchObject({ details: expect.stringMatching(/TotalItems/) });
    } finally {
      emuB.setQuirks({});
    }
  });
});

describe("two provider instances: two processes, two accounts", () => {
  it("each writes with its own token to its own API, and neither sees the other's records", async () => {
    expect(hostA.pid).not.toBe(hostB.pid);
    const declare = (name: string, url: string) => ({
      businessId: 1234,
      name,
      action: 6,
      url: secretValue(url),
    });
    const a = await hostA.check(URN("a"), {}, declare("In A", "https://a.example/hook"));
    const b = await hostB.check(URN("b"), {}, declare("In B", "https://b.example/hook"));
    const ca = await hostA.create(URN("a"), a.inputs);
    const cb = await hostB.create(URN("b"), b.inputs);
    expect(emuA.records().map((r) => r.Name)).toContain("In A");
    expect(emuA.records().map((r) => r.Name)).not.toContain("In B");
    expect(emuB.records().map((r) => r.Name)).toContain("In B");
    expect(emuB.records().map((r) => r.Name)).not.toContain("In A");
    // Each emulator knows one token only: a crossed token would have failed with 401.
    expect(emuA.requests().every((r) => r.status < 400)).toBe(true);
    expect(emuB.requests().every((r) => r.status < 400)).toBe(true);
    await hostA.delete(ca.id, URN("a"), ca.properties);
    await hostB.delete(cb.id, URN("b"), cb.properties);
  });

  it("a step of an unknown type fails naming the plugin's type", async () => {
    const err = (await hostA
      .check("urn:pulumi:dev::proj::nexudus:index:Other::x", {}, {})
      .catch((e: unknown) => e)) as HostCallError;
    expect(err.details).toMatch(
      /unknown resource type "nexudus:index:Other".*nexudus:index:WebHook/,
    );
  });
});
