/**
 * Exclusive sets keep what the program declares, through the REAL dynamic-provider host against
 * the emulator (programs captured with the real SDK):
 * - a standalone `WebHook` declared in the same program at the set's location is managed (kept),
 *   like another set's hooks, on every later preview and up;
 * - a webhook named exactly like an `alsoKeep.namePrefixes` entry (no suffix) is kept;
 * - a preview never lists as to-delete a record that a hook with `adopt` (of a set, or a
 *   standalone WebHook) will take over, nor an id in `alsoKeep.ids`, even while other ids of the
 *   location are not known yet.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EmulatorHandle } from "../../emulator";
import { WebHook, WebhookSet } from "../../sdk";
import { Engine, type RunResult } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { startRig, type Rig } from "../../testing/rig";
import { captureSet, desiredOf } from "./helpers";

const TOKEN = "tok-keep-0d93a1";
const HQ = 1234;
const URL = "https://hooks.example.com/keep";

let rig: Rig;
let emulator: EmulatorHandle;

beforeAll(async () => {
  rig = await startRig({ token: TOKEN, host: { env: { NEXUDUS_TIME_FACTOR: "0.01" } } });
  emulator = rig.emulator;
});

afterAll(async () => {
  expect(await rig?.stop()).not.toContain(TOKEN);
});

afterEach(() => {
  for (const r of emulator.records()) emulator.remove(r.Id);
});

const rows: Record<string, string | number>[] = [];

function unmanagedOf(plan: RunResult, name = "ops-exclusive"): number[] {
  const step = plan.steps.find((s) => s.urn.endsWith(`::${name}`));
  if (!step) throw new Error(`no step ${name}`);
  const list = step.inputs?.unmanaged;
  if (!Array.isArray(list)) throw new Error(`unmanaged is not known: ${JSON.stringify(list)}`);
  return (list as { id: number }[]).map((u) => u.id).sort((a, b) => a - b);
}

function stray(name: string, action = 8): number {
  return emulator.insert({ BusinessId: HQ, Action: action, URL: `${URL}/${name}`, Name: name }).Id;
}

it("a standalone WebHook of the program at the location is kept by every later preview and up", async () => {
  const program = await captureSet(
    () => {
      new WebhookSet("ops", {
        businessId: HQ,
        url: URL,
        hooks: ["BookingCreate"],
        exclusive: true,
      });
      new WebHook("billing", {
        businessId: HQ,
        name: "Billing sync",
        action: "CoworkerInvoicePaid",
        url: pulumi.secret(`${URL}/billing`),
      });
    },
    { ids: "ref" },
  );
  const strayId = stray("stray");
  const engine = new Engine(rig.host);
  expect(unmanagedOf(await engine.preview(desiredOf(program)))).toEqual([strayId]);
  await engine.up(desiredOf(program));
  const billing = Number(engine.find("billing")!.id);
  expect(emulator.record(strayId)).toBeUndefined();
  let deletedStandalone = 0;
  for (let i = 0; i < 2; i++) {
    const plan = await engine.preview(desiredOf(program));
    expect(unmanagedOf(plan)).toEqual([]);
    await engine.up(desiredOf(program));
    if (!emulator.record(billing)) deletedStandalone++;
  }
  expect(deletedStandalone).toBe(0);
  expect(engine.find("ops-exclusive")!.outputs.keepIds).toEqual([billing]);
  rows.push({
    case: "a standalone WebHook of the program at the location",
    "listed or deleted wrongly": deletedStandalone,
  });
  await engine.destroy();
});

it("a webhook named exactly like an alsoKeep.namePrefixes entry is kept", async () => {
  const exact = stray("Legacy");
  const prefixed = stray("Legacy export");
  const other = stray("Legacyish");
  const program = await captureSet(
    () => {
      new WebhookSet("ops", {
        businessId: HQ,
        url: URL,
        hooks: ["BookingCreate"],
        exclusive: true,
        alsoKeep: { namePrefixes: ["Legacy"] },
      });
    },
    { ids: "ref" },
  );
  const engine = new Engine(rig.host);
  expect(unmanagedOf(await engine.preview(desiredOf(program)))).toEqual([other]);
  await engine.up(desiredOf(program));
  expect(emulator.record(exact)).toBeDefined();
  expect(emulator.record(prefixed)).toBeDefined();
  expect(emulator.record(other)).toBeUndefined();
  rows.push({
    case: 'a webhook named exactly "Legacy" (alsoKeep prefix)',
    "listed or deleted wrongly": 0,
  });
  await engine.destroy();
});

it("a preview never lists what an adopt hook or an alsoKeep id will keep, while other ids are unknown", async () => {
  const bySetAdopt = emulator.insert({
    BusinessId: HQ,
    Action: 7,
    URL: `${URL}/set-adopt`,
    Name: "set adopts me",
  }).Id;
  const byStandaloneAdopt = emulator.insert({
    BusinessId: HQ,
    Action: 57,
    URL: `${URL}/standalone-adopt`,
    Name: "standalone adopts me",
  }).Id;
  const listed = stray("listed in alsoKeep.ids");
  const strayId = stray("really stray");
  const program = await captureSet(
    () => {
      new WebhookSet("ops", {
        businessId: HQ,
        url: URL,
        hooks: ["BookingCreate", { action: "BookingUpdate", url: `${URL}/set-adopt`, adopt: true }],
        exclusive: true,
        alsoKeep: { ids: [listed] },
      });
      // Another set at the location, new: its ids are not known in the preview.
      new WebhookSet("team", { businessId: HQ, url: `${URL}/team`, hooks: ["TeamCreated"] });
      new WebHook("export", {
        businessId: HQ,
        name: "standalone adopts me",
        action: "TeamCreated",
        url: `${URL}/standalone-adopt`,
        adopt: true,
      });
    },
    { ids: "ref" },
  );
  const engine = new Engine(rig.host);
  const plan = await engine.preview(desiredOf(program));
  const unmanaged = unmanagedOf(plan);
  const wrong = [bySetAdopt, byStandaloneAdopt, listed].filter((id) => unmanaged.includes(id));
  expect(unmanaged).toEqual([strayId]);
  await engine.up(desiredOf(program));
  for (const id of [bySetAdopt, byStandaloneAdopt, listed])
    expect(emulator.record(id)).toBeDefined();
  expect(emulator.record(strayId)).toBeUndefined();
  expect(engine.find("export")!.outputs.webhookId).toBe(byStandaloneAdopt);
  rows.push({
    case: "preview: records an adopt hook or alsoKeep.ids will keep (other ids unknown)",
    "listed or deleted wrongly": wrong.length,
  });
  await engine.destroy();
});

afterAll(() => {
  if (rows.length > 0) recordFigures("Exclusive sets keep what the program declares", rows);
});
