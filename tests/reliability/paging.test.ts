/**
 * Paging always ends and never decides on a partial list, through the REAL dynamic-provider host
 * against the emulator with its opt-in paging quirks (servers the API documentation allows):
 * `HasNextPage` that stays true, a page that repeats, pages that never end, a page size capped
 * below what was asked (said, or not said), and a `TotalItems` that disagrees with the rows.
 *
 * Two callers page: adopt (a WebHook with `adopt: true`) and the preview of an exclusive
 * WebhookSet. Each must end in a bounded number of requests, and either act on the whole list or
 * fail clearly without acting (no POST, no delete).
 */
import { MAX_SEARCH_PAGES } from "../../client/client";
import type { EmulatorQuirks } from "../../emulator";
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { desiredOf, type CapturedSet } from "../set/helpers";
import { HQ, hookFrom, useExclusiveRig, type Rig } from "./helpers";

const TOKEN = "tok-paging-7d20b4";
const TARGET = "https://hooks.example.com/nexudus/adopt-me";

const suite = useExclusiveRig(TOKEN, "https://hooks.example.com/nexudus/set");
let rig: Rig;
let template: CapturedResource;
let exclusive: CapturedSet;
beforeAll(() => ({ rig, template, exclusive } = suite));

const rows: Record<string, string | number>[] = [];
let unbounded = 0;

/** Six records of action BookingCreate at HQ; the one to adopt has the highest id. */
function seed(): number {
  const { emulator } = rig;
  for (const r of emulator.records()) emulator.remove(r.Id);
  for (let i = 0; i < 5; i++) {
    emulator.insert({ BusinessId: HQ, Action: 6, URL: `${TARGET}/other-${i}`, Name: `other ${i}` });
  }
  return emulator.insert({ BusinessId: HQ, Action: 6, URL: TARGET, Name: "made by hand" }).Id;
}

function searches(): number {
  return rig.emulator.requests().filter((r) => r.route === "search").length;
}

type Expect = "acts on the whole list" | "fails clearly";
const CASES: [string, EmulatorQuirks, Expect, RegExp?][] = [
  ["HasNextPage stays true", { endlessPaging: "hasNextPage" }, "acts on the whole list"],
  ["every page repeats page 1", { endlessPaging: "repeatPage" }, "acts on the whole list"],
  [
    "pages never end (new rows every page)",
    { endlessPaging: "growing" },
    "fails clearly",
    new RegExp(`did not end after ${MAX_SEARCH_PAGES} pages`),
  ],
  ["size capped at 2, said in CurrentPageSize", { maxPageSize: 2 }, "acts on the whole list"],
  [
    "size capped at 2, envelope claims 1000",
    { maxPageSize: 2, silentPageSizeCap: true },
    "acts on the whole list",
  ],
  [
    "TotalItems one more than the rows",
    { totalItemsOffset: 1 },
    "fails clearly",
    /TotalItems says 7.*nothing was decided/,
  ],
  [
    "TotalItems one less than the rows",
    { totalItemsOffset: -1 },
    "fails clearly",
    /TotalItems says 5.*nothing was decided/,
  ],
];

describe.each(CASES)("a server whose search %s", (label, quirks, expected, error) => {
  afterEach(() => rig.emulator.setQuirks({}));

  it(`adopt ${expected}`, async () => {
    const { emulator, host } = rig;
    const target = seed();
    emulator.setQuirks(quirks);
    emulator.clearRequests();
    const engine = new Engine(host);
    const hook = hookFrom(template, "adopter", { name: "adopted", url: TARGET, adopt: true });
    const up = await engine.up([hook], { throwOnError: false });
    const n = searches();
    const posts = emulator.requests().filter((r) => r.route === "create").length;
    if (n > MAX_SEARCH_PAGES + 2) unbounded++;
    expect(n).toBeLessThanOrEqual(MAX_SEARCH_PAGES + 2);
    if (expected === "acts on the whole list") {
      expect(up.errors).toEqual([]);
      expect(engine.find("adopter")!.outputs.webhookId).toBe(target);
      expect(posts).toBe(0); // no duplicate
    } else {
      expect(up.errors).toHaveLength(1);
      expect(up.errors[0]!.error!.message).toMatch(error!);
      expect(posts).toBe(0); // nothing created from a partial list
      expect(emulator.records()).toHaveLength(6);
    }
    rows.push({ caller: "adopt", server: label, "search requests": n, outcome: expected });
    emulator.setQuirks({});
    await engine.destroy();
  });

  it(`an exclusive set's preview ${expected}`, async () => {
    const { emulator, host } = rig;
    seed();
    emulator.setQuirks(quirks);
    emulator.clearRequests();
    const engine = new Engine(host);
    const plan = await engine.preview(desiredOf(exclusive), { throwOnError: false });
    const n = searches();
    if (n > MAX_SEARCH_PAGES + 2) unbounded++;
    expect(n).toBeLessThanOrEqual(MAX_SEARCH_PAGES + 2);
    expect(emulator.requests().filter((r) => r.method !== "GET")).toEqual([]);
    const step = plan.steps.find((s) => s.urn.endsWith("::hq-exclusive"))!;
    if (expected === "acts on the whole list") {
      expect(plan.errors).toEqual([]);
      expect((step.inputs!.unmanaged as unknown[]).length).toBe(6);
    } else {
      expect(plan.errors.map((s) => s.urn)).toEqual([step.urn]);
      expect(step.error!.message).toMatch(error!);
    }
    rows.push({
      caller: "exclusive preview",
      server: label,
      "search requests": n,
      outcome: expected,
    });
  });
});

afterAll(() => {
  if (rows.length === 0) return;
  recordFigures("Paging: searches per case (adopt, exclusive preview)", rows);
  recordFigures("Paging totals", {
    cases: rows.length,
    "unbounded pagings": unbounded,
    "hard cap (pages)": MAX_SEARCH_PAGES,
  });
});
