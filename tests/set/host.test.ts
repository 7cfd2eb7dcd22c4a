/**
 * WebhookSet through the REAL dynamic-provider host (spawned, driven in the engine's order by the
 * in-memory engine) against the emulator. Programs are captured under setMocks with the real
 * SDK, so child names, aliases-free renames and the exclusion's wiring are the SDK's own; every
 * scenario asserts the emulator's records and its request log.
 */
import type { EmulatorHandle } from "../../emulator";
import { WebhookSet, type WebhookSetArgs, type WebhookSetHook } from "../../sdk";
import { Engine, type RunResult, type Step } from "../../testing/engine";
import { UNKNOWN, type Host } from "../../testing/host";
import { useRig } from "../../testing/rig";
import { captureSet, desiredOf, EXCLUSION_TYPE, WEBHOOK_TYPE, type CapturedSet } from "./helpers";

const TOKEN = "tok-webhookset-2b8d41c7e9";
const HQ = 1234;
const ANNEX = 5678;
const LAB = 9012;
const URL1 = "https://hooks.example.com/nexudus";
const URL2 = "https://hooks2.example.com/nexudus";
const BILLING = "https://billing.example.com/hook";
const HAND = "https://hand.example.com/made";

const suite = useRig({
  token: TOKEN,
  emulator: {
    locations: [
      { id: HQ, name: "HQ" },
      { id: ANNEX, name: "Annex" },
      { id: LAB, name: "Lab" },
    ],
  },
  host: { env: { NEXUDUS_TIME_FACTOR: "0.01" } },
});
let emulator: EmulatorHandle;
let host: Host;
beforeAll(() => ({ emulator, host } = suite));

/** Captures a program of WebhookSets (webhookIds as placeholders wired to state). */
async function program(...sets: Array<[string, WebhookSetArgs]>): Promise<CapturedSet> {
  return captureSet(
    () => {
      for (const [name, args] of sets) new WebhookSet(name, args);
    },
    { ids: "ref" },
  );
}

/** API writes since the last clear: `METHOD /path status`. */
function writes(): string[] {
  return emulator
    .requests()
    .filter((r) => r.method !== "GET")
    .map((r) => `${r.method} ${r.path} ${r.status}`);
}
function count(method: string): number {
  return emulator.requests().filter((r) => r.method === method).length;
}
const del = (id: number, status = 200) => `DELETE /api/sys/webhooks/${id} ${status}`;

function step(result: RunResult, name: string): Step {
  const s = result.steps.find((x) => x.urn.endsWith(`::${name}`));
  if (!s)
    throw new Error(
      `no step for ${name}: ${result.steps.map((x) => `${x.op} ${x.urn}`).join(", ")}`,
    );
  return s;
}
/** `name: op` for every step of a type. */
function ops(result: RunResult, type = WEBHOOK_TYPE): Record<string, string> {
  return Object.fromEntries(
    result.steps
      .filter((s) => s.urn.includes(type))
      .map((s) => [s.urn.split("::").pop()!, s.op])
      .sort(([a], [b]) => (a! < b! ? -1 : 1)),
  );
}
function recordsAt(businessId: number) {
  return emulator.records().filter((r) => r.BusinessId === businessId);
}
function idOf(engine: Engine, name: string): number {
  const id = engine.find(name)?.outputs.webhookId;
  if (typeof id !== "number") throw new Error(`${name} has no webhookId in state`);
  return id;
}

