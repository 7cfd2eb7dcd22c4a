/**
 * `nexudus-webhooks health` flags duplicates: two or more webhooks at one location with the same
 * action and URL (every event is delivered once per copy) are a problem of their own, listed with
 * their ids, against the emulator.
 */
import { type EmulatorHandle } from "../../emulator";
import type { HealthJson } from "../../cli/health";
import { recordFigures } from "../../testing/figures";
import { cli, tableRows, startCliEmulator } from "./helpers";

const NOW = Date.parse("2025-03-01T00:00:00.000Z");
const TARGET = "https://hooks.example.com/nexudus/bookings";

describe("health: duplicates", () => {
  let emu: EmulatorHandle;
  let env: Record<string, string | undefined>;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    ({ emu, env } = await startCliEmulator());
    const add = (key: string, BusinessId: number, Action: number, URL: string) => {
      ids[key] = emu.insert({
        BusinessId,
        Action,
        URL,
        Name: key,
        CreatedOn: "2025-01-01T00:00:00.000Z",
        LastTrigger: "2025-02-28T12:00:00.000Z",
      }).Id;
    };
    add("first", 1234, 6, TARGET);
    add("second", 1234, 6, TARGET);
    add(
      "third (host in capitals)",
      1234,
      6,
      TARGET.replace("hooks.example.com", "HOOKS.example.com"),
    );
    add("other action", 1234, 7, TARGET);
    add("other location", 5678, 6, TARGET);
    add("other url", 1234, 6, `${TARGET}/2`);
  });

  afterAll(() => emu.stop());

  test("are flagged with their ids, and the run exits 1", async () => {
    const r = await cli(["health"], env, { now: NOW });
    expect(r.code).toBe(1);
    const [table, summary] = [r.stdout, r.stderr];
    const dup = [ids.first, ids.second, ids["third (host in capitals)"]].join(", ");
    const message = `duplicate: 3 webhooks at location 1234 with action BookingCreate and the same URL (ids ${dup}): every event is delivered 3 times; delete all but one`;
    expect(tableRows(table!)).toEqual([
      ["ID", "LOCATION", "ACTION", "NAME", "PROBLEMS"],
      [String(ids.first), "1234", "BookingCreate", "first", message],
      [String(ids.second), "1234", "BookingCreate", "second", message],
      [
        String(ids["third (host in capitals)"]),
        "1234",
        "BookingCreate",
        "third (host in capitals)",
        message,
      ],
    ]);
    expect(summary).toBe(
      "location 1234: 5 webhooks, 3 flagged (0 disabled, 0 failing, 0 silent, 3 duplicated)\n" +
        "location 5678: 1 webhook, all healthy\n" +
        "3 of 6 webhooks flagged\n",
    );
    expect(r.stdout).not.toContain(TARGET); // URLs are never printed
    recordFigures("health: duplicate webhooks flagged", {
      webhooks: 6,
      "duplicates at one location (same action and URL)": 3,
      flagged: 3,
      "false alarms (other action, location or URL)": 0,
    });
  });

  test("--json lists the duplicate rule with the ids", async () => {
    const r = await cli(["health", "--json", "--business", "1234"], env, { now: NOW });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as HealthJson;
    expect(report.flagged.map((f) => [f.id, f.problems.map((p) => p.rule)])).toEqual([
      [ids.first, ["duplicate"]],
      [ids.second, ["duplicate"]],
      [ids["third (host in capitals)"], ["duplicate"]],
    ]);
    expect(report.locations).toEqual([
      expect.objectContaining({ businessId: 1234, flagged: 3, duplicate: 3 }),
    ]);
  });
});
