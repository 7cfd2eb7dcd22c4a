/**
 * `nexudus-webhooks pending`: reading an exported state, matching pending creates to records, and
 * the command line. The whole recovery through the real engine is in tests/e2e/interrupt.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { matchPending, readPendingCreates, type PendingReport } from "../../cli/pending";
import type { WebhookSummary } from "../../client/schemas";
import { SECRET_SIG, SIG_KEY } from "../../testing/host";
import { cli, envFor } from "./helpers";

const TYPE = "pulumi-nodejs:dynamic/nexudus:WebHook";

function pendingOp(name: string, inputs: Record<string, unknown> = {}) {
  return {
    type: "creating",
    resource: {
      urn: `urn:pulumi:dev::p::${TYPE}::${name}`,
      type: TYPE,
      inputs: {
        businessId: 1234,
        action: 6,
        name: `Hook ${name}`,
        url: `https://hooks.example.com/${name}`,
        ...inputs,
      },
    },
  };
}

function exported(resources: Array<{ id: string }>, ops: unknown[]) {
  return {
    version: 3,
    deployment: {
      resources: resources.map((r, i) => ({ urn: `urn:x::${i}`, type: TYPE, id: r.id })),
      pending_operations: ops,
    },
  };
}

function row(id: number, name: string, extra: Partial<WebhookSummary> = {}): WebhookSummary {
  return {
    Id: id,
    BusinessId: 1234,
    Action: 6,
    Name: `Hook ${name}`,
    URL: `https://hooks.example.com/${name}`,
    Active: true,
    CreatedOn: "2026-12-01T10:00:00Z",
    ...extra,
  } as WebhookSummary;
}

describe("readPendingCreates", () => {
  test("reads WebHook pending creates, secrets exported with --show-secrets, and the held ids", () => {
    const doc = exported(
      [{ id: "10" }],
      [
        pendingOp("a", {
          url: { [SIG_KEY]: SECRET_SIG, plaintext: '"https://hooks.example.com/a"' },
        }),
        { type: "updating", resource: { urn: "u", type: TYPE } },
        { type: "creating", resource: { urn: "other", type: "aws:s3/bucket:Bucket" } },
      ],
    );
    const { pending, held } = readPendingCreates(doc);
    expect([...held]).toEqual([10]);
    expect(pending).toEqual([
      {
        urn: `urn:pulumi:dev::p::${TYPE}::a`,
        businessId: 1234,
        action: 6,
        name: "Hook a",
        url: "https://hooks.example.com/a",
      },
    ]);
  });

  test("an encrypted URL is matched without it; a bad document names the field", () => {
    const doc = exported(
      [],
      [pendingOp("a", { url: { [SIG_KEY]: SECRET_SIG, ciphertext: "v1:x" } })],
    );
    expect(readPendingCreates(doc).pending[0]!.url).toBeUndefined();
    expect(() => readPendingCreates({})).toThrow("no `deployment` object");
    expect(() => readPendingCreates(exported([], [pendingOp("a", { businessId: "x" })]))).toThrow(
      'pending_operations[0].resource.inputs.businessId must be a whole number; got "x"',
    );
    expect(() =>
      readPendingCreates(
        exported([], [pendingOp("a", { name: { [SIG_KEY]: SECRET_SIG, ciphertext: "c" } })]),
      ),
    ).toThrow("--show-secrets");
  });
});

describe("matchPending", () => {
  const { pending } = readPendingCreates(
    exported([], [pendingOp("a"), pendingOp("b"), pendingOp("c")]),
  );

  test("one record each; a record held by the state is never named; none when not created", () => {
    const rows = [row(1, "a"), row(2, "b"), row(3, "b", {})];
    const findings = matchPending(pending, new Set([3]), rows);
    expect(findings.map((f) => [f.outcome, f.ids])).toEqual([
      ["record", [1]],
      ["record", [2]],
      ["none", []],
    ]);
  });

  test("two candidates for one create are ambiguous; other location, action or URL never match", () => {
    const rows = [
      row(1, "a"),
      row(2, "a"),
      row(3, "b", { BusinessId: 99 }),
      row(4, "b", { Action: 7 }),
      row(5, "c", { URL: "https://elsewhere.example.com/c" }),
    ];
    expect(matchPending(pending, new Set(), rows).map((f) => [f.outcome, f.ids])).toEqual([
      ["ambiguous", [1, 2]],
      ["none", []],
      ["none", []],
    ]);
  });

  test("--since leaves out records made before the killed run started", () => {
    const rows = [row(1, "a", { CreatedOn: "2026-12-01T08:00:00Z" }), row(2, "a")];
    const since = Date.parse("2026-12-01T09:00:00Z");
    expect(matchPending(pending, new Set(), rows, since)[0]).toMatchObject({
      outcome: "record",
      ids: [2],
    });
  });
});

describe("the command against the emulator", () => {
  let emu: EmulatorHandle;
  let dir: string;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-pending-"));
  });
  afterAll(async () => {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test("names the extra record, deletes only it with --delete, and says what to run next", async () => {
    const held = emu.insert({
      BusinessId: 1234,
      Action: 6,
      Name: "Hook a",
      URL: "https://hooks.example.com/a",
    });
    const extra = emu.insert({
      BusinessId: 1234,
      Action: 6,
      Name: "Hook a",
      URL: "https://hooks.example.com/a",
    });
    const file = path.join(dir, "state.json");
    fs.writeFileSync(
      file,
      JSON.stringify(exported([{ id: String(held.Id) }], [pendingOp("a"), pendingOp("b")])),
    );

    const dry = await cli(["pending", "--state", file], envFor(emu));
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`record ${extra.Id}: extra, in no state`);
    expect(dry.stderr).toContain("nexudus-webhooks pending --state <the same file> --delete");
    expect(emu.records()).toHaveLength(2);

    const r = await cli(
      ["pending", "--state", file, "--since", "2000-01-01T00:00:00Z", "--delete", "--json"],
      envFor(emu),
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as PendingReport;
    expect(report).toMatchObject({ extra: [extra.Id], deleted: [extra.Id] });
    expect(report.next).toEqual(["pulumi refresh --clear-pending-creates --yes", "pulumi up"]);
    expect(emu.records().map((x) => x.Id)).toEqual([held.Id]);
  });

  test("bad flags and files are usage errors that name the flag, before any call", async () => {
    emu.clearRequests();
    const none = await cli(["pending"], envFor(emu));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("pending needs --state FILE");
    const since = await cli(["pending", "--state", "x.json", "--since", "yesterday"], envFor(emu));
    expect(since.code).toBe(2);
    const missing = await cli(["pending", "--state", path.join(dir, "nope.json")], envFor(emu));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot be read (ENOENT)");
    const notJson = path.join(dir, "bad.json");
    fs.writeFileSync(notJson, "{");
    const bad = await cli(["pending", "--state", notJson], envFor(emu));
    expect(bad.stderr).toContain("is not JSON");
    expect(emu.requests()).toEqual([]);
  });
});
