/**
 * `nexudus-webhooks list` against the emulator: table and JSON output, filters, flag errors, and
 * paging through 2,500 records with a progress line.
 */
import { startEmulator, type EmulatorHandle, type WebhookRecord } from "../../emulator";
import { LIST_COLUMNS } from "../../cli/list";
import { cli, envFor, requestsOf, tableRows, startCliEmulator } from "./helpers";

describe("list", () => {
  let emu: EmulatorHandle;
  let env: Record<string, string | undefined>;
  let bookings: WebhookRecord;
  let disabled: WebhookRecord;
  let other: WebhookRecord;
  let invoices: WebhookRecord;

  beforeAll(async () => {
    ({ emu, env } = await startCliEmulator());
    bookings = emu.insert({
      BusinessId: 1234,
      Action: 6,
      URL: "https://hooks.example.com/bookings",
      Name: "Bookings to Slack",
      Description: "hand-made",
      LastTrigger: "2025-01-15T10:30:12.000Z",
    });
    other = emu.insert({
      BusinessId: 5678,
      Action: 6,
      URL: "https://hooks.example.com/annex",
      Name: "Annex\n  bookings",
    });
    disabled = emu.insert({
      BusinessId: 1234,
      Action: 3,
      URL: "https://hooks.example.com/members",
      Name: "New members",
      Active: false,
      ErrorCount: 10,
      LastError: "HTTP 500",
    });
    invoices = emu.insert({
      BusinessId: 1234,
      Action: 21,
      URL: "https://hooks.example.com/paid",
      Name: "Paid invoices",
      ErrorCount: 2,
    });
  });

  afterAll(() => emu.stop());

  test("prints an aligned table sorted by location then id", async () => {
    const r = await cli(["list"], env);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    const rows = tableRows(r.stdout);
    expect(rows[0]).toEqual([...LIST_COLUMNS]);
    expect(rows.slice(1)).toEqual([
      [
        String(bookings.Id),
        "1234",
        "BookingCreate",
        "Bookings to Slack",
        "https://hooks.example.com/bookings",
        "yes",
        "0",
        "2025-01-15 10:30Z",
      ],
      [
        String(disabled.Id),
        "1234",
        "CoworkerCreate",
        "New members",
        "https://hooks.example.com/members",
        "no",
        "10",
        "never",
      ],
      [
        String(invoices.Id),
        "1234",
        "CoworkerInvoicePaid",
        "Paid invoices",
        "https://hooks.example.com/paid",
        "yes",
        "2",
        "never",
      ],
      [
        String(other.Id),
        "5678",
        "BookingCreate",
        "Annex bookings",
        "https://hooks.example.com/annex",
        "yes",
        "0",
        "never",
      ],
    ]);
    // Aligned: every column starts at the same offset on every line.
    const urlColumn = lines.map((l) => l.indexOf("https://"));
    expect(new Set(urlColumn.slice(1)).size).toBe(1);
    expect(lines[0]!.indexOf("URL")).toBe(urlColumn[1]);
    expect(r.stderr).toBe("4 webhooks in 2 locations\n");
  });

  test("--json prints every field of every webhook", async () => {
    const r = await cli(["list", "--json"], env);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(rows.map((x) => x.id)).toEqual([bookings.Id, disabled.Id, invoices.Id, other.Id]);
    expect(rows[0]).toEqual({
      id: bookings.Id,
      businessId: 1234,
      action: 6,
      actionName: "BookingCreate",
      name: "Bookings to Slack",
      url: "https://hooks.example.com/bookings",
      active: true,
      errorCount: 0,
      lastError: null,
      lastTrigger: "2025-01-15T10:30:12.000Z",
      createdOn: bookings.CreatedOn,
      updatedOn: bookings.UpdatedOn,
    });
    expect(rows[1]).toMatchObject({ active: false, errorCount: 10, lastError: "HTTP 500" });
    expect(rows[3]).toMatchObject({ name: "Annex\n  bookings" });
    expect(r.stderr).toBe("");
  });

  test("--business filters by location, repeated or comma-separated", async () => {
    const one = JSON.parse((await cli(["list", "--json", "--business", "5678"], env)).stdout);
    expect(one.map((x: { id: number }) => x.id)).toEqual([other.Id]);
    const comma = await cli(["list", "--json", "--business", "5678,1234"], env);
    const repeated = await cli(["list", "--json", "--business", "5678", "--business", "1234"], env);
    expect(JSON.parse(comma.stdout)).toHaveLength(4);
    expect(repeated.stdout).toBe(comma.stdout);
  });

  test("--action takes a name, a number, or a name in any case", async () => {
    const byName = await cli(["list", "--json", "--action", "BookingCreate"], env);
    const byNumber = await cli(["list", "--json", "--action", "6"], env);
    const anyCase = await cli(["list", "--json", "--action", "bookingcreate"], env);
    expect(JSON.parse(byName.stdout).map((x: { id: number }) => x.id)).toEqual([
      bookings.Id,
      other.Id,
    ]);
    expect(byNumber.stdout).toBe(byName.stdout);
    expect(anyCase.stdout).toBe(byName.stdout);
    emu.clearRequests();
    await cli(["list", "--action", "21", "--business", "1234"], env);
    expect(requestsOf(emu, "search").map((q) => q.query)).toEqual([
      expect.stringMatching(/WebHook_Business=1234.*WebHook_Action=21/),
    ]);
  });

  test("--action suggests the closest name on a typo", async () => {
    const r = await cli(["list", "--action", "BookingCreat"], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      'nexudus-webhooks: --action "BookingCreat" is not a Nexudus webhook action; did you mean ' +
        "BookingCreate? (see nexudus-webhooks list --help)\n",
    );
    const n = await cli(["list", "--action", "91"], env);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain("numbers run from 1 to 90");
  });

  test("--inactive lists only disabled webhooks", async () => {
    emu.clearRequests();
    const r = await cli(["list", "--inactive"], env);
    expect(r.code).toBe(0);
    expect(
      tableRows(r.stdout)
        .slice(1)
        .map((row) => row[0]),
    ).toEqual([String(disabled.Id)]);
    expect(requestsOf(emu, "search")[0]!.query).toContain("WebHook_Active=false");
  });

  test("an empty result is a table-less success", async () => {
    const r = await cli(["list", "--business", "999"], env);
    expect(r).toEqual({ code: 0, stdout: "", stderr: "No webhooks match.\n" });
    const j = await cli(["list", "--business", "999", "--json"], env);
    expect(j).toEqual({ code: 0, stdout: "[]\n", stderr: "" });
  });

  test.each([
    [["list", "--bogus"], "unknown flag --bogus"],
    [
      ["list", "--business", "abc"],
      '--business must be a positive whole number (a Nexudus location id); got "abc"',
    ],
    [["list", "--business", "0"], "--business must be a positive whole number"],
    [["list", "--business"], "--business needs a value"],
    [["list", "extra"], 'list takes no argument "extra"'],
    [["list", "--json=yes"], "--json"],
  ])("%j is a usage error (exit 2)", async (argv, message) => {
    emu.clearRequests();
    const r = await cli(argv, env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/\(see nexudus-webhooks list --help\)\n$/);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(emu.requests()).toEqual([]);
  });

  test("--help prints the usage and calls nothing", async () => {
    emu.clearRequests();
    const r = await cli(["list", "--help"], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: nexudus-webhooks list /);
    expect(r.stdout).toContain("--inactive");
    expect(r.stdout).toContain("NEXUDUS_TOKEN");
    expect(r.stdout).toMatch(/Exit codes:/);
    expect(emu.requests()).toEqual([]);
  });
});