describe("a set of ten hooks", () => {
  const ten: WebhookSetHook[] = [
    "BookingCreate",
    "BookingUpdate",
    "BookingDelete",
    "CoworkerCreate",
    "CoworkerUpdate",
    "CoworkerDelete",
    "TeamCreated",
    "TeamUpdated",
    "TeamDeleted",
    { action: "CoworkerInvoicePaid", url: BILLING, description: "Billing sync" },
  ];
  const args = (hooks: WebhookSetHook[], url = URL1): WebhookSetArgs => ({
    businessId: HQ,
    url,
    hooks,
    namePrefix: "ops",
  });
  const engine = (() => {
    let e: Engine | undefined;
    return () => (e ??= new Engine(host));
  })();
  let ids: Record<string, number> = {};

  it("is created: ten POSTs, Names '<prefix> <Action>', nothing else written", async () => {
    const captured = await program(["hq", args(ten)]);
    emulator.clearRequests();
    const plan = await engine().preview(desiredOf(captured));
    expect(plan.summary).toEqual({ create: 10 });
    expect(emulator.requests()).toEqual([]);

    const result = await engine().up(desiredOf(captured));
    expect(result.summary).toEqual({ create: 10 });
    expect(count("POST")).toBe(10);
    expect(count("PUT") + count("DELETE")).toBe(0);
    const records = recordsAt(HQ);
    expect(records.map((r) => r.Name).sort()).toEqual(
      [
        "BookingCreate",
        "BookingUpdate",
        "BookingDelete",
        "CoworkerCreate",
        "CoworkerUpdate",
        "CoworkerDelete",
        "TeamCreated",
        "TeamUpdated",
        "TeamDeleted",
        "CoworkerInvoicePaid",
      ]
        .map((a) => `ops ${a}`)
        .sort(),
    );
    const invoice = records.find((r) => r.Name === "ops CoworkerInvoicePaid")!;
    expect(invoice).toMatchObject({
      URL: BILLING,
      Description: "Billing sync",
      Action: 21,
      Active: true,
    });
    expect(records.filter((r) => r.URL === URL1)).toHaveLength(9);
    ids = Object.fromEntries(captured.names(WEBHOOK_TYPE).map((n) => [n, idOf(engine(), n)]));
    expect(Object.values(ids).sort()).toEqual(records.map((r) => r.Id).sort());

    emulator.clearRequests();
    const again = await engine().up(desiredOf(captured));
    expect(again.summary).toEqual({ same: 10 });
    expect(writes()).toEqual([]);
  });

  it("one removed (and the rest reordered): only that one is deleted", async () => {
    const nine = ten.filter((h) => h !== "BookingUpdate").reverse();
    const captured = await program(["hq", args(nine)]);
    emulator.clearRequests();
    const plan = await engine().preview(desiredOf(captured));
    expect(plan.summary).toEqual({ same: 9, delete: 1 });
    expect(step(plan, "hq-BookingUpdate").op).toBe("delete");

    await engine().up(desiredOf(captured));
    expect(writes()).toEqual([del(ids["hq-BookingUpdate"]!)]);
    expect(recordsAt(HQ)).toHaveLength(9);
    expect(emulator.record(ids["hq-BookingUpdate"]!)).toBeUndefined();
    for (const name of captured.names(WEBHOOK_TYPE)) expect(idOf(engine(), name)).toBe(ids[name]);
  });

  it("one added: one POST, the others untouched", async () => {
    const captured = await program([
      "hq",
      args([...ten.filter((h) => h !== "BookingUpdate"), "ProductCreate"]),
    ]);
    emulator.clearRequests();
    const plan = await engine().preview(desiredOf(captured));
    expect(plan.summary).toEqual({ same: 9, create: 1 });
    expect(step(plan, "hq-ProductCreate").op).toBe("create");

    await engine().up(desiredOf(captured));
    expect(writes()).toEqual(["POST /api/sys/webhooks 200"]);
    expect(recordsAt(HQ)).toHaveLength(10);
    ids["hq-ProductCreate"] = idOf(engine(), "hq-ProductCreate");
    expect(emulator.record(ids["hq-ProductCreate"])).toMatchObject({
      Name: "ops ProductCreate",
      URL: URL1,
    });
  });

  it("the default url changed: every hook on it updated in place, none replaced", async () => {
    const hooks = [...ten.filter((h) => h !== "BookingUpdate"), "ProductCreate" as const];
    const captured = await program(["hq", args(hooks, URL2)]);
    emulator.clearRequests();
    const plan = await engine().preview(desiredOf(captured));
    expect(plan.summary).toEqual({ update: 9, same: 1 });
    expect(step(plan, "hq-CoworkerInvoicePaid").op).toBe("same");

    const result = await engine().up(desiredOf(captured));
    expect(result.summary).toEqual({ update: 9, same: 1 });
    expect(count("PUT")).toBe(9);
    expect(count("POST") + count("DELETE")).toBe(0);
    const records = recordsAt(HQ);
    expect(records.filter((r) => r.URL === URL2)).toHaveLength(9);
    expect(records.filter((r) => r.URL === BILLING)).toHaveLength(1);
    for (const name of captured.names(WEBHOOK_TYPE)) expect(idOf(engine(), name)).toBe(ids[name]);
  });
});

