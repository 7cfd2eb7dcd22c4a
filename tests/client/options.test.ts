/**
 * Client options (a plain object) and the client read from the environment by the config layer:
 * every error names the option (or the variable) and the rule; http:// only on loopback;
 * credentials never echoed.
 */
import { NexudusClient, isLoopbackHost, type NexudusClientOptions } from "../../client/client";
import { clientOptions, readSettings, requireCredentials } from "../../config/settings";
import { NexudusConfigError } from "../../client/errors";
import { thrownBy } from "../../testing/thrown";
import { expectNoSecrets } from "./helpers";

const TOKEN = "opt-S3CRET-token-77";
const PASSWORD = "opt-S3CRET-password-88";

function configError(f: () => unknown): NexudusConfigError {
  const e = thrownBy(f);
  expect(e).toBeInstanceOf(NexudusConfigError);
  expectNoSecrets(e, [TOKEN, PASSWORD]);
  return e as NexudusConfigError;
}

const make = (o: NexudusClientOptions) => () => new NexudusClient(o);

describe("options", () => {
  it("defaults: the production API, 30 s, 5 retries, time factor 1, limiter on", () => {
    const c = new NexudusClient({ token: TOKEN });
    expect({
      baseUrl: c.baseUrl,
      timeoutMs: c.timeoutMs,
      maxRetries: c.maxRetries,
      timeFactor: c.timeFactor,
      rateLimit: c.rateLimit,
    }).toEqual({
      baseUrl: "https://spaces.nexudus.com",
      timeoutMs: 30000,
      maxRetries: 5,
      timeFactor: 1,
      rateLimit: true,
    });
    expectNoSecrets(JSON.stringify(c), [TOKEN]);
  });

  it.each([
    "https://spaces.nexudus.com",
    "https://example.com/prefix/",
    "http://127.0.0.1:8080",
    "http://127.9.9.9",
    "http://localhost:3000",
    "http://[::1]:3000",
  ])("accepts baseUrl %s", (baseUrl) => {
    expect(new NexudusClient({ baseUrl, token: TOKEN }).baseUrl).toBe(baseUrl.replace(/\/$/, ""));
  });

  it.each<[string, string]>([
    ["http://spaces.nexudus.com", "must use https:// (plain http:// is allowed only on loopback"],
    ["http://128.0.0.1", "must use https://"],
    ["http://localhost.example.com", "must use https://"],
    ["ftp://example.com", "must be an https:// URL"],
    ["not a url", "must be an absolute URL"],
    ["spaces.nexudus.com", "must be an absolute URL"],
    ["https://user:pw@example.com", "must not contain a user or password"],
    ["https://example.com/?x=1", "must not have a query or fragment"],
  ])("refuses baseUrl %s", (baseUrl, rule) => {
    const e = configError(make({ baseUrl, token: TOKEN }));
    expect(e.option).toBe("baseUrl");
    expect(e.message).toContain('option "baseUrl"');
    expect(e.message).toContain(rule);
  });

  it("needs credentials, naming the options", () => {
    const e = configError(make({}));
    expect(e.message).toBe(
      'NexudusClient needs credentials: give the option "token", or "username" and "password"',
    );
  });

  it("refuses a token together with a username and password", () => {
    const e = configError(make({ token: TOKEN, username: "u@example.com", password: PASSWORD }));
    expect(e.message).toContain(
      'either option "token" or option "username" and option "password", not both',
    );
  });

  it("needs username and password together", () => {
    expect(configError(make({ username: "u@example.com" })).option).toBe("password");
    expect(configError(make({ password: PASSWORD })).option).toBe("username");
  });

  it.each<[NexudusClientOptions, string, string]>([
    [{ timeoutMs: 0 }, "timeoutMs", 'option "timeoutMs" must be at least 1 (got 0)'],
    [{ timeoutMs: 1.5 }, "timeoutMs", "must be a whole number (got 1.5)"],
    [{ maxRetries: -1 }, "maxRetries", 'option "maxRetries" must be at least 0 (got -1)'],
    [{ timeFactor: 0 }, "timeFactor", 'option "timeFactor" must be greater than 0 (got 0)'],
    [{ timeFactor: "fast" as never }, "timeFactor", "must be a number"],
    [{ rateLimit: "off" as never }, "rateLimit", "must be true or false"],
    [{ onRequest: 3 as never }, "onRequest", "must be a function"],
    [{ token: "" }, "token", 'option "token" must not be empty'],
    [{ tokn: "x" } as never, "tokn", 'NexudusClient has no option "tokn"'],
  ])("refuses %p naming %s", (opts, option, text) => {
    const e = configError(make({ token: TOKEN, ...opts }));
    expect(e.option).toBe(option);
    expect(e.message).toContain(text);
  });

  it("never echoes a bad token value", () => {
    const e = configError(make({ token: 42 as never, password: PASSWORD }));
    expect(e.message).toBe('NexudusClient option "token" must be a string');
  });

  it.each([
    ["127.0.0.1", true],
    ["127.255.0.9", true],
    ["localhost", true],
    ["[::1]", true],
    ["128.0.0.1", false],
    ["10.0.0.1", false],
    ["example.com", false],
  ])("isLoopbackHost(%s) = %p", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe("a client from the environment (the config layer's reader, then the plain options)", () => {
  const fromEnv = (env: Record<string, string>, overrides: NexudusClientOptions = {}) =>
    new NexudusClient({ ...clientOptions(readSettings({ env })), ...overrides });

  it("reads every variable", () => {
    const c = fromEnv({
      NEXUDUS_BASE_URL: "http://127.0.0.1:9999",
      NEXUDUS_USERNAME: "u@example.com",
      NEXUDUS_PASSWORD: PASSWORD,
      NEXUDUS_TIMEOUT_MS: "1234",
      NEXUDUS_MAX_RETRIES: "2",
      NEXUDUS_TIME_FACTOR: "0.02",
      NEXUDUS_RATE_LIMIT: "off",
    });
    expect([c.baseUrl, c.timeoutMs, c.maxRetries, c.timeFactor, c.rateLimit]).toEqual([
      "http://127.0.0.1:9999",
      1234,
      2,
      0.02,
      false,
    ]);
  });

  it("plain options given to the client win over what was read", () => {
    const c = fromEnv({ NEXUDUS_TOKEN: TOKEN, NEXUDUS_TIMEOUT_MS: "5" }, { timeoutMs: 777 });
    expect(c.timeoutMs).toBe(777);
  });

  it.each<[Record<string, string>, string, string]>([
    [
      { NEXUDUS_TIMEOUT_MS: "abc" },
      "nexudus:timeoutMs",
      'nexudus:timeoutMs (NEXUDUS_TIMEOUT_MS) must be a whole number; got "abc"',
    ],
    [
      { NEXUDUS_MAX_RETRIES: "-3" },
      "nexudus:maxRetries",
      "NEXUDUS_MAX_RETRIES) must be at least 0",
    ],
    [
      { NEXUDUS_TIME_FACTOR: "0" },
      "NEXUDUS_TIME_FACTOR",
      "NEXUDUS_TIME_FACTOR must be greater than 0",
    ],
    [
      { NEXUDUS_RATE_LIMIT: "maybe" },
      "NEXUDUS_RATE_LIMIT",
      'NEXUDUS_RATE_LIMIT must be "off" or "on"',
    ],
    [
      { NEXUDUS_BASE_URL: "http://example.com" },
      "nexudus:baseUrl",
      "nexudus:baseUrl (NEXUDUS_BASE_URL, --base-url) must use https://",
    ],
  ])("names the variable at fault: %p", (env, option, text) => {
    const e = configError(() => fromEnv({ NEXUDUS_TOKEN: TOKEN, ...env }));
    expect(e.option).toBe(option);
    expect(e.message).toContain(text);
  });

  it("without credentials, names the key, the variables and the flags", () => {
    const e = configError(() => requireCredentials(readSettings({ env: {} })));
    expect(e.message).toContain("NEXUDUS_TOKEN");
    expect(e.message).toContain("NEXUDUS_USERNAME and NEXUDUS_PASSWORD");
    expect(e.message).toContain("--username and --password");
  });

  it("names the variable when only half of a username/password pair is set", () => {
    const e = configError(() => fromEnv({ NEXUDUS_USERNAME: "u@example.com" }));
    expect(e.message).toContain("nexudus:password (NEXUDUS_PASSWORD, --password) is missing");
  });
});
