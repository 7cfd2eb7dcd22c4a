/**
 * One stream rule for every command (docs/cli.md): data (tables, JSON, generated code, the pending
 * report) on stdout; summaries, warnings, progress and errors on stderr. So `> file` and `| jq`
 * get only the data, and a person still sees the summary. And `--version`/`-v` on both bins.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EmulatorHandle } from "../../emulator";
import { cli, startCliEmulator } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    version: string;
  }
).version;

let emu: EmulatorHandle;
let env: Record<string, string | undefined>;
let dir: string;

beforeAll(async () => {
  ({ emu, env } = await startCliEmulator());
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-streams-"));
  emu.insert({ BusinessId: 1234, Action: 6, Name: "ok", URL: "https://hooks.example.com/ok" });
  emu.insert({
    BusinessId: 1234,
    Action: 6,
    Name: "off",
    URL: "https://hooks.example.com/off",
    Active: false,
  });
});
afterAll(async () => {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The summary sentences a command prints for a person. */
const SUMMARY = /webhooks? in \d+ location|location \d+:|flagged|Exported|nothing to recover|Next:/;

describe("data on stdout, summaries on stderr", () => {
  test("list: the table on stdout, the count on stderr", async () => {
    const r = await cli(["list"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ +ID +LOCATION +ACTION/);
    expect(r.stdout).not.toMatch(SUMMARY);
    expect(r.stderr).toBe("2 webhooks in 1 location\n");
  });

  test("health: the flagged table on stdout, the per-location summary and total on stderr", async () => {
    const r = await cli(["health"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ +ID +LOCATION +ACTION +NAME +PROBLEMS\n.*off .*disabled/);
    expect(r.stdout).not.toMatch(SUMMARY);
    expect(r.stderr).toBe(
      "location 1234: 2 webhooks, 1 flagged (1 disabled, 0 failing, 0 silent)\n" +
        "1 of 2 webhooks flagged\n",
    );
  });

  test("export: the program on stdout, the summary on stderr", async () => {
    const r = await cli(["export", "--business", "1234"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("new nexudus.WebHook(");
    expect(r.stdout).not.toMatch(/^Exported/m);
    expect(r.stderr).toMatch(/^Exported 2 webhooks of location 1234/);
  });

  test("pending: nothing to recover is a summary, on stderr (stdout stays empty)", async () => {
    const file = path.join(dir, "state.json");
    fs.writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources: [] } }));
    const r = await cli(["pending", "--state", file], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("nothing to recover");
  });
});

describe("--version", () => {
  const bins = [
    ["nexudus-webhooks", path.join(ROOT, "cli", "main.ts")],
    ["nexudus-emulator", path.join(ROOT, "emulator", "cli.ts")],
  ] as const;
  test.each(bins.flatMap(([name, file]) => ["--version", "-v"].map((f) => [name, f, file])))(
    "%s %s prints the package version and exits 0",
    (_name, flag, file) => {
      const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", file, flag], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 30_000,
      });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
        status: 0,
        stdout: `${VERSION}\n`,
        stderr: "",
      });
    },
  );
});
