/**
 * examples/quickstart through the real `pulumi` CLI: stack init, config (the token as a secret),
 * preview, up, preview with no changes, drift then refresh, preview --diff and up, a move to
 * another location (a replacement: the new webhook first), destroy. The state is read with
 * `pulumi stack export`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorHandle } from "../../emulator";
import {
  changedInputs,
  useE2e,
  makeProgram,
  parseJson,
  PulumiSession,
  readEventLog,
  webhookResources,
  type PreviewJson,
} from "../../testing/pulumiCli";
import { SECRET_SIG, SIG_KEY } from "../../testing/host";

const HQ = 1234;
const ANNEX = 5678;
const TOKEN = "e2e-quickstart-token-5f1c";
const URL_SECRET = "q5-url-credential-7d2e";
const HOOK_URL = `https://hooks.example.com/nexudus/bookings?key=${URL_SECRET}`;

const e2e = useE2e({
  name: "quickstart",
  token: TOKEN,
  emulator: {
    locations: [
      { id: HQ, name: "HQ" },
      { id: ANNEX, name: "Annex" },
    ],
  },
});
let emulator: EmulatorHandle;
let pulumi: PulumiSession;
let dir: string;

beforeAll(async () => {
  ({ emulator, pulumi } = e2e);
  dir = makeProgram(e2e.root, "quickstart", { example: "quickstart" });
  await e2e.stack(dir, "dev");
  await pulumi.ok(dir, ["config", "set", "businessId", String(HQ)]);
  // Every stack config value is also stored in the state of the engine's default pulumi-nodejs
  // provider (it receives the whole config for configure()): a URL with a credential must be set
  // with --secret, as the quickstart's README says.
  await pulumi.ok(dir, ["config", "set", "--secret", "url", HOOK_URL]);
}, 600_000);

const apiCalls = () => emulator.requests().filter((r) => r.route !== "unknown" || r.status !== 0);

test("the token is stored encrypted in the stack's config file", () => {
  const yaml = fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8");
  expect(yaml).toContain("nexudus:token");
  expect(yaml).toContain("secure:");
  expect(yaml).not.toContain(TOKEN);
});

test("preview shows the webhook to create and makes no API call", async () => {
  emulator.clearRequests();
  const r = await pulumi.ok(dir, ["preview", "--json"]);
  const plan = parseJson<PreviewJson>(r);
  const steps = (plan.steps ?? []).filter((s) => s.urn.includes("nexudus:WebHook"));
  expect(steps.map((s) => s.op)).toEqual(["create"]);
  expect(plan.changeSummary).toMatchObject({ create: 2 });
  expect(apiCalls()).toEqual([]);
  expect(emulator.records()).toEqual([]);
});

test("up creates exactly the declared webhook; the outputs come from the record", async () => {
  const r = await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
  expect(r.code).toBe(0);
  const records = emulator.records();
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({
    BusinessId: HQ,
    Action: 6,
    Name: "Pulumi BookingCreate",
    URL: HOOK_URL,
    Active: true,
    Description: "Managed by Pulumi: nexudus-quickstart/dev",
  });
  const outs = JSON.parse(
    (await pulumi.ok(dir, ["stack", "output", "--json", "--show-secrets"])).stdout,
  ) as Record<string, unknown>;
  expect(outs).toEqual({
    webhookId: records[0]!.Id,
    location: HQ,
    actionName: "BookingCreate",
    active: true,
    targetUrl: HOOK_URL,
  });
});

test("the state: a small __provider, no credential, the secret URL stored as a secret", async () => {
  const exported = await pulumi.exportStack(dir);
  const text = JSON.stringify(exported);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(URL_SECRET);
  const hooks = webhookResources(exported);
  expect(hooks).toHaveLength(1);
  const hook = hooks[0]!;
  const provider = hook.outputs!.__provider as string;
  expect(typeof provider).toBe("string");
  expect(Buffer.byteLength(provider)).toBeLessThan(4096);
  expect(provider).toContain('require("pulumi-nexudus/provider")');
  for (const bag of [hook.inputs!, hook.outputs!]) {
    expect(bag.url).toMatchObject({ [SIG_KEY]: SECRET_SIG });
    expect(bag.url).toHaveProperty("ciphertext");
  }
  expect(hook.outputs!.lastError).toHaveProperty("ciphertext");
  expect(hook.id).toBe(String(emulator.records()[0]!.Id));
});

test("a stack written by a release whose __provider was Pulumi's serialized closure upgrades with no change", async () => {
  // What earlier releases stored (pulumi.dynamic.Resource's closure serializer, 2,191 B).
  const legacy = fs.readFileSync(
    path.join(__dirname, "..", "fixtures", "legacy-webhook-provider.js.txt"),
    "utf8",
  );
  const exported = await pulumi.exportStack(dir);
  const current = webhookResources(exported)[0]!.inputs!.__provider as string;
  expect(current).not.toBe(legacy);
  for (const r of webhookResources(exported)) {
    r.inputs!.__provider = legacy;
    r.outputs!.__provider = legacy;
  }
  const file = path.join(e2e.root, "legacy-state.json");
  fs.writeFileSync(file, JSON.stringify(exported));
  await pulumi.ok(dir, ["stack", "import", "--file", file]);
  emulator.clearRequests();
  // The engine asks the provider (with the text in state, or the new one) and it sees no change.
  expect((await pulumi.run(dir, ["preview", "--expect-no-changes"])).code).toBe(0);
  await pulumi.ok(dir, ["up", "--yes", "--skip-preview", "--expect-no-changes"]);
  expect(apiCalls().filter((r) => r.method !== "GET")).toEqual([]);
  // The no-change update writes the new text into state.
  const after = webhookResources(await pulumi.exportStack(dir))[0]!;
  expect(after.inputs!.__provider).toBe(current);
});

test("a second preview shows no changes and makes no API call", async () => {
  emulator.clearRequests();
  const r = await pulumi.run(dir, ["preview", "--expect-no-changes"]);
  expect(r.code).toBe(0);
  expect(apiCalls()).toEqual([]);
});

test("drift made in Nexudus: refresh reads it, preview --diff shows the field, up corrects it", async () => {
  const [record] = emulator.records();
  emulator.patch(record!.Id, { Active: false, Name: "renamed by hand" });

  const refreshed = await pulumi.run(dir, ["refresh", "--yes", "--skip-preview"]);
  expect(refreshed.code).toBe(0);
  const afterRefresh = webhookResources(await pulumi.exportStack(dir))[0]!;
  expect(afterRefresh.outputs).toMatchObject({ active: false, name: "renamed by hand" });

  emulator.clearRequests();
  const diff = await pulumi.run(dir, ["preview", "--diff", "--json"]);
  expect(diff.code).toBe(0);
  const steps = (parseJson<PreviewJson>(diff).steps ?? []).filter((s) =>
    s.urn.includes("nexudus:WebHook"),
  );
  expect(steps.map((s) => s.op)).toEqual(["update"]);
  // The dynamic-provider host passes no per-field diff to the engine (its DiffResponse carries
  // only changes/replaces), so the engine shows the difference of the stored and the declared
  // inputs: exactly the drifted fields, with the values read by refresh on the old side.
  expect(changedInputs(steps[0]!)).toEqual(["active", "name"]);
  expect(steps[0]!.oldState?.inputs).toMatchObject({ active: false, name: "renamed by hand" });
  expect(apiCalls()).toEqual([]);

  const expectFail = await pulumi.run(dir, ["preview", "--expect-no-changes"]);
  expect(expectFail.code).not.toBe(0);

  await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
  expect(emulator.records()).toHaveLength(1);
  expect(emulator.record(record!.Id)).toMatchObject({ Active: true, Name: "Pulumi BookingCreate" });
  emulator.clearRequests();
  expect((await pulumi.run(dir, ["preview", "--expect-no-changes"])).code).toBe(0);
  expect(apiCalls()).toEqual([]);
});

test("a move to another location replaces the webhook, the new one before the old one goes", async () => {
  const [old] = emulator.records();
  await pulumi.ok(dir, ["config", "set", "businessId", String(ANNEX)]);
  const plan = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
  const ops = (plan.steps ?? []).filter((s) => s.urn.includes("nexudus:WebHook")).map((s) => s.op);
  expect(ops).toEqual(["replace"]);

  emulator.clearRequests();
  const events = path.join(e2e.root, "move-events.jsonl");
  await pulumi.ok(dir, ["up", "--yes", "--skip-preview", "--event-log", events]);
  const done = readEventLog(events)
    .filter((e) => e.resOutputsEvent?.metadata.type === "pulumi-nodejs:dynamic/nexudus:WebHook")
    .map((e) => e.resOutputsEvent!.metadata.op);
  expect(done).toEqual(["create-replacement", "replace", "delete-replaced"]);

  const writes = emulator
    .requests()
    .filter((r) => r.method === "POST" || r.method === "DELETE")
    .map((r) => r.method);
  expect(writes).toEqual(["POST", "DELETE"]);
  const records = emulator.records();
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ BusinessId: ANNEX, Action: 6, URL: HOOK_URL });
  expect(emulator.record(old!.Id)).toBeUndefined();
});

test("destroy leaves both locations as they were", async () => {
  await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
  expect(emulator.records()).toEqual([]);
  expect(webhookResources(await pulumi.exportStack(dir))).toEqual([]);
});