describe("exclusive sets at one location", () => {
  let e: Engine;
  let legacy: number;
  let teamOld: number;
  let elsewhere: number;
  const annex = (hooks: WebhookSetHook[] = ["BookingCreate", "BookingUpdate"], exclusive = true) =>
    ["annex", { businessId: ANNEX, url: URL1, hooks, exclusive }] as [string, WebhookSetArgs];
  const team = (exclusive = false) =>
    [
      "team",
      {
        businessId: ANNEX,
        url: URL2,
        namePrefix: "team",
        hooks: ["TeamCreated", { action: "TeamDeleted", name: "Team deletions (custom name)" }],
        exclusive,
      },
    ] as [string, WebhookSetArgs];

  beforeAll(() => {
    e = new Engine(host);
    legacy = emulator.insert({
      BusinessId: ANNEX,
      Action: 6,
      URL: "https://legacy.example.com/x",
      Name: "Legacy bookings",
    }).Id;
    // Named like the other set's hooks: managed elsewhere by the name rule.
    teamOld = emulator.insert({
      BusinessId: ANNEX,
      Action: 57,
      URL: "https://old.example.com/t",
      Name: "team Old export",
    }).Id;
    elsewhere = emulator.insert({
      BusinessId: LAB + 1,
      Action: 6,
      URL: "https://x.example.com",
      Name: "Other location",
    }).Id;
  });

  it("preview lists the unmanaged webhook (id, name, action; no URL) as the exclusion's change", async () => {
    const captured = await program(annex(), team());
    emulator.clearRequests();
    const plan = await e.preview(desiredOf(captured));
    expect(ops(plan)).toEqual({
      "annex-BookingCreate": "create",
      "annex-BookingUpdate": "create",
      "team-TeamCreated": "create",
      "team-TeamDeleted": "create",
    });
    const exclusion = step(plan, "annex-exclusive");
    expect(exclusion.op).toBe("create");
    expect(exclusion.urn).toContain(`$${EXCLUSION_TYPE}::annex-exclusive`);
    expect(exclusion.inputs?.unmanaged).toEqual([
      { id: legacy, name: "Legacy bookings", action: "BookingCreate" },
    ]);
    // Not known before the hooks exist (several unknowns are one marker after check).
    expect(exclusion.inputs?.memberIds).toEqual([UNKNOWN]);
    expect(exclusion.inputs?.keepNamePrefixes).toEqual(["team"]);
    expect(writes()).toEqual([]);
  });

  it("up deletes it, and leaves the other set's webhooks (by id and by name) and other locations alone", async () => {
    const captured = await program(annex(), team());
    emulator.clearRequests();
    const result = await e.up(desiredOf(captured));
    expect(result.summary).toEqual({ create: 5 });
    expect(count("POST")).toBe(4);
    expect(writes().filter((w) => w.startsWith("DELETE"))).toEqual([del(legacy)]);
    const left = recordsAt(ANNEX)
      .map((r) => r.Name)
      .sort();
    expect(left).toEqual(
      [
        "annex BookingCreate",
        "annex BookingUpdate",
        "team Old export",
        "team TeamCreated",
        "Team deletions (custom name)",
      ].sort(),
    );
    expect(emulator.record(elsewhere)).toBeDefined();
    const outs = e.find("annex-exclusive")!.outputs;
    expect(outs.deleted).toEqual([
      { id: legacy, name: "Legacy bookings", action: "BookingCreate" },
    ]);
    expect(outs.memberIds).toEqual(
      [idOf(e, "annex-BookingCreate"), idOf(e, "annex-BookingUpdate")].sort(),
    );
    expect(outs.keepIds).toEqual([idOf(e, "team-TeamCreated"), idOf(e, "team-TeamDeleted")].sort());

    emulator.clearRequests();
    const again = await e.up(desiredOf(captured));
    expect(again.summary).toEqual({ same: 5 });
    expect(writes()).toEqual([]);
  });

  it("a webhook created by hand later shows in refresh and preview, and only it is deleted", async () => {
    const captured = await program(annex(), team());
    const stray = emulator.insert({
      BusinessId: ANNEX,
      Action: 7,
      URL: "https://stray.example.com/",
      Name: "Stray",
    }).Id;
    await e.refresh();
    expect(e.find("annex-exclusive")!.outputs.unmanaged).toEqual([
      { id: stray, name: "Stray", action: "BookingUpdate" },
    ]);

    const plan = await e.preview(desiredOf(captured));
    expect(step(plan, "annex-exclusive").op).toBe("update");
    expect(step(plan, "annex-exclusive").inputs?.unmanaged).toEqual([
      { id: stray, name: "Stray", action: "BookingUpdate" },
    ]);
    expect(ops(plan)).toEqual({
      "annex-BookingCreate": "same",
      "annex-BookingUpdate": "same",
      "team-TeamCreated": "same",
      "team-TeamDeleted": "same",
    });

    emulator.clearRequests();
    await e.up(desiredOf(captured));
    expect(writes()).toEqual([del(stray)]);
    expect(recordsAt(ANNEX)).toHaveLength(5);
  });

  it("a hook removed from an exclusive set is deleted once, by its own resource", async () => {
    const captured = await program(annex(["BookingCreate"]), team());
    const removed = idOf(e, "annex-BookingUpdate");
    const plan = await e.preview(desiredOf(captured));
    expect(step(plan, "annex-BookingUpdate").op).toBe("delete");
    expect(step(plan, "annex-exclusive").inputs?.unmanaged).toEqual([]);

    emulator.clearRequests();
    await e.up(desiredOf(captured));
    expect(writes()).toEqual([del(removed)]);
    expect(recordsAt(ANNEX)).toHaveLength(4);
  });

  it("two exclusive sets at one location keep each other's webhooks", async () => {
    const captured = await program(annex(["BookingCreate"]), team(true));
    const stray = emulator.insert({
      BusinessId: ANNEX,
      Action: 8,
      URL: "https://stray2.example.com/",
      Name: "Stray 2",
    }).Id;
    const plan = await e.preview(desiredOf(captured));
    const strayEntry = { id: stray, name: "Stray 2", action: "BookingDelete" };
    // For annex, "team Old export" is the team set's (by name); for the team set itself it is a
    // webhook with its prefix that none of its hooks manages: a leftover, so it goes.
    expect(step(plan, "annex-exclusive").inputs?.unmanaged).toEqual([strayEntry]);
    expect(step(plan, "team-exclusive").inputs?.unmanaged).toEqual([
      { id: teamOld, name: "team Old export", action: "TeamCreated" },
      strayEntry,
    ]);
    expect(step(plan, "team-exclusive").inputs?.keepNamePrefixes).toEqual(["annex"]);

    emulator.clearRequests();
    await e.up(desiredOf(captured));
    // Both delete the stray webhook; whichever comes second finds it gone (404), which is fine.
    const deletes = writes().filter((w) => w.startsWith("DELETE"));
    const strayDeletes = deletes.filter((w) => w.includes(`/${stray} `));
    expect(strayDeletes.filter((w) => w.endsWith(" 200"))).toHaveLength(1);
    expect(strayDeletes.every((w) => w.endsWith(" 200") || w.endsWith(" 404"))).toBe(true);
    expect(deletes.filter((w) => !strayDeletes.includes(w))).toEqual([del(teamOld)]);
    expect(count("POST") + count("PUT")).toBe(0);
    expect(
      recordsAt(ANNEX)
        .map((r) => r.Id)
        .sort(),
    ).toEqual(
      [
        idOf(e, "annex-BookingCreate"),
        idOf(e, "team-TeamCreated"),
        idOf(e, "team-TeamDeleted"),
      ].sort(),
    );
  });

  it("turning exclusivity off deletes nothing", async () => {
    const captured = await program(annex(["BookingCreate"], false), team(false));
    emulator.insert({
      BusinessId: ANNEX,
      Action: 8,
      URL: "https://stray3.example.com/",
      Name: "Stray 3",
    });
    emulator.clearRequests();
    const result = await e.up(desiredOf(captured));
    expect(ops(result, EXCLUSION_TYPE)).toEqual({
      "annex-exclusive": "delete",
      "team-exclusive": "delete",
    });
    expect(writes()).toEqual([]);
    expect(recordsAt(ANNEX)).toHaveLength(4);
  });
});

