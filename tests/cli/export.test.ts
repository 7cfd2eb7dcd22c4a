/**
 * `nexudus-webhooks export` against the emulator, and the round trip: export a location holding
 * 20 hand-made webhooks, type-check the generated program, run it through the real
 * dynamic-provider host, and check that `up` adopted every webhook with no create, no update and
 * no duplicate, and that the next `up` has nothing to do.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { type EmulatorHandle, type WebhookRecord } from "../../emulator";
import { actionName } from "../../client/actions";
import { identifierFor } from "../../cli/codegen";
import { captureResources, type CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { REPO_ROOT, startHost, type Host } from "../../testing/host";
import { ADMIN_TOKEN, cli, requestsOf, startCliEmulator } from "./helpers";

const TMP_ROOT = path.join(__dirname, ".tmp-export");
const LOCATION = 1234;

/** Type-checks `files` as a user project would, `pulumi-nexudus` mapped to the SDK's source. */
function typeCheck(files: string[]): Map<string, string[]> {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["node"],
    baseUrl: REPO_ROOT,
    paths: { "pulumi-nexudus": ["sdk/index.ts"] },
  });
  const byFile = new Map<string, string[]>(files.map((f) => [path.resolve(f), []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file ? path.resolve(d.file.fileName) : "(global)";
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    byFile.set(file, [...(byFile.get(file) ?? []), text]);
  }
  return byFile;
}

/** 20 webhooks made by hand: every kind of value the program must reproduce exactly. */
function handMade(emu: EmulatorHandle): WebhookRecord[] {
  const tricky = [
    "Quotes \"double\" and 'single'",
    "Back\\slash and `${template}` syntax",
    "Line\nbreak and\ttab",
    "Ünïcødé 🎉 and \u2028 separator",
    "*/ not a comment end /*",
  ];
  const out: WebhookRecord[] = [];
  for (let i = 0; i < 20; i++) {
    out.push(
      emu.insert({
        BusinessId: LOCATION,
        // Two webhooks per action for some actions, told apart by their URL.
        // One action (BusinessUpdate) used once, for the set's single-hook naming.
        Action: i === 19 ? 84 : [6, 6, 3, 21, 21, 45, 90, 2][i % 8]!,
        URL: `https://hooks.example.com/${i}?token=abc${i}&x=${encodeURIComponent("a b")}`,
        Name: i < tricky.length ? tricky[i]! : `Hand-made hook ${i}`,
        Description: i % 3 === 0 ? null : i % 3 === 1 ? `Description ${i}: ${tricky[i % 5]}` : "",
        Active: i % 4 !== 3,
        ErrorCount: i % 5 === 0 ? 4 : 0,
        LastError: i % 5 === 0 ? "HTTP 500" : null,
        LastTrigger: i % 2 === 0 ? "2025-02-01T10:00:00.000Z" : null,
      }),
    );
  }
  return out;
}

describe("export", () => {
  let emu: EmulatorHandle;
  let env: Record<string, string | undefined>;
  let hooks: WebhookRecord[];
  let dir: string;

  beforeAll(async () => {
    ({ emu, env } = await startCliEmulator());
    hooks = handMade(emu);
    for (let i = 0; i < 3; i++) {
      emu.insert({
        BusinessId: 5678,
        Action: 6,
        URL: `https://annex.example.com/${i}`,
        Name: `Annex ${i}`,
      });
    }
    fs.mkdirSync(TMP_ROOT, { recursive: true });
    dir = fs.mkdtempSync(path.join(TMP_ROOT, "run-"));
  });

  afterAll(async () => {
    await emu.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    try {
      fs.rmdirSync(TMP_ROOT); // only when empty: another run may be using it
    } catch {
      // not empty, or already gone
    }
  });

  test("prints the program: one search, one GET per webhook, stable output", async () => {
    emu.clearRequests();
    const r = await cli(["export", "--business", String(LOCATION)], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Exported 20 webhooks of location ${LOCATION} as WebHook resources.\n`);
    expect(requestsOf(emu, "search")).toHaveLength(1);
    expect(
      requestsOf(emu, "get")
        .map((q) => q.path)
        .sort(),
    ).toEqual(hooks.map((h) => `/api/sys/webhooks/${h.Id}`).sort());
    const names = [...r.stdout.matchAll(/^const (\w+) = new nexudus\.WebHook\("(\w+)"/gm)];
    expect(names.map((m) => m[1])).toEqual(hooks.map(identifierFor));
    expect(names.every((m) => m[1] === m[2])).toBe(true);
    expect(r.stdout).not.toContain("annex.example.com");
    expect(r.stdout.match(/adopt: true,/g)).toHaveLength(20);
    // Descriptions come from the GETs (search rows have none).
    expect(r.stdout.match(/^ {2}description: /gm)).toHaveLength(
      hooks.filter((h) => h.Description).length,
    );
    const again = await cli(["export", "--business", String(LOCATION)], env);
    expect(again.stdout).toBe(r.stdout);
  });

  test("--set prints one WebhookSet holding every webhook", async () => {
    const r = await cli(["export", "--business", String(LOCATION), "--set"], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`Exported 20 webhooks of location ${LOCATION} as one WebhookSet.\n`);
    expect(r.stdout.match(/new nexudus\.WebhookSet\(/g)).toHaveLength(1);
    expect(r.stdout).toContain(
      `const location${LOCATION} = new nexudus.WebhookSet("location${LOCATION}", {\n  businessId: ${LOCATION},\n  adopt: true,\n  hooks: [\n`,
    );
    const keys = [...r.stdout.matchAll(/^ {6}key: "(\w+)",$/gm)].map((m) => m[1]);
    expect(keys).toEqual(hooks.map((h) => String(h.Id)));
    for (const h of hooks) {
      expect(r.stdout).toContain(
        `      name: ${JSON.stringify(h.Name)},\n      action: "${actionName(h.Action)}",\n      url: ${JSON.stringify(h.URL)},\n`,
      );
    }
    expect(r.stdout).not.toContain("new nexudus.WebHook(");
  });

  test("webhooks that cannot be adopted are left out with a warning", async () => {
    const extra = [
      emu.insert({
        BusinessId: 77,
        Action: 1,
        URL: "https://hooks.example.com/none",
        Name: "Nothing",
      }),
      emu.insert({
        BusinessId: 77,
        Action: 6,
        URL: "https://hooks.example.com/dup",
        Name: "Dup 1",
      }),
      emu.insert({
        BusinessId: 77,
        Action: 6,
        URL: "https://hooks.example.com/dup",
        Name: "Dup 2",
      }),
      emu.insert({ BusinessId: 77, Action: 7, URL: "https://hooks.example.com/dup", Name: "Fine" }),
    ];
    try {
      const r = await cli(["export", "--business", "77"], env);
      expect(r.code).toBe(0);
      const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
      expect(warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^warning: webhook ${extra[0]!.Id} "Nothing" not exported: action None \\(1\\)`,
          ),
        ),
        expect.stringContaining(`webhook ${extra[1]!.Id} "Dup 1" not exported: 2 webhooks`),
        expect.stringContaining(`webhook ${extra[2]!.Id} "Dup 2" not exported: 2 webhooks`),
      ]);
      expect(r.stderr).toContain(
        "Exported 1 webhook of location 77 as WebHook resources (3 skipped).",
      );
      expect(r.stdout.match(/new nexudus\.WebHook\(/g)).toHaveLength(1);
      expect(r.stdout).toContain(`const bookingUpdate_${extra[3]!.Id} = `);
    } finally {
      for (const x of extra) emu.remove(x.Id);
    }
  });

  test("a location without webhooks: an empty program and a warning", async () => {
    const r = await cli(["export", "--business", "4242"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("export const webhookIds = {};");
    expect(r.stderr).toContain("warning: location 4242 has no webhooks");
  });

  test.each([
    [["export"], "export needs --business ID"],
    [["export", "--business", "1,2"], "export takes one --business"],
    [["export", "--business", "1234", "--out", "no/such/dir/index.ts"], "does not exist"],
    [["export", "--business", "1234", "--out", "."], "is a directory"],
    [["export", "--business", "1234", "--json"], "unknown flag --json"],
  ])("%j is a usage error (exit 2), before any request", async (argv, message) => {
    emu.clearRequests();
    const r = await cli(argv, env, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("(see nexudus-webhooks export --help)");
    expect(emu.requests()).toEqual([]);
  });

  describe("round trip through the real host", () => {
    let host: Host;
    const files = { hooks: "", set: "" };

    beforeAll(async () => {
      host = await startHost({ env: { NEXUDUS_TIME_FACTOR: "0.01" } });
    });

    afterAll(async () => {
      await host?.stop();
    });

    test("--out writes the programs, which type-check", async () => {
      for (const mode of ["hooks", "set"] as const) {
        const out = `${mode}.ts`;
        const flags = mode === "set" ? ["--set"] : [];
        const r = await cli(
          ["export", "--business", String(LOCATION), ...flags, "--out", out],
          env,
          {
            cwd: dir,
          },
        );
        expect(r.code).toBe(0);
        files[mode] = path.join(dir, out);
        const what = mode === "set" ? "one WebhookSet" : "WebHook resources";
        expect(r.stderr).toBe(
          `Exported 20 webhooks of location ${LOCATION} as ${what} to ${files[mode]}.\n`,
        );
        const printed = await cli(["export", "--business", String(LOCATION), ...flags], env);
        expect(fs.readFileSync(files[mode], "utf8")).toBe(printed.stdout);
      }

      // A control that must fail to type-check: the same program with a misspelt action.
      // (Outside the repo, so that no type-check of the repo ever meets it.)
      const brokenDir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-export-"));
      const broken = path.join(brokenDir, "broken.ts");
      const code = fs.readFileSync(files.hooks, "utf8");
      fs.writeFileSync(broken, code.replace('action: "BookingCreate"', 'action: "BookingCreat"'));
      let diagnostics: Map<string, string[]>;
      try {
        diagnostics = typeCheck([files.hooks, files.set, broken]);
      } finally {
        fs.rmSync(brokenDir, { recursive: true, force: true });
      }
      expect(diagnostics.get(path.resolve(files.hooks))).toEqual([]);
      expect(diagnostics.get(path.resolve(files.set))).toEqual([]);
      expect(diagnostics.get(path.resolve(broken))).toEqual([
        expect.stringContaining('"BookingCreat"'),
      ]);
    });

    /** The logical name each hand-made webhook must get in a mode. */
    function expectedName(mode: "hooks" | "set", h: WebhookRecord): string {
      if (mode === "hooks") return identifierFor(h);
      const base = `location${LOCATION}-${actionName(h.Action)}`;
      const sameAction = hooks.filter((x) => x.Action === h.Action).length;
      return sameAction > 1 ? `${base}-${h.Id}` : base;
    }

    test.each(["hooks", "set"] as const)(
      "%s: the first up adopts every webhook (no create, no update, no duplicate); the next changes nothing",
      async (mode) => {
        const before = emu.records();
        const desired: CapturedResource[] = await captureResources(() => {
          require(files[mode]);
        });
        const custom = desired.filter((d) => d.custom);
        expect(custom.map((d) => d.name).sort()).toEqual(
          hooks.map((h) => expectedName(mode, h)).sort(),
        );
        if (mode === "set") {
          expect(desired.filter((d) => !d.custom).map((d) => d.name)).toEqual([
            `location${LOCATION}`,
          ]);
        }

        const engine = new Engine(host, {
          config: { "nexudus:baseUrl": emu.url, "nexudus:token": { secret: ADMIN_TOKEN } },
        });
        emu.clearRequests();
        const result = await engine.up(desired);
        expect(result.errors).toEqual([]);
        expect(result.summary).toEqual({ create: 20 }); // new in state, adopted in Nexudus

        expect(emu.requests().filter((q) => q.method !== "GET")).toEqual([]);
        expect(emu.requests().filter((q) => q.status !== 200)).toEqual([]);
        expect(emu.records()).toEqual(before);

        // Each resource took over the very webhook it was exported from.
        for (const h of hooks) {
          const entry = engine.find(expectedName(mode, h));
          expect(entry?.id).toBe(String(h.Id));
          expect(entry?.outputs).toMatchObject({
            webhookId: h.Id,
            name: h.Name,
            action: h.Action,
            url: h.URL,
            active: h.Active,
            adopt: true,
            description: h.Description || null,
          });
        }

        // The next preview and up, and a refresh, change nothing either.
        emu.clearRequests();
        expect((await engine.preview(desired)).summary).toEqual({ same: 20 });
        expect((await engine.up(desired)).summary).toEqual({ same: 20 });
        expect((await engine.refresh()).errors).toEqual([]);
        expect((await engine.up(desired)).summary).toEqual({ same: 20 });
        expect(emu.requests().filter((q) => q.method !== "GET")).toEqual([]);
        expect(emu.records()).toEqual(before);
      },
    );
  });
});
