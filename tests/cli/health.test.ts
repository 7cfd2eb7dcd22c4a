/**
 * `nexudus-webhooks health` against the emulator: the rules (disabled, failing, silent), the exit
 * code a pipeline gates on, the per-location summary and the JSON report.
 */
import { type EmulatorHandle, type WebhookRecord } from "../../emulator";
import type { HealthJson } from "../../cli/health";
import { cli, tableRows, startCliEmulator } from "./helpers";

const NOW = Date.parse("2025-03-01T00:00:00.000Z");

describe("health", () => {
  let emu: EmulatorHandle;
  let env: Record<string, string | undefined>;
  const hooks: Record<string, WebhookRecord> = {};

  beforeAll(async () => {
    ({ emu, env } = await startCliEmulator());
    const add = (key: string, fields: Partial<WebhookRecord>) => {
      hooks[key] = emu.insert({
        BusinessId: 1234,
        Action: 6,
        URL: `https://hooks.example.com/${key}`,
        Name: key,
        CreatedOn: "2025-01-01T00:00:00.000Z",
        ...fields,
      });
    };
    add("healthy", { LastTrigger: "2025-02-28T12:00:00.000Z" });
    add("disabled", {
      Active: false,
      ErrorCount: 10,
      LastError: "HTTP 500 from receiver",
      LastTrigger: "2025-02-20T00:00:00.000Z",
    });
    add("failing", {
      ErrorCount: 3,
      LastError: "connect ECONNREFUSED",
      LastTrigger: "2025-02-28T00:00:00.000Z",
    });
    add("silent", { LastTrigger: "2025-01-01T00:00:00.000Z" });
    add("newNeverFired", { CreatedOn: "2025-02-27T00:00:00.000Z" });
    add("oldNeverFired", { CreatedOn: "2024-12-01T00:00:00.000Z" });
    add("annex", { BusinessId: 5678, LastTrigger: "2025-02-28T00:00:00.000Z" });
  });

  afterAll(() => emu.stop());

  test("flags disabled and failing webhooks by default and exits 1", async () => {
    const r = await cli(["health"], env, { now: NOW });
    expect(r.code).toBe(1);
    // The flagged table is the data (stdout); the summary is for a person (stderr).
    const [table, summary] = [r.stdout, r.stderr];
    expect(tableRows(table)).toEqual([
      ["ID", "LOCATION", "ACTION", "NAME", "PROBLEMS"],
      [
        String(hooks.disabled!.Id),
        "1234",
        "BookingCreate",
        "disabled",
        "disabled (Active is false); failing: 10 consecutive errors (more than 0), last error: " +
          "HTTP 500 from receiver",
      ],
      [
        String(hooks.failing!.Id),
        "1234",
        "BookingCreate",
        "failing",
        "failing: 3 consecutive errors (more than 0), last error: connect ECONNREFUSED",
      ],
    ]);
    expect(summary).toBe(
      "location 1234: 6 webhooks, 2 flagged (1 disabled, 2 failing, 0 silent)\n" +
        "location 5678: 1 webhook, all healthy\n" +
        "2 of 7 webhooks flagged\n",
    );
  });

  test("--max-errors tolerates errors, --stale flags silent webhooks", async () => {
    const r = await cli(
      ["health", "--max-errors", "3", "--stale", "30", "--json", "--business", "1234"],
      env,
      { now: NOW },
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as HealthJson;
    expect(report.flagged.map((f) => [f.name, f.problems])).toEqual([
      [
        "disabled",
        [
          { rule: "disabled", message: "disabled (Active is false)" },
          {
            rule: "failing",
            message:
              "failing: 10 consecutive errors (more than 3), last error: HTTP 500 from receiver",
          },
        ],
      ],
      [
        "silent",
        [{ rule: "silent", message: "silent for 59 days (last trigger 2025-01-01 00:00Z)" }],
      ],
      [
        "oldNeverFired",
        [{ rule: "silent", message: "has never fired since it was created 90 days ago" }],
      ],
    ]);
    expect(report).toMatchObject({
      healthy: false,
      checkedAt: "2025-03-01T00:00:00.000Z",
      rules: { maxErrors: 3, staleDays: 30 },
      total: 6,
      flaggedCount: 3,
      locations: [
        { businessId: 1234, webhooks: 6, flagged: 3, disabled: 1, failing: 1, silent: 2 },
      ],
    });
    expect(report.flagged[1]).toMatchObject({
      id: hooks.silent!.Id,
      businessId: 1234,
      action: 6,
      actionName: "BookingCreate",
      url: "https://hooks.example.com/silent",
      active: true,
      errorCount: 0,
      lastTrigger: "2025-01-01T00:00:00.000Z",
    });
  });

  test("a short --stale flags more, fractions of days allowed", async () => {
    const r = await cli(["health", "--stale", "0.5", "--max-errors", "100", "--json"], env, {
      now: NOW,
    });
    const report = JSON.parse(r.stdout) as HealthJson;
    // healthy (12 h ago) and annex (1 day ago) fired recently enough only for --stale > 1.
    expect(report.flagged.map((f) => f.name).sort()).toEqual(
      ["annex", "disabled", "failing", "newNeverFired", "oldNeverFired", "silent"].sort(),
    );
    expect(report.flagged.find((f) => f.name === "annex")!.problems).toEqual([
      { rule: "silent", message: "silent for 1 day (last trigger 2025-02-28 00:00Z)" },
    ]);
  });

  test("exits 0 when nothing is flagged", async () => {
    const r = await cli(["health", "--business", "5678", "--stale", "7"], env, { now: NOW });
    expect(r).toEqual({
      code: 0,
      stdout: "",
      stderr: "location 5678: 1 webhook, all healthy\nNo webhook flagged (1 webhook checked).\n",
    });
    const j = await cli(["health", "--business", "5678", "--json"], env, { now: NOW });
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ healthy: true, flaggedCount: 0, flagged: [] });
  });

  test("a location without webhooks gets its summary line", async () => {
    const r = await cli(["health", "--business", "999,5678"], env, { now: NOW });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      "location 999: no webhooks\nlocation 5678: 1 webhook, all healthy\nNo webhook flagged (1 webhook checked).\n",
    );
  });

  test("re-enabling and clearing errors makes the gate pass", async () => {
    const before = await cli(["health", "--business", "1234", "--max-errors", "3"], env, {
      now: NOW,
    });
    expect(before.code).toBe(1);
    emu.patch(hooks.disabled!.Id, { Active: true, ErrorCount: 0, LastError: null });
    try {
      const after = await cli(["health", "--business", "1234", "--max-errors", "3"], env, {
        now: NOW,
      });
      expect(after.code).toBe(0);
      expect(after.stderr).toContain("location 1234: 6 webhooks, all healthy");
    } finally {
      emu.patch(hooks.disabled!.Id, {
        Active: false,
        ErrorCount: 10,
        LastError: "HTTP 500 from receiver",
      });
    }
  });

  test.each([
    [
      ["health", "--max-errors", "abc"],
      '--max-errors must be a whole number of at least 0; got "abc"',
    ],
    [["health", "--max-errors=1.5"], "--max-errors must be a whole number"],
    [["health", "--stale", "0"], '--stale must be a number greater than 0; got "0"'],
    [["health", "--stale", "soon"], "--stale must be a number greater than 0"],
    [["health", "--inactive"], "unknown flag --inactive"],
  ])("%j is a usage error (exit 2)", async (argv, message) => {
    const r = await cli(argv, env, { now: NOW });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("(see nexudus-webhooks health --help)");
  });

  test("--help documents the rules and the exit code", async () => {
    const r = await cli(["health", "--help"], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: nexudus-webhooks health /);
    for (const word of ["--max-errors", "--stale", "disabled", "failing", "silent", "Exits 1"]) {
      expect(r.stdout).toContain(word);
    }
  });
});