describe("list paging", () => {
  let emu: EmulatorHandle;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    emu = await startEmulator({
      locations: [
        { id: 1, name: "A" },
        { id: 2, name: "B" },
      ],
    });
    env = envFor(emu);
    for (let i = 0; i < 2500; i++) {
      emu.insert({
        BusinessId: i % 5 === 0 ? 2 : 1,
        Action: 2 + (i % 89),
        URL: `https://hooks.example.com/h/${i}`,
        Name: `Hook ${i}`,
      });
    }
  });

  afterAll(() => emu.stop());

  test("pages through 2,500 records, 1,000 at a time", async () => {
    emu.clearRequests();
    const r = await cli(["list", "--json"], env);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: number; businessId: number }[];
    expect(rows).toHaveLength(2500);
    const ids = new Set(rows.map((x) => x.id));
    expect(ids.size).toBe(2500);
    expect([...ids].sort()).toEqual(
      emu
        .records()
        .map((x) => x.Id)
        .sort(),
    );
    const searches = requestsOf(emu, "search").map((q) => new URLSearchParams(q.query));
    expect(searches.map((q) => [q.get("page"), q.get("size")])).toEqual([
      ["1", "1000"],
      ["2", "1000"],
      ["3", "1000"],
    ]);
  });

  test("draws a progress line on a terminal, and erases it", async () => {
    const r = await cli(["list", "--business", "1"], env, { isTTY: true });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(2001);
    const clear = "\r\x1b[2K";
    expect(r.stderr).toBe(
      `${clear}Loading webhooks of location 1: page 1 of 2 (1000 of 2000)` +
        `${clear}Loading webhooks of location 1: page 2 of 2 (2000 of 2000)` +
        `${clear}2000 webhooks in 1 location\n`,
    );
  });

  test("draws no progress line when stderr is not a terminal", async () => {
    const r = await cli(["list", "--business", "2"], env, { isTTY: false });
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(501);
    expect(r.stderr).toBe("500 webhooks in 1 location\n");
  });
});
