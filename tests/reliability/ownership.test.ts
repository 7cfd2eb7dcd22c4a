/**
 * Never take (and so never delete) a record that is not ours, through the REAL dynamic-provider
 * host against the emulator.
 *
 * Another stack already holds a webhook identical to ours (same location, action, URL and Name):
 * made an hour ago, a few seconds ago, or between our preview and our up. Our create then fails
 * without a definite answer: a 500 before any write, a connection reset before the request
 * reached the server, or a commit followed by a reset. A create may only take a record that did
 * not exist when it started (the pre-create snapshot of `provider/createGuard.ts`): the first two
 * must fail clearly and take nothing; the third must find its own new record. Our destroy then
 * must leave the other stack's record alone.
 *
 * Adopt is the opposite on purpose (it takes an existing record): proven apart at the end.
 */
import type { WebhookRecord } from "../../emulator";
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { captureTemplate, HQ, hookFrom, startRig, stateIds, type Rig } from "./helpers";

const TOKEN = "tok-ownership-5c1e9a";
const URL = "https://hooks.example.com/nexudus/shared-target";
const NAME = "Shared webhook";

let rig: Rig;
let template: CapturedResource;

beforeAll(async () => {
  template = await captureTemplate();
  rig = await startRig({ token: TOKEN });
});

afterAll(async () => {
  expect(await rig?.stop()).not.toContain(TOKEN);
});

type Age = "an hour ago" | "seconds ago" | "between preview and up";
type Fault = "HTTP 500 (no write)" | "reset before the write" | "commit, then reset";
const AGES: Age[] = ["an hour ago", "seconds ago", "between preview and up"];
const FAULTS: Fault[] = ["HTTP 500 (no write)", "reset before the write", "commit, then reset"];

const rows: Record<string, string | number>[] = [];
let wronglyTaken = 0;
let wronglyDeleted = 0;

/** The other stack's record, made out of band (as another program's create would leave it). */
function othersRecord(age: Age): WebhookRecord {
  const createdOn = new Date(Date.now() - (age === "an hour ago" ? 3_600_000 : 3_000));
  return rig.emulator.insert({
    BusinessId: HQ,
    Action: 6,
    URL,
    Name: NAME,
    CreatedOn: createdOn.toISOString(),
    UpdatedOn: createdOn.toISOString(),
  });
}

function inject(fault: Fault): void {
  const kind =
    fault === "HTTP 500 (no write)"
      ? ({ kind: "status", status: 500 } as const)
      : fault === "reset before the write"
        ? ({ kind: "reset" } as const)
        : ({ kind: "commitThenReset" } as const);
  rig.emulator.injectFault({ route: "create", ...kind });
}

describe.each(AGES)("another stack's identical webhook, made %s", (age) => {
  it.each(FAULTS)("is never taken nor deleted when our create fails: %s", async (fault) => {
    const { emulator, host } = rig;
    const desired = [hookFrom(template, "mine", { name: NAME, url: URL })];
    const engine = new Engine(host);
    let theirs: WebhookRecord | undefined;
    if (age !== "between preview and up") theirs = othersRecord(age);
    const plan = await engine.preview(desired);
    expect(plan.summary).toEqual({ create: 1 });
    if (age === "between preview and up") theirs = othersRecord(age);
    const before = emulator.record(theirs!.Id);

    inject(fault);
    const up = await engine.up(desired, { throwOnError: false });
    emulator.clearFaults();
    const taken = stateIds(engine).includes(String(theirs!.Id));
    if (fault === "commit, then reset") {
      // The create did commit: it finds its own new record, not the other one.
      expect(up.errors).toEqual([]);
      const mine = engine.find("mine")!.outputs.webhookId as number;
      expect(mine).not.toBe(theirs!.Id);
      expect(emulator.record(mine)).toMatchObject({ Name: NAME, URL });
    } else {
      expect(up.errors).toHaveLength(1);
      const message = up.errors[0]!.error!.message;
      expect(message).toMatch(/failed without a definite answer/);
      expect(message).toMatch(/nothing was recorded/);
      expect(engine.state.size).toBe(0);
    }
    expect(taken).toBe(false);

    await engine.destroy();
    const after = emulator.record(theirs!.Id);
    expect(after).toEqual(before); // untouched: not updated, not deleted
    const deleted = after === undefined;
    if (taken) wronglyTaken++;
    if (deleted) wronglyDeleted++;
    rows.push({
      "other stack's record made": age,
      "our create": fault,
      outcome: up.errors.length === 0 ? "created its own" : "failed clearly",
      "wrongly taken": taken ? 1 : 0,
      "wrongly deleted": deleted ? 1 : 0,
    });
    emulator.remove(theirs!.Id);
    expect(emulator.records()).toEqual([]);
  });
});

describe("the pre-create snapshot", () => {
  it("is one search per location for a burst of parallel creates", async () => {
    const { emulator, host } = rig;
    emulator.clearRequests();
    const engine = new Engine(host, { parallel: 12 });
    const hooks = Array.from({ length: 12 }, (_, i) =>
      hookFrom(template, `burst-${i}`, { name: `burst ${i}`, url: `${URL}/${i}` }),
    );
    await engine.up(hooks);
    const searches = emulator.requests().filter((r) => r.route === "search").length;
    const posts = emulator.requests().filter((r) => r.route === "create").length;
    expect(posts).toBe(12);
    expect(searches).toBeLessThanOrEqual(2);
    rows.push({
      "other stack's record made": "(none: 12 creates in parallel)",
      "our create": `snapshot searches: ${searches} for ${posts} creates`,
      outcome: "created",
      "wrongly taken": 0,
      "wrongly deleted": 0,
    });
    await engine.destroy();
    expect(emulator.records()).toEqual([]);
  });

  it("does not stop adopt from taking an existing record (adopt is the opposite on purpose)", async () => {
    const { emulator, host } = rig;
    const theirs = othersRecord("an hour ago");
    const engine = new Engine(host);
    emulator.clearRequests();
    await engine.up([hookFrom(template, "adopter", { name: NAME, url: URL, adopt: true })]);
    expect(engine.find("adopter")!.outputs.webhookId).toBe(theirs.Id);
    expect(emulator.requests().filter((r) => r.route === "create")).toEqual([]);
    await engine.destroy();
    expect(emulator.records()).toEqual([]);
  });
});

afterAll(() => {
  if (rows.length === 0) return;
  recordFigures("Ownership: another stack's identical webhook, our create failing", rows);
  recordFigures("Ownership totals", {
    cases: AGES.length * FAULTS.length,
    "records wrongly taken": wronglyTaken,
    "records wrongly deleted": wronglyDeleted,
  });
});
