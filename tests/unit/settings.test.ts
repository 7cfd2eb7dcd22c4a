/**
 * Configuration in one place: the one reader of the sources, the settings' errors carrying the
 * setting's names, each front end's wording, and the one base-URL rule.
 */
import { CLI_WORDING, cliWording } from "../../cli/connect";
import {
  baseUrlRule,
  describeConfigError,
  PROVIDER_WORDING,
  readSettings,
  readSources,
  SETTINGS,
} from "../../config/settings";
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

describe("config errors carry the setting's names; each front end words them", () => {
  it.each<[Record<string, string>, string, string, string]>([
    [
      { NEXUDUS_BASE_URL: "http://example.com" },
      "baseUrl",
      "nexudus:baseUrl (or NEXUDUS_BASE_URL) must use https://",
      "--base-url (or NEXUDUS_BASE_URL) must use https://",
    ],
    [
      { NEXUDUS_USERNAME: "u@example.com" },
      "password",
      "nexudus:password (or NEXUDUS_PASSWORD) is missing: nexudus:username and nexudus:password go together (or set nexudus:token instead)",
      "--password (or NEXUDUS_PASSWORD) is missing: --username and --password go together (or set --token instead)",
    ],
    [
      { NEXUDUS_TIME_FACTOR: "fast" },
      "timeFactor",
      'NEXUDUS_TIME_FACTOR must be a number greater than 0; got "fast"',
      'NEXUDUS_TIME_FACTOR must be a number greater than 0; got "fast"',
    ],
  ])("%p", (env, setting, provider, cli) => {
    const e = configError(() => readSettings({ env }));
    expect(e).toBeInstanceOf(NexudusError);
    expect(e.setting).toBe(setting);
    expect(e.envVar).toBe(SETTINGS[setting as keyof typeof SETTINGS].envVar);
    expect(e.message).toContain(provider);
    expect(describeConfigError(e, PROVIDER_WORDING)).toContain(provider);
    expect(describeConfigError(e, CLI_WORDING)).toContain(cli);
    expect(cliWording(e)).not.toContain("nexudus:");
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
