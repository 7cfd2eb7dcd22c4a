/**
 * The CLI's failures: one line on stderr and a distinct exit code for bad commands (2),
 * configuration (3) and API errors (4): refused credentials, a missing role (named), throttling,
 * server errors. No message ever carries the token or password.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { MISSING_CREDENTIALS } from "../../config/settings";
import { cli, envFor } from "./helpers";

const SECRET_TOKEN = "tok-list-only-4f9b7c1e";
const READ_ONLY_TOKEN = "tok-read-only-8d2a6f30";
const PASSWORD = "pa55-w0rd-e3b1c2";

/** Every test's run: exactly one line on stderr, and no secret anywhere. */
function expectOneSafeLine(r: { stdout: string; stderr: string }): void {
  expect(r.stderr).toMatch(/^nexudus-webhooks: [^\n]+\n$/);
  for (const secret of [SECRET_TOKEN, READ_ONLY_TOKEN, PASSWORD, "emulator-admin-token"]) {
    expect(r.stderr).not.toContain(secret);
    expect(r.stdout).not.toContain(secret);
  }
}

describe("errors and exit codes", () => {
  let emu: EmulatorHandle;

  beforeAll(async () => {
    emu = await startEmulator();
    emu.addUser({
      username: "lister@example.com",
      password: PASSWORD,
      roles: ["WebHook-List"],
      apiTokens: [SECRET_TOKEN],
    });
    emu.addUser({
      username: "reader@example.com",
      password: PASSWORD,
      roles: ["WebHook-Read"],
      apiTokens: [READ_ONLY_TOKEN],
    });
    emu.insert({ BusinessId: 1234, Action: 6, URL: "https://hooks.example.com/a", Name: "A" });
  });

  afterEach(() => emu.clearFaults());
  afterAll(() => emu.stop());

  describe("usage (exit 2)", () => {
    test("no command prints the usage", async () => {
      const r = await cli([], {});
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^Usage: nexudus-webhooks <command>/);
    });

    test("an unknown command suggests a known one", async () => {
      const r = await cli(["lst"], {});
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'nexudus-webhooks: unknown command "lst"; did you mean list? (see nexudus-webhooks --help)\n',
      );
      const other = await cli(["deploy"], {});
      expect(other.stderr).toContain("the commands are list, health, export and pending");
    });

    test("a flag before the command", async () => {
      const r = await cli(["--json", "list"], {});
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        "expected a command (list, health, export, pending) before --json",
      );
    });

    test("--help and help <command>", async () => {
      const main = await cli(["--help"], {});
      expect(main.code).toBe(0);
      expect(main.stdout).toContain("Exit codes:");
      for (const cmd of ["list", "health", "export"]) {
        const viaHelp = await cli(["help", cmd], {});
        const viaFlag = await cli([cmd, "-h"], {});
        expect(viaHelp.code).toBe(0);
        expect(viaHelp.stdout).toBe(viaFlag.stdout);
        expect(viaHelp.stdout).toMatch(new RegExp(`^Usage: nexudus-webhooks ${cmd} `));
      }
      const unknown = await cli(["help", "deploy"], {});
      expect(unknown.code).toBe(2);
    });
  });

  describe("configuration (exit 3)", () => {
    test("missing credentials name the variables and flags; nothing is sent", async () => {
      emu.clearRequests();
      const r = await cli(["list"], { NEXUDUS_BASE_URL: emu.url });
      expect(r.code).toBe(3);
      expect(r.stderr).toBe(`nexudus-webhooks: ${MISSING_CREDENTIALS}\n`);
      expect(emu.requests()).toEqual([]);
    });

    test("a username without a password", async () => {
      const r = await cli(["health"], { NEXUDUS_BASE_URL: emu.url, NEXUDUS_USERNAME: "a@b.c" });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("nexudus:password (NEXUDUS_PASSWORD, --password) is missing");
    });

    test("a plain-http base URL that is not loopback", async () => {
      const r = await cli(["list"], {
        NEXUDUS_BASE_URL: "http://nexudus.example.com",
        NEXUDUS_TOKEN: SECRET_TOKEN,
      });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(
        "nexudus:baseUrl (NEXUDUS_BASE_URL, --base-url) must use https://",
      );
      expectOneSafeLine(r);
    });

    test("a bad tuning variable", async () => {
      const r = await cli(["list"], envFor(emu, { NEXUDUS_TIME_FACTOR: "fast" }));
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("NEXUDUS_TIME_FACTOR");
      expectOneSafeLine(r);
    });

    test("flags override the environment", async () => {
      const env = { NEXUDUS_BASE_URL: "http://nexudus.example.com", NEXUDUS_TOKEN: "wrong" };
      const r = await cli(["list", "--base-url", emu.url, "--token", SECRET_TOKEN], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("https://hooks.example.com/a");
      // A user on the command line wins over a token in the environment.
      const user = await cli(
        ["list", "--base-url", emu.url, "--username", "lister@example.com", "--password", PASSWORD],
        env,
      );
      expect(user.code).toBe(0);
      expect(emu.requests().some((q) => q.route === "token" && q.status === 200)).toBe(true);
    });
  });

  describe("API (exit 4)", () => {
    test("a missing role is named", async () => {
      const r = await cli(["list"], envFor(emu, { NEXUDUS_TOKEN: READ_ONLY_TOKEN }));
      expect(r.code).toBe(4);
      expect(r.stderr).toContain("lacks the WebHook-List role (or full administrator)");
      expect(r.stderr).toContain("`list` needs WebHook-List");
      expectOneSafeLine(r);
    });

    test("export names the read role it needs after listing", async () => {
      const r = await cli(
        ["export", "--business", "1234"],
        envFor(emu, { NEXUDUS_TOKEN: SECRET_TOKEN }),
      );
      expect(r.code).toBe(4);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("lacks the WebHook-Read role");
      expect(r.stderr).toContain("`export` needs WebHook-List and WebHook-Read");
      expectOneSafeLine(r);
    });

    test("an unknown token", async () => {
      const r = await cli(["health"], envFor(emu, { NEXUDUS_TOKEN: "tok-nobody-0000" }));
      expect(r.code).toBe(4);
      expect(r.stderr).toContain("refused GET /api/sys/webhooks");
      expect(r.stderr).not.toContain("tok-nobody-0000");
    });

    test("a wrong password", async () => {
      const r = await cli(
        [
          "list",
          "--base-url",
          emu.url,
          "--username",
          "lister@example.com",
          "--password",
          "nope-123",
        ],
        { NEXUDUS_TIME_FACTOR: "0.01" },
      );
      expect(r.code).toBe(4);
      expect(r.stderr).toContain("refused the credentials");
      expect(r.stderr).toContain("NEXUDUS_USERNAME and NEXUDUS_PASSWORD");
      expect(r.stderr).not.toContain("nope-123");
    });

    test("throttling, after the retries ran out", async () => {
      emu.injectFault({ route: "search", kind: "throttle", times: Infinity });
      emu.clearRequests();
      const r = await cli(
        ["list"],
        envFor(emu, { NEXUDUS_MAX_RETRIES: "2", NEXUDUS_MAX_THROTTLE_RETRIES: "2" }),
      );
      expect(r.code).toBe(4);
      expect(r.stderr).toContain("Nexudus is throttling this user (HTTP 409 with Retry-After");
      expect(r.stderr).toContain("the 3 attempts ran out");
      expectOneSafeLine(r);
      expect(emu.requests().filter((q) => q.fault === "throttle")).toHaveLength(3);
    });

    test("a server error", async () => {
      emu.injectFault({ route: "search", kind: "status", status: 503, times: Infinity });
      const r = await cli(["health", "--json"], envFor(emu, { NEXUDUS_MAX_RETRIES: "1" }));
      expect(r.code).toBe(4);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("server error (503)");
      expectOneSafeLine(r);
    });

    test("an unreachable API", async () => {
      const dead = await startEmulator();
      const url = dead.url;
      await dead.stop();
      const r = await cli(["list"], envFor({ url }, { NEXUDUS_MAX_RETRIES: "0" }));
      expect(r.code).toBe(4);
      expect(r.stderr).toContain("ECONNREFUSED");
      expectOneSafeLine(r);
    });
  });
});
