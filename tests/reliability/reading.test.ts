/**
 * Reading what the API may plausibly send, through the REAL dynamic-provider host against the
 * emulator with its opt-in quirks:
 * - `Action` as its name instead of the number, and fields the documentation does not list;
 * - a foreign record at the location with a null `Name` (made by hand): it must not block adopt
 *   nor an exclusive set for the others;
 * - a server that stores normalised values (Name trimmed, an IDN host as punycode, a long
 *   Description cut): the state holds what the server stored, and `refresh` + `up` converge with
 *   no update at all, however often they run; the look for a create whose answer was lost still
 *   finds the record the server normalised; adopt matches a URL the server stored as punycode.
 */
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { desiredOf, type CapturedSet } from "../set/helpers";
import { HQ, hookFrom, useExclusiveRig, type Rig } from "./helpers";

const TOKEN = "tok-reading-61c0ee";

const suite = useExclusiveRig(TOKEN, "https://hooks.example.com/reading/set");
let rig: Rig;
let template: CapturedResource;
let exclusive: CapturedSet;
beforeAll(() => ({ rig, template, exclusive } = suite));

afterEach(() => {
  rig.emulator.setQuirks({});
  rig.emulator.clearFaults();
  for (const r of rig.emulator.records()) rig.emulator.remove(r.Id);
});

const rows: Record<string, string | number>[] = [];

/** `refresh` then `up`, `times` times: the update steps and PUTs they made. */
async function cycles(engine: Engine, desired: CapturedResource[], times = 3) {
  let updates = 0;
  let puts = 0;
  for (let i = 0; i < times; i++) {
    rig.emulator.clearRequests();
    const refresh = await engine.refresh();
    expect(refresh.steps.filter((s) => s.gone)).toEqual([]);
    const up = await engine.up(desired);
    updates += up.summary.update ?? 0;
    puts += rig.emulator.requests().filter((r) => r.route === "update").length;
  }
  return { updates, puts };
}

describe("Action as a name, and fields the documentation does not list", () => {
  it("create, adopt, refresh, preview and an exclusive preview all work", async () => {
    const { emulator, host } = rig;
    emulator.setQuirks({ actionAsName: true, extraFields: true });
    const byHand = emulator.insert({
      BusinessId: HQ,
      Action: 7,
      URL: "https://hooks.example.com/reading/by-hand",
      Name: "by hand",
    });
    const stray = emulator.insert({
      BusinessId: HQ,
      Action: 8,
      URL: "https://hooks.example.com/reading/stray",
      Name: "stray",
    });
    const engine = new Engine(host);
    const desired = [
      hookFrom(template, "named", { url: "https://hooks.example.com/reading/named" }),
      hookFrom(template, "adopter", {
        action: "BookingUpdate",
        name: "by hand",
        url: byHand.URL,
        adopt: true,
      }),
    ];
    await engine.up(desired);
    expect(engine.find("adopter")!.outputs.webhookId).toBe(byHand.Id);
    expect(engine.find("named")!.outputs).toMatchObject({ action: 6, actionName: "BookingCreate" });
    const { updates, puts } = await cycles(engine, desired);
    expect({ updates, puts }).toEqual({ updates: 0, puts: 0 });
    const plan = await new Engine(host).preview(desiredOf(exclusive));
    const unmanaged = plan.steps.find((s) => s.urn.endsWith("::hq-exclusive"))!.inputs!
      .unmanaged as { id: number; action: string }[];
    expect(unmanaged).toEqual(
      expect.arrayContaining([{ id: stray.Id, name: "stray", action: "BookingDelete" }]),
    );
    rows.push({ server: "Action as its name, extra fields", "updates in 3 refresh + up": updates });
    await engine.destroy();
  });
});

describe("a foreign record with a null Name at the location", () => {
  it("blocks neither adopt nor an exclusive set's preview", async () => {
    const { emulator, host } = rig;
    const nameless = emulator.insert({
      BusinessId: HQ,
      Action: 6,
      URL: "https://hooks.example.com/reading/nameless",
      Name: null as unknown as string,
    });
    const target = emulator.insert({
      BusinessId: HQ,
      Action: 6,
      URL: "https://hooks.example.com/reading/target",
      Name: "target",
    });
    const engine = new Engine(host);
    const desired = [
      hookFrom(template, "adopter", { name: "target", url: target.URL, adopt: true }),
    ];
    const up = await engine.up(desired, { throwOnError: false });
    expect(up.errors).toEqual([]);
    expect(engine.find("adopter")!.outputs.webhookId).toBe(target.Id);
    const plan = await new Engine(host).preview(desiredOf(exclusive), { throwOnError: false });
    expect(plan.errors).toEqual([]);
    const unmanaged = plan.steps.find((s) => s.urn.endsWith("::hq-exclusive"))!.inputs!
      .unmanaged as { id: number; name: string }[];
    expect(unmanaged.map((u) => u.id)).toEqual([nameless.Id, target.Id]);
    expect(unmanaged[0]!.name).toBe("");
    rows.push({ server: "a foreign record with a null Name", "updates in 3 refresh + up": 0 });
    await engine.destroy();
  });
});

