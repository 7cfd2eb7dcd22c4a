/**
 * Concurrency and token expiry, through REAL dynamic-provider hosts:
 * - a token that expires (is revoked by the server) in the middle of a parallel run is renewed
 *   once, every request it failed is sent again, and the run completes with nothing lost or
 *   duplicated;
 * - two stacks (two hosts, two states) on one emulator, same location, same actions and URLs,
 *   running at the same time, with ambiguous create failures (commit then reset) that make each
 *   look for the record it made: neither takes, changes nor deletes the other's records.
 */
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { startHost } from "../../testing/host";
import {
  audit,
  captureTemplate,
  clean,
  FAST_ENV,
  hookFrom,
  NO_NEXUDUS_ENV,
  startRig,
  stateIds,
  type Audit,
  type Rig,
} from "./helpers";

const USER = { username: "pipeline@example.com", password: "pw-concurrency-3e9d" };
const TOKEN_A = "tok-stack-a-81c4f0";
const TOKEN_B = "tok-stack-b-2d7e55";

let template: CapturedResource;
beforeAll(async () => {
  template = await captureTemplate();
});

/** Polls until `cond` holds (checked every 2 ms), or fails after `timeoutMs`. */
async function when(cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("a token that expires mid-run", () => {
  const COUNT = 24;
  const rows: Record<string, string | number>[] = [];

  it.each([
    ["the refresh token still valid", true],
    ["the refresh token revoked too", false],
  ] as const)(
    "is renewed once and the run completes (%s)",
    async (label, keepRefreshTokens) => {
      let rig: Rig | undefined;
      try {
        rig = await startRig({
          emulator: { users: [{ ...USER, roles: ["Administrator"] }] },
          host: { env: { NEXUDUS_TIME_FACTOR: "0.05" } },
          config: (emulator) => ({
            "nexudus:baseUrl": emulator.url,
            "nexudus:username": USER.username,
            "nexudus:password": { secret: USER.password },
          }),
        });
        const { emulator, host } = rig;
        const hooks = Array.from({ length: COUNT }, (_, i) =>
          hookFrom(template, `hook-${i}`, {
            name: `expiry hook ${i}`,
            url: `https://hooks.example.com/expiry/${i}`,
          }),
        );
        const engine = new Engine(host, { parallel: 6 });
        const run = engine.up(hooks, { throwOnError: false });
        // Revoke every issued token once a third of the webhooks exist.
        await when(() => emulator.records().length >= COUNT / 3);
        const createdBefore = emulator.records().length;
        emulator.expireTokens({ keepRefreshTokens });
        const result = await run;

        const requests = emulator.requests();
        const grants = requests.filter((r) => r.route === "token");
        const refused = requests.filter((r) => r.status === 401);
        expect(result.errors.map((s) => s.error?.message)).toEqual([]);
        expect(createdBefore).toBeLessThan(COUNT); // the expiry did happen mid-run
        expect(refused.length).toBeGreaterThanOrEqual(1); // and did hit requests
        // One renewal: the refresh grant, or (refresh token revoked) it then the password grant.
        const renewal = grants.slice(1);
        expect(renewal.map((g) => g.status)).toEqual(keepRefreshTokens ? [200] : [400, 200]);
        expect(grants[0]!.status).toBe(200);
        expect(grants.filter((g) => g.status === 200)).toHaveLength(2); // the first grant + one renewal
        // Every webhook exactly once, and in state.
        expect(emulator.records()).toHaveLength(COUNT);
        const a = audit(emulator, [engine]);
        expect(a).toEqual({ orphans: [], missing: [], duplicates: 0, shared: [] });
        expect(engine.state.size).toBe(COUNT);
        rows.push({
          case: label,
          webhooks: COUNT,
          "created before expiry": createdBefore,
          "401s answered": refused.length,
          "token requests": grants.length,
          renewals: grants.filter((g) => g.status === 200).length - 1,
          errors: result.errors.length,
          "lost or duplicated": a.missing.length + a.orphans.length + a.duplicates,
        });
      } finally {
        const printed = (await rig?.stop()) ?? "";
        expect(printed).not.toContain(USER.password);
      }
    },
    60_000,
  );

  afterAll(() => {
    if (rows.length > 0)
      recordFigures("Token expiry mid-run (password grant, 6 in parallel)", rows);
  });
});

describe("two stacks on one emulator", () => {
  it("run side by side without touching each other's records", async () => {
    const COUNT = 10;
    let a: Rig | undefined;
    let hostB: Rig["host"] | undefined;
    const steps: Record<string, string | number>[] = [];
    try {
      a = await startRig({
        emulator: {
          users: [
            {
              username: "a@example.com",
              password: "pw-a-1",
              roles: ["Administrator"],
              apiTokens: [TOKEN_A],
            },
            {
              username: "b@example.com",
              password: "pw-b-1",
              roles: ["Administrator"],
              apiTokens: [TOKEN_B],
            },
          ],
        },
        host: { stack: "stack-a" },
        config: (emulator) => ({
          "nexudus:baseUrl": emulator.url,
          "nexudus:token": { secret: TOKEN_A },
        }),
      });
      const { emulator } = a;
      // Stack B: its own host (own process, client, limiter), same emulator and location.
      hostB = await startHost({ stack: "stack-b", env: { ...NO_NEXUDUS_ENV, ...FAST_ENV } });
      await hostB.configure({
        "nexudus:baseUrl": emulator.url,
        "nexudus:token": { secret: TOKEN_B },
      });
      const engineA = new Engine(a.host, { parallel: 5 });
      const engineB = new Engine(hostB, { parallel: 5 });
      // Same location, same actions and URLs; only the Names differ.
      const hooks = (stack: string, version = "") =>
        Array.from({ length: COUNT }, (_, i) =>
          hookFrom(template, `hook-${i}`, {
            name: `${stack} hook ${i}${version}`,
            url: `https://hooks.example.com/shared/${i % 3}`,
            action: i % 2 === 0 ? "BookingCreate" : "BookingUpdate",
          }),
        );
      const check = (step: string): Audit => {
        const result = audit(emulator, [engineA, engineB]);
        const idsA = new Set(stateIds(engineA));
        const foreign = (engine: Engine, prefix: string) =>
          stateIds(engine).filter((id) => !emulator.record(Number(id))?.Name.startsWith(prefix))
            .length;
        const crossed = foreign(engineA, "A ") + foreign(engineB, "B ");
        const overlap = stateIds(engineB).filter((id) => idsA.has(id)).length;
        steps.push({
          step,
          "records A": engineA.state.size,
          "records B": engineB.state.size,
          "emulator records": emulator.records().length,
          "held by both": overlap,
          "held by the wrong stack": crossed,
          lost: result.missing.length,
          "duplicated/orphaned": result.duplicates + result.orphans.length,
        });
        expect({ step, ...result, overlap, crossed }).toEqual({
          step,
          orphans: [],
          missing: [],
          duplicates: 0,
          shared: [],
          overlap: 0,
          crossed: 0,
        });
        return result;
      };

      // 1. Both create at once; four creates commit and then lose their answer (either stack's).
      emulator.injectFault({ route: "create", kind: "commitThenReset", times: 4 });
      const [upA, upB] = await Promise.all([
        engineA.up(hooks("A"), { throwOnError: false }),
        engineB.up(hooks("B"), { throwOnError: false }),
      ]);
      emulator.clearFaults();
      expect([...upA.errors, ...upB.errors].map((s) => s.error?.message)).toEqual([]);
      expect(emulator.requests().filter((r) => r.fault === "commitThenReset")).toHaveLength(4);
      expect(emulator.records()).toHaveLength(2 * COUNT);
      check("create both (4 answers lost)");

      // 2. A renames everything while B removes half of its hooks.
      const [renA, delB] = await Promise.all([
        engineA.up(hooks("A", " v2"), { throwOnError: false }),
        engineB.up(hooks("B").slice(0, COUNT / 2), { throwOnError: false }),
      ]);
      expect([...renA.errors, ...delB.errors].map((s) => s.error?.message)).toEqual([]);
      expect(emulator.records().filter((r) => r.Name.endsWith(" v2"))).toHaveLength(COUNT);
      check("A renames, B deletes half");

      // 3. Both refresh: neither sees drift in its own records.
      const [refA, refB] = await Promise.all([engineA.refresh(), engineB.refresh()]);
      expect([...refA.steps, ...refB.steps].filter((s) => s.gone)).toEqual([]);
      const [again] = await Promise.all([
        engineA.preview(hooks("A", " v2")),
        engineB.preview(hooks("B").slice(0, COUNT / 2)),
      ]);
      expect(again.summary).toEqual({ same: COUNT });
      check("both refresh");

      // 4. A destroys while B recreates its other half.
      await Promise.all([engineA.destroy(), engineB.up(hooks("B"))]);
      expect(emulator.records().every((r) => r.Name.startsWith("B "))).toBe(true);
      check("A destroys, B adds back");
      await engineB.destroy();
      expect(emulator.records()).toEqual([]);
      check("B destroys");
      expect(
        steps.every((s) => s["held by both"] === 0 && s["held by the wrong stack"] === 0),
      ).toBe(true);
      expect(clean(audit(emulator, [engineA, engineB]))).toBe(true);
    } finally {
      if (steps.length > 0) {
        recordFigures("Two stacks (two hosts) on one emulator, side by side", steps);
      }
      await hostB?.stop();
      await a?.stop();
    }
  }, 90_000);
});
