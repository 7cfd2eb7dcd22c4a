/**
 * The `nexudus-emulator` command line: the argument parser, `main` in process, and the real
 * script spawned with ts-node (start, serve, stop on SIGTERM; exit code 2 for a bad flag).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CliUsageError, DEFAULT_CLI_PORT, main, parseCliArgs, USAGE } from "../../emulator/cli";
import { DEFAULT_ADMIN } from "../../emulator";
import { thrownBy } from "../../testing/thrown";
import { call, webhookBody } from "./helpers";

const ROOT = path.resolve(__dirname, "..", "..");
const CLI = path.join(ROOT, "emulator", "cli.ts");

describe("parseCliArgs", () => {
  it("defaults: port 4010, the default admin with its token, no rate limits", () => {
    expect(parseCliArgs([])).toEqual({
      kind: "run",
      options: {
        port: DEFAULT_CLI_PORT,
        users: [
          {
            username: DEFAULT_ADMIN.username,
            password: DEFAULT_ADMIN.password,
            roles: ["Administrator"],
            apiTokens: ["emulator-admin-token"],
          },
        ],
      },
    });
    expect(DEFAULT_CLI_PORT).toBe(4010);
  });

  it("parses every flag", () => {
    const cmd = parseCliArgs([
      "--port",
      "0",
      "--location",
      "1234:HQ",
      "--location",
      "42",
      "--user",
      "ops@example.com:pa:ss:WebHook-List,WebHook-Read",
      "--user",
      "admin@example.com:pw:Administrator",
      "--token",
      "T1",
      "--rate-limits",
      "--time-factor",
      "0.1",
      "--shared-secret",
      "S",
      "--state-file",
      "/tmp/x.json",
    ]);
    expect(cmd).toEqual({
      kind: "run",
      options: {
        port: 0,
        locations: [
          { id: 1234, name: "HQ" },
          { id: 42, name: "Location 42" },
        ],
        users: [
          {
            username: "ops@example.com",
            password: "pa:ss",
            roles: ["WebHook-List", "WebHook-Read"],
            apiTokens: ["T1"],
          },
          { username: "admin@example.com", password: "pw", roles: ["Administrator"] },
        ],
        rateLimits: {},
        timeFactor: 0.1,
        sharedSecret: "S",
        stateFile: "/tmp/x.json",
      },
    });
  });

  it("--token replaces the default admin's token", () => {
    const cmd = parseCliArgs(["--token", "mine"]);
    expect(cmd.kind === "run" && cmd.options.users?.[0]?.apiTokens).toEqual(["mine"]);
  });

  it.each([["--help"], ["-h"], ["--port", "1", "--help"]])("%s asks for help", (...argv) => {
    expect(parseCliArgs(argv)).toEqual({ kind: "help" });
  });

  it.each([
    [["--bogus"], "--bogus"],
    [["--port", "abc"], "--port"],
    [["--port", "70000"], "--port"],
    [["--port"], "--port"],
    [["--time-factor", "0"], "--time-factor"],
    [["--time-factor", "fast"], "--time-factor"],
    [["--location", "HQ"], "--location"],
    [["--location", "1:a", "--location", "1:b"], "--location"],
    [["--user", "nobody"], "--user"],
    [["--user", "a@b.c:pw:Boss"], "--user"],
    [["--user", "a@b.c:pw:"], "--user"],
    [["--shared-secret", ""], "--shared-secret"],
    [["stray"], "stray"],
  ])("%j is an error naming %s", (argv, flag) => {
    const error = thrownBy(() => parseCliArgs(argv));
    expect(error).toBeInstanceOf(CliUsageError);
    expect((error as Error).message).toContain(flag);
  });
});

describe("main", () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
  }

  it("--help prints the usage and returns 0", async () => {
    const c = io();
    expect(await main(["--help"], c.io)).toBe(0);
    expect(c.out.join("\n")).toBe(USAGE);
    for (const flag of [
      "--port",
      "--location",
      "--user",
      "--token",
      "--rate-limits",
      "--time-factor",
      "--shared-secret",
      "--state-file",
    ]) {
      expect(USAGE).toContain(flag);
    }
  });

  it("a bad flag prints the error and returns 2", async () => {
    const c = io();
    expect(await main(["--prot", "1"], c.io)).toBe(2);
    expect(c.err.join("\n")).toMatch(/--prot/);
    expect(c.err.join("\n")).toMatch(/--help/);
  });

  it("a start failure returns 1", async () => {
    const c = io();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-emulator-cli-"));
    const file = path.join(dir, "state.json");
    fs.writeFileSync(file, "not json");
    try {
      expect(await main(["--port", "0", "--state-file", file], c.io)).toBe(1);
      expect(c.err.join("\n")).toMatch(/cannot start/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the script", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  });

  function run(args: string[]) {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", CLI, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    return { child, exited, out: () => stdout, err: () => stderr };
  }

  it("starts with a shebang", () => {
    expect(fs.readFileSync(CLI, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
  });

  it("exits 2 with a message naming a bad flag", async () => {
    const p = run(["--nope"]);
    expect(await p.exited).toBe(2);
    expect(p.err()).toContain("--nope");
  });

  it("serves the API with the given token and location, then stops on SIGTERM", async () => {
    const p = run(["--port", "0", "--token", "cli-token", "--location", "77:Annex"]);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no URL printed: ${p.out()} ${p.err()}`)),
        15000,
      );
      const check = () => {
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(p.out());
        if (m && m[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      p.child.stdout?.on("data", check);
      check();
    });
    expect(p.out()).toContain("admin@example.com");
    expect(p.out()).toContain("cli-token");
    expect(p.out()).toContain("77 (Annex)");

    const auth = "Bearer cli-token";
    const created = await call({ url }, "POST", "/api/sys/webhooks", {
      auth,
      body: webhookBody({ BusinessId: 77 }),
    });
    expect(created.status).toBe(200);
    const rejected = await call({ url }, "POST", "/api/sys/webhooks", {
      auth,
      body: webhookBody(),
    });
    expect(rejected.status).toBe(400);
    expect(
      (await call({ url }, "GET", "/api/sys/webhooks", { auth: "Bearer emulator-admin-token" }))
        .status,
    ).toBe(401);

    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(p.out()).toMatch(/stopping/);
    await expect(fetch(`${url}/api/sys/webhooks`)).rejects.toThrow();
  });
});
