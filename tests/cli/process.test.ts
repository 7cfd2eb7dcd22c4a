/**
 * The bin as a real process (`node cli/main.ts` through ts-node): `--help`, the documented exit
 * codes, a prompt exit (no handle left open), and a closed pipe (`list | head`) that is no error.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { ADMIN_TOKEN } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const MAIN = path.join(ROOT, "cli", "main.ts");
const NODE_ARGS = ["-r", "ts-node/register/transpile-only", MAIN];

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any `NEXUDUS_*` variable of the machine running the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("NEXUDUS_")) env[k] = v;
  return { ...env, ...extra };
}

/** Runs a process and resolves when it exits (30 s at most: a CLI that hangs fails). */
function runProcess(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not exit within 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const bin = (args: string[], env: Record<string, string> = {}) =>
  runProcess(process.execPath, [...NODE_ARGS, ...args], cleanEnv(env));

describe("the nexudus-webhooks process", () => {
  let emu: EmulatorHandle;
  let env: Record<string, string>;

  beforeAll(async () => {
    emu = await startEmulator();
    env = { NEXUDUS_BASE_URL: emu.url, NEXUDUS_TOKEN: ADMIN_TOKEN, NEXUDUS_TIME_FACTOR: "0.01" };
    emu.addUser({
      username: "r@example.com",
      password: "pw",
      roles: ["WebHook-Read"],
      apiTokens: ["tok-r"],
    });
    for (let i = 0; i < 1500; i++) {
      emu.insert({
        BusinessId: i === 0 ? 99 : 1234,
        Action: 6,
        URL: `https://hooks.example.com/${i}/${"x".repeat(100)}`,
        Name: `Hook ${i}`,
        ...(i === 0 ? { Active: false } : {}),
      });
    }
  });

  afterAll(() => emu.stop());

  test("starts with a shebang, so it can be the package's bin", () => {
    expect(fs.readFileSync(MAIN, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  test("--help exits 0", async () => {
    const help = await bin(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: nexudus-webhooks <command> \[flags\]/);
    expect(help.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 /);
    expect(help.stderr).toBe("");
  });

  test("exit codes: 2 usage, 3 configuration, 4 API", async () => {
    const usage = await bin(["list", "--business", "x"]);
    expect([usage.code, usage.stdout]).toEqual([2, ""]);
    expect(usage.stderr).toMatch(/^nexudus-webhooks: --business must be a positive whole number/);
    const config = await bin(["list"]);
    expect([config.code, config.stdout]).toEqual([3, ""]);
    expect(config.stderr).toContain("credentials are missing");
    const auth = await bin(["list"], { ...env, NEXUDUS_TOKEN: "tok-r" });
    expect([auth.code, auth.stdout]).toEqual([4, ""]);
    expect(auth.stderr).toContain("WebHook-List");
  });

  test("exit codes: health 1 when flagged, 0 when not", async () => {
    const flagged = await bin(["health"], env);
    expect(flagged.code).toBe(1);
    expect(flagged.stderr).toContain("location 99: 1 webhook, 1 flagged (1 disabled");
    const healthy = await bin(["health", "--business", "1234", "--json"], env);
    expect(healthy.code).toBe(0);
    expect(JSON.parse(healthy.stdout)).toMatchObject({ healthy: true, total: 1499 });
    // stderr is not a terminal here: no progress line.
    expect(healthy.stderr).toBe("");
  });

  test("pages capped at 100 with totals counting 1,000-row pages: list prints every row; pending --delete without an ISO 8601 --since is refused", async () => {
    emu.setQuirks({ maxPageSize: 100, silentPageSizeCap: true });
    try {
      const all = await bin(["list", "--business", "1234", "--json"], env);
      expect(all.code).toBe(0);
      expect(JSON.parse(all.stdout)).toHaveLength(1499);
    } finally {
      emu.setQuirks({});
    }
    const requests = emu.requests().length;
    const bare = await bin(["pending", "--state", "-", "--delete"], env);
    expect([bare.code, bare.stdout]).toEqual([2, ""]);
    expect(bare.stderr).toContain("pending --delete needs --since");
    const vague = await bin(["pending", "--state", "-", "--delete", "--since", "Dec 6 00:00"], env);
    expect([vague.code, vague.stdout]).toEqual([2, ""]);
    expect(vague.stderr).toContain("--since must be an ISO 8601 date");
    expect(emu.requests()).toHaveLength(requests);
  });

  test("a reader that stops early (| head) is no error", async () => {
    const line = [process.execPath, ...NODE_ARGS, "list"].map((a) => `'${a}'`).join(" ");
    const r = await runProcess(
      "bash",
      ["-c", `set -o pipefail; ${line} | head -n 2`],
      cleanEnv(env),
    );
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^ +ID +LOCATION +ACTION +NAME +URL /);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(2);
    // No stack trace, no EPIPE report: at most the summary line written before the pipe closed.
    expect(r.stderr).not.toMatch(/EPIPE|Error|at /);
  });
});