describe("a server that stores normalised values", () => {
  const NORMALISE = { trimName: true, punycodeHost: true, maxDescription: 40 };
  const LONG = "A description longer than the forty characters this server keeps.";

  it("state holds what the server stored; refresh + up never update again", async () => {
    const { emulator, host } = rig;
    emulator.setQuirks({ normalise: NORMALISE });
    const engine = new Engine(host);
    const desired = [
      hookFrom(template, "normalised", {
        name: "  Padded name  ",
        url: "https://bücher.example/hook",
        description: LONG,
      }),
    ];
    await engine.up(desired);
    const [record] = emulator.records();
    expect(record).toMatchObject({
      Name: "Padded name",
      URL: "https://xn--bcher-kva.example/hook",
      Description: LONG.slice(0, 40),
    });
    expect(engine.find("normalised")!.outputs).toMatchObject({
      name: record!.Name,
      url: record!.URL,
      description: record!.Description,
    });
    const first = await cycles(engine, desired);
    expect(first).toEqual({ updates: 0, puts: 0 });

    // A change is applied once (one PUT), then converges again.
    const changed = [
      hookFrom(template, "normalised", {
        name: "  Renamed  ",
        url: "https://bücher.example/hook2",
        description: `${LONG} (changed)`,
      }),
    ];
    emulator.clearRequests();
    const update = await engine.up(changed);
    expect(update.summary).toEqual({ update: 1 });
    expect(emulator.requests().filter((r) => r.route === "update")).toHaveLength(1);
    expect(emulator.records()[0]).toMatchObject({
      Name: "Renamed",
      URL: "https://xn--bcher-kva.example/hook2",
    });
    const second = await cycles(engine, changed);
    expect(second).toEqual({ updates: 0, puts: 0 });
    rows.push({
      server: "trims Name, punycode host, cuts Description at 40",
      "updates in 3 refresh + up": first.updates + second.updates,
    });

    // An edit out of band is still seen and corrected (drift is not mistaken for a server form).
    emulator.patch(record!.Id, { Name: "edited by hand" });
    await engine.refresh();
    emulator.clearRequests();
    const fix = await engine.up(changed);
    expect(fix.summary).toEqual({ update: 1 });
    expect(emulator.records()[0]!.Name).toBe("Renamed");
    await engine.destroy();
  });

  it("converges too when its write answers carry no UpdatedOn (the record is read back)", async () => {
    const { emulator, host } = rig;
    emulator.setQuirks({ normalise: NORMALISE, bareWriteAnswers: true });
    const engine = new Engine(host);
    const desired = (name: string) => [
      hookFrom(template, "bare", { name, url: "https://bücher.example/bare", description: LONG }),
    ];
    await engine.up(desired("  First  "));
    emulator.clearRequests();
    await engine.up(desired("  Second  "));
    // The GET the PUT is built from, the PUT, and the GET that reads back what was stored.
    expect(emulator.requests().map((r) => r.route)).toEqual(["get", "update", "get"]);
    expect(engine.find("bare")!.outputs.name).toBe("Second");
    expect(await cycles(engine, desired("  Second  "))).toEqual({ updates: 0, puts: 0 });
    rows.push({
      server: "the same, with write answers without UpdatedOn",
      "updates in 3 refresh + up": 0,
    });
    await engine.destroy();
  });

  it("finds its own normalised record after a lost create answer, and adopts a punycode URL", async () => {
    const { emulator, host } = rig;
    emulator.setQuirks({ normalise: NORMALISE });
    const stored = emulator.insert({
      BusinessId: HQ,
      Action: 7,
      URL: "https://xn--bcher-kva.example/adopt",
      Name: "made by hand",
    });
    const engine = new Engine(host);
    const desired = [
      hookFrom(template, "lost", { name: " Lost answer ", url: "https://bücher.example/lost" }),
      hookFrom(template, "adopter", {
        action: "BookingUpdate",
        name: "made by hand",
        url: "https://bücher.example/adopt",
        adopt: true,
      }),
    ];
    emulator.injectFault({ route: "create", kind: "commitThenReset" });
    const up = await engine.up(desired, { throwOnError: false });
    expect(up.errors).toEqual([]);
    expect(emulator.records()).toHaveLength(2); // no duplicate of either
    expect(engine.find("adopter")!.outputs.webhookId).toBe(stored.Id);
    const lost = emulator.record(Number(engine.find("lost")!.id))!;
    expect(lost.Name).toBe("Lost answer");
    expect(await cycles(engine, desired)).toEqual({ updates: 0, puts: 0 });
    await engine.destroy();
  });
});

afterAll(() => {
  if (rows.length > 0) recordFigures("Reading what the API may send: endless updates", rows);
});
