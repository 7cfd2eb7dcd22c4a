/**
 * Configuration in one place: the one reader of the sources, the settings' errors carrying the
 * setting's names (one text for every front end, naming the key, the variable and the flag), and
 * the one base-URL rule (the client's).
 */
import { baseUrlRule } from "../../client/options";
import { readSettings, readSources, SETTINGS } from "../../config/settings";
import { NexudusConfigError, NexudusError } from "../../client/errors";

function configError(f: () => unknown): NexudusConfigError {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(NexudusConfigError);
  return caught as NexudusConfigError;
}

describe("readSources", () => {
  it("takes a flag, then the stack config, then the environment", () => {
    const raw = readSources({
      flags: { "base-url": "https://flag.example.com" },
      config: (k) =>
        ({ "nexudus:baseUrl": "https://config.example.com", "nexudus:timeoutMs": "5" })[k],
      env: {
        NEXUDUS_BASE_URL: "https://env.example.com",
        NEXUDUS_TIMEOUT_MS: "9",
        NEXUDUS_MAX_RETRIES: "2",
      },
    });
    expect(raw).toEqual({ baseUrl: "https://flag.example.com", timeoutMs: "5", maxRetries: "2" });
  });

  it("a credential flag hides the environment's credentials", () => {
    const raw = readSources({
      flags: { username: "u@example.com" },
      env: { NEXUDUS_TOKEN: "t", NEXUDUS_PASSWORD: "p", NEXUDUS_TIME_FACTOR: "0.5" },
    });
    expect(raw).toEqual({ username: "u@example.com", timeFactor: "0.5" });
  });

  it("every setting has an environment variable; the connection settings have flags", () => {
    for (const [setting, names] of Object.entries(SETTINGS)) {
      expect(names.envVar).toMatch(/^NEXUDUS_[A-Z_]+$/);
      if (["baseUrl", "token", "username", "password"].includes(setting)) {
        expect(names).toHaveProperty("flag");
      }
    }
  });
});

describe("config errors carry the setting's names, in one text for every front end", () => {
  it.each<[Record<string, string>, string, string]>([
    [
      { NEXUDUS_BASE_URL: "http://example.com" },
      "baseUrl",
      "nexudus:baseUrl (NEXUDUS_BASE_URL, --base-url) must use https://",
    ],
    [
      { NEXUDUS_USERNAME: "u@example.com" },
      "password",
      "nexudus:password (NEXUDUS_PASSWORD, --password) is missing: nexudus:username (NEXUDUS_USERNAME, --username) and nexudus:password (NEXUDUS_PASSWORD, --password) go together (or set nexudus:token (NEXUDUS_TOKEN, --token) instead)",
    ],
    [
      { NEXUDUS_TIME_FACTOR: "fast" },
      "timeFactor",
      'NEXUDUS_TIME_FACTOR must be a number greater than 0; got "fast"',
    ],
    [
      { NEXUDUS_TIME_FACTOR: "0" },
      "timeFactor",
      'NEXUDUS_TIME_FACTOR must be greater than 0; got "0"',
    ],
    [
      { NEXUDUS_MAX_RETRIES: "-3" },
      "maxRetries",
      'nexudus:maxRetries (NEXUDUS_MAX_RETRIES) must be at least 0; got "-3"',
    ],
    [
      { NEXUDUS_TIMEOUT_MS: "abc" },
      "timeoutMs",
      'nexudus:timeoutMs (NEXUDUS_TIMEOUT_MS) must be a whole number; got "abc"',
    ],
    [
      { NEXUDUS_RATE_LIMIT: "maybe" },
      "rateLimit",
      'NEXUDUS_RATE_LIMIT must be "off" or "on"; got "maybe"',
    ],
  ])("%p", (env, setting, message) => {
    const e = configError(() => readSettings({ env }));
    expect(e).toBeInstanceOf(NexudusError);
    expect(e.setting).toBe(setting);
    expect(e.envVar).toBe(SETTINGS[setting as keyof typeof SETTINGS].envVar);
    expect(e.message).toContain(message);
  });

  it("a range is the client's own: the same value is refused by both with the same rule", () => {
    const e = configError(() => readSettings({ env: { NEXUDUS_MAX_RETRIES: "51" } }));
    expect(e.rule).toBe('must be at most 50; got "51"');
  });
});

describe("baseUrlRule", () => {
  it.each<[string, string]>([
    ["https://spaces.nexudus.com/", "ok"],
    ["http://127.0.0.1:8080", "ok"],
    ["http://[::1]:1", "ok"],
    ["http://localhost", "ok"],
    ["not a url", "notAbsolute"],
    ["https://u:p@example.com", "credentials"],
    ["http://example.com", "plainHttp"],
    ["ftp://example.com", "scheme"],
    ["https://example.com/?k=v", "query"],
  ])("%s: %s", (raw, expected) => {
    const r = baseUrlRule(raw);
    expect(r.ok ? "ok" : r.problem).toBe(expected);
  });
});
