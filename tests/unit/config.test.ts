import { MISSING_CREDENTIALS, requireCredentials, readSettings } from "../../config/settings";

/** The provider's reading: stack config first, then the environment (the one reader). */
const resolveSettings = (
  get: (key: string) => string | undefined,
  env: Record<string, string> = {},
) => readSettings({ config: get, env });

const none = () => undefined;

describe("resolveSettings", () => {
  it("reads stack config first, then the environment", () => {
    const config: Record<string, string> = { "nexudus:token": "from-config" };
    const s = resolveSettings((k) => config[k], {
      NEXUDUS_TOKEN: "from-env",
      NEXUDUS_BASE_URL: "http://127.0.0.1:4010/",
    });
    expect(s).toEqual({ baseUrl: "http://127.0.0.1:4010", token: "from-config" });
  });

  it("defaults the base URL to the Nexudus service", () => {
    expect(resolveSettings(none, { NEXUDUS_TOKEN: "t" }).baseUrl).toBe(
      "https://spaces.nexudus.com",
    );
  });

  it.each([
    [
      "http://spaces.nexudus.com",
      /nexudus:baseUrl \(NEXUDUS_BASE_URL, --base-url\) must use https:\/\//,
    ],
    ["not a url", /nexudus:baseUrl \(NEXUDUS_BASE_URL, --base-url\) must be an absolute URL/],
    ["ftp://x.example.com", /must be an https:\/\/ URL/],
  ])("refuses the base URL %s naming the key", (baseUrl, message) => {
    expect(() => resolveSettings(none, { NEXUDUS_BASE_URL: baseUrl })).toThrow(message);
  });

  it("allows plain http only on loopback", () => {
    for (const url of ["http://localhost:1", "http://127.0.0.1:1", "http://[::1]:1"]) {
      expect(resolveSettings(none, { NEXUDUS_BASE_URL: url }).baseUrl).toBe(url);
    }
  });

  it("wants username and password together", () => {
    expect(() => resolveSettings(none, { NEXUDUS_USERNAME: "a@example.com" })).toThrow(
      /nexudus:password \(NEXUDUS_PASSWORD, --password\) is missing/,
    );
  });

  it("checks numeric settings", () => {
    expect(() => resolveSettings(none, { NEXUDUS_TIMEOUT_MS: "soon" })).toThrow(
      /nexudus:timeoutMs \(NEXUDUS_TIMEOUT_MS\) must be a whole number/,
    );
  });

  it("says which keys or variables to set when credentials are missing", () => {
    expect(() => requireCredentials(resolveSettings(none, {}))).toThrow(MISSING_CREDENTIALS);
    expect(MISSING_CREDENTIALS).toMatch(/nexudus:token/);
    expect(MISSING_CREDENTIALS).toMatch(/NEXUDUS_USERNAME and NEXUDUS_PASSWORD/);
  });
});
