/**
 * The CLI reads as the provider reads and prints no secret of the state:
 * - every command reads the search to the end with the provider's paging rule: a server that
 *   caps pages at 100 while its totals count with the asked 1,000 gives all 151 rows, and a
 *   server whose rows do not add up to `TotalItems` fails the command (never a partial list and
 *   exit 0);
 * - `pending` matches records as the provider's lookups do (Name as stored, IDN host in punycode);
 * - `pending --delete` needs an ISO 8601 `--since`, checked before any call;
 * - `pending` (text and `--json`) shows a URL by its host only.
 * Through the CLI's `run` against the emulator over real HTTP.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import type { PendingReport } from "../../cli/pending";
import { recordFigures } from "../../testing/figures";
import { cli, envFor } from "./helpers";

const TYPE = "pulumi-nodejs:dynamic/nexudus:WebHook";
const SINCE = "2000-01-01T00:00:00Z";

function state(ops: Array<{ name: string; url: string; hookName?: string }>): string {
  return JSON.stringify({
    version: 3,
    deployment: {
      resources: [],
      pending_operations: ops.map((o) => ({
        type: "creating",
        resource: {
          urn: `urn:pulumi:dev::p::${TYPE}::${o.name}`,
          type: TYPE,
          inputs: { businessId: 1234, action: 6, name: o.hookName ?? `Hook ${o.name}`, url: o.url },
        },
      })),
    },
  });
}

let emu: EmulatorHandle;
let dir: string;
const figures = { "rows truncated": 0, "secrets printed": 0 };

beforeEach(async () => {
  emu = await startEmulator({ port: 0 });
});
afterEach(() => emu.stop());
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-cli-reads-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  recordFigures("CLI reads and output", figures);
});

function writeState(text: string): string {
  const file = path.join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, text);
  return file;
}

function insertMany(n: number): number[] {
  const ids: number[] = [];
  for (let i = 1; i <= n; i++) {
    ids.push(
      emu.insert({
        BusinessId: 1234,
        Action: 6,
        Name: `Hook ${i}`,
        URL: `https://hooks.example.com/h${i}`,
      }).Id,
    );
  }
  return ids;
}

describe("pages capped at 100 while the totals count 1,000-row pages (151 records)", () => {
  beforeEach(() => emu.setQuirks({ maxPageSize: 100, silentPageSizeCap: true }));

  test("list shows all 151 rows", async () => {
    const ids = insertMany(151);
    const r = await cli(["list", "--json"], envFor(emu));
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ id?: number; Id?: number }>;
    figures["rows truncated"] += Math.max(0, ids.length - rows.length);
    expect(rows).toHaveLength(151);
  });

  test("pending finds the extra record on row 151", async () => {
    insertMany(150);
    const extra = emu.insert({
      BusinessId: 1234,
      Action: 6,
      Name: "Hook late",
      URL: "https://hooks.example.com/late",
    });
    const file = writeState(state([{ name: "late", url: "https://hooks.example.com/late" }]));
    const r = await cli(["pending", "--state", file, "--json"], envFor(emu));
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as PendingReport;
    if (report.extra.length === 0) figures["rows truncated"] += 1;
    expect(report.extra).toEqual([extra.Id]);
  });
});

test("rows that do not add up to TotalItems fail list, health and pending (never a partial list)", async () => {
  insertMany(3);
  emu.setQuirks({ totalItemsOffset: 5 });
  const file = writeState(state([{ name: "x", url: "https://hooks.example.com/x" }]));
  for (const argv of [["list"], ["health"], ["pending", "--state", file]]) {
    const r = await cli(argv, envFor(emu));
    expect({ argv, code: r.code }).toEqual({ argv, code: expect.not.stringMatching(/^0$/) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/TotalItems says 8/);
  }
});

test("pending matches a record whose IDN host the server stored in punycode, and a Name with spaces collapsed", async () => {
  const rec = emu.insert({
    BusinessId: 1234,
    Action: 6,
    Name: "Hook  idn",
    URL: "https://xn--bcher-kva.example/hook",
  });
  const file = writeState(
    state([{ name: "idn", hookName: "Hook idn", url: "https://bücher.example/hook" }]),
  );
  const r = await cli(["pending", "--state", file, "--json"], envFor(emu));
  expect(r.code).toBe(0);
  expect((JSON.parse(r.stdout) as PendingReport).extra).toEqual([rec.Id]);
});

test("pending --delete needs --since, in ISO 8601: exit 2 and no call otherwise", async () => {
  emu.insert({ BusinessId: 1234, Action: 6, Name: "Hook a", URL: "https://hooks.example.com/a" });
  const file = writeState(state([{ name: "a", url: "https://hooks.example.com/a" }]));
  emu.clearRequests();
  for (const extra of [[], ["--since", "Dec 6 00:00"], ["--since", "2026-12-06 10:00"]]) {
    const r = await cli(["pending", "--state", file, "--delete", ...extra], envFor(emu));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--since/);
  }
  expect(emu.requests()).toEqual([]);
  expect(emu.records()).toHaveLength(1);
  const ok = await cli(["pending", "--state", file, "--delete", "--since", SINCE], envFor(emu));
  expect(ok.code).toBe(0);
  expect(emu.records()).toHaveLength(0);
});

test("pending prints no password, path token or query key of a URL in the state (text and --json)", async () => {
  const secrets = ["pw-S3CRET-9f2", "tok-S3CRET-path-77a", "key-S3CRET-q-31c"];
  const url = `https://ops:${secrets[0]}@hooks.example.com/in/${secrets[1]}?key=${secrets[2]}`;
  emu.insert({ BusinessId: 1234, Action: 6, Name: "Hook s", URL: url });
  const file = writeState(
    state([
      { name: "s", url },
      { name: "t", url: `${url}&x=1` },
    ]),
  );
  for (const extra of [[], ["--json"]]) {
    const r = await cli(["pending", "--state", file, ...extra], envFor(emu));
    expect(r.code).toBe(0);
    const out = r.stdout + r.stderr;
    const printed = secrets.filter((s) => out.includes(s));
    figures["secrets printed"] += printed.length;
    expect(printed).toEqual([]);
    expect(out).toContain(extra.length ? '"host": "hooks.example.com"' : "record");
  }
});