describe("adopting hooks created by hand", () => {
  it("takes over matching records (no POST), creates the rest, and an exclusive set deletes only strays", async () => {
    const e = new Engine(host);
    const handBookings = emulator.insert({
      BusinessId: LAB,
      Action: 6,
      URL: HAND,
      Name: "hand bookings",
    }).Id;
    const handTeams = emulator.insert({
      BusinessId: LAB,
      Action: 57,
      URL: HAND,
      Name: "hand teams",
      Active: false,
    }).Id;
    const stray = emulator.insert({
      BusinessId: LAB,
      Action: 6,
      URL: "https://stray.example.com/lab",
      Name: "stray",
    }).Id;
    const captured = await program([
      "lab",
      {
        businessId: LAB,
        url: HAND,
        hooks: ["BookingCreate", "TeamCreated", "BookingDelete"],
        adopt: true,
        exclusive: true,
      },
    ]);

    emulator.clearRequests();
    const plan = await e.preview(desiredOf(captured));
    expect(plan.summary).toEqual({ create: 4 });
    // The records the hooks will adopt are not listed for deletion, only the stray one.
    expect(step(plan, "lab-exclusive").inputs?.unmanaged).toEqual([
      { id: stray, name: "stray", action: "BookingCreate" },
    ]);
    expect(writes()).toEqual([]);

    await e.up(desiredOf(captured));
    expect(idOf(e, "lab-BookingCreate")).toBe(handBookings);
    expect(idOf(e, "lab-TeamCreated")).toBe(handTeams);
    expect(count("POST")).toBe(1); // BookingDelete: nothing to adopt
    expect(count("PUT")).toBe(2); // the adopted records get the declared Name and Active
    expect(writes().filter((w) => w.startsWith("DELETE"))).toEqual([del(stray)]);
    expect(emulator.record(handBookings)).toMatchObject({
      Name: "lab BookingCreate",
      Active: true,
      URL: HAND,
    });
    expect(emulator.record(handTeams)).toMatchObject({ Name: "lab TeamCreated", Active: true });
    expect(recordsAt(LAB)).toHaveLength(3);
  });
});
