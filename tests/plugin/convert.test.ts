/**
 * The plugin's conversions (provider/plugin/convert.ts), pure: wire secrets unwrapped and wrapped
 * again, the Configure getter, and the detailed diff built from the dynamic provider's own diff
 * (provider/webhook.ts), so that `pulumi preview --diff` names each changed field with its kind.
 * No network, no process.
 */
import {
  configGetter,
  detailedDiff,
  DIFF_KIND,
  isSecret,
  reveal,
  secret,
  SECRET_SIG,
  SIG_KEY,
  unwrapMap,
  wrapMap,
} from "../../provider/plugin/convert";
import { webhookProvider } from "../../provider/webhook";
import { outputsFromRecord, UNKNOWN, valueDigest } from "../../provider/inputs";
import type { WebhookRecord } from "../../client/schemas";

const RECORD: WebhookRecord = {
  Id: 87654321,
  BusinessId: 1234,
  Name: "Bookings",
  Action: 6,
  URL: "https://hooks.example.com/b/TOKEN",
  Active: true,
  Description: null,
  LastError: null,
  ErrorCount: 0,
  LastTrigger: null,
  UniqueId: "u-1",
  CreatedOn: "2026-12-01T00:00:00Z",
  UpdatedOn: "2026-12-01T00:00:00Z",
  UpdatedBy: "ops@example.com",
};
const OLDS = outputsFromRecord(RECORD, false) as unknown as Record<string, unknown>;
const INPUTS = {
  businessId: 1234,
  name: "Bookings",
  action: 6,
  url: "https://hooks.example.com/b/TOKEN",
  description: null,
  active: true,
  adopt: false,
};
const dynamicDiff = (o: Record<string, unknown>, n: Record<string, unknown>) =>
  webhookProvider.diff("87654321", o, n);

describe("detailedDiff (from the dynamic diff)", () => {
  it.each([
    ["nothing changed", {}, [], {}, []],
    ["a new name", { name: "Renamed" }, ["name"], { name: DIFF_KIND.UPDATE }, []],
    ["active turned off", { active: false }, ["active"], { active: DIFF_KIND.UPDATE }, []],
    ["an action by number", { action: 7 }, ["action"], { action: DIFF_KIND.UPDATE }, []],
    [
      "an action with the name check derives: both shown",
      { action: 7, actionName: "BookingUpdate" },
      ["action", "actionName"],
      { action: DIFF_KIND.UPDATE, actionName: DIFF_KIND.UPDATE },
      [],
    ],
    [
      "a description added",
      { description: "new" },
      ["description"],
      { description: DIFF_KIND.ADD },
      [],
    ],
    [
      "another location replaces",
      { businessId: 99 },
      ["businessId"],
      { businessId: DIFF_KIND.UPDATE_REPLACE },
      ["businessId"],
    ],
    [
      "a location not known yet replaces",
      { businessId: UNKNOWN },
      ["businessId"],
      { businessId: DIFF_KIND.UPDATE_REPLACE },
      ["businessId"],
    ],
    ["a URL not known yet", { url: UNKNOWN }, ["url"], { url: DIFF_KIND.UPDATE }, []],
    ["adopt alone changes nothing", { adopt: true }, [], {}, []],
    [
      "two fields at once",
      { name: "Renamed", url: "https://hooks.example.com/other" },
      ["name", "url"],
      { name: DIFF_KIND.UPDATE, url: DIFF_KIND.UPDATE },
      [],
    ],
  ])("%s", async (_what, change, diffs, kinds, replaces) => {
    const d = await detailedDiff(dynamicDiff, OLDS, { ...INPUTS, ...change });
    expect(d.changes).toBe(diffs.length > 0);
    expect(d.diffs).toEqual(diffs);
    expect(d.replaces).toEqual(replaces);
    expect(Object.fromEntries(Object.entries(d.detailedDiff).map(([k, v]) => [k, v.kind]))).toEqual(
      kinds,
    );
  });

  it("a description removed is a DELETE", async () => {
    const olds = outputsFromRecord({ ...RECORD, Description: "old" }, false) as unknown as Record<
      string,
      unknown
    >;
    const d = await detailedDiff(dynamicDiff, olds, { ...INPUTS, description: null });
    expect(d.detailedDiff).toEqual({ description: { kind: DIFF_KIND.DELETE, inputDiff: false } });
  });

  it("a value the server stores in another form (serverForms) is no change", async () => {
    const olds = {
      ...OLDS,
      name: "Bookings",
      serverForms: {
        name: {
          declared: valueDigest("name", "  Bookings "),
          stored: valueDigest("name", "Bookings"),
        },
      },
    };
    const d = await detailedDiff(dynamicDiff, olds, { ...INPUTS, name: "  Bookings " });
    expect(d).toMatchObject({ changes: false, diffs: [], detailedDiff: {} });
  });
});

describe("wire secrets", () => {
  const wrapped = { [SIG_KEY]: SECRET_SIG, value: "https://hooks.example.com/x" };

  it("unwrapMap reveals values and names the keys that held a secret", () => {
    const { plain, secretKeys } = unwrapMap({
      url: wrapped,
      name: "n",
      nested: { deep: secret("s") },
    });
    expect(plain).toEqual({ url: "https://hooks.example.com/x", name: "n", nested: { deep: "s" } });
    expect([...secretKeys].sort()).toEqual(["nested", "url"]);
  });

  it("wrapMap keeps url and lastError secret always, other secrets given as such, nulls plain", () => {
    const out = wrapMap(
      { url: "https://x.example", lastError: null, name: "n", description: "d", gone: undefined },
      ["description"],
    );
    expect(out).toEqual({
      url: secret("https://x.example"),
      lastError: null,
      name: "n",
      description: secret("d"),
    });
    expect("gone" in out).toBe(false);
  });

  it("secret() does not wrap twice; reveal() unwraps nested wrappers", () => {
    expect(secret(wrapped)).toBe(wrapped);
    expect(isSecret(secret(1))).toBe(true);
    expect(reveal(secret(secret([secret("a")])))).toEqual(["a"]);
  });
});

describe("configGetter (Configure args and variables)", () => {
  it("reads un-namespaced args (secrets revealed) before the variables", () => {
    const get = configGetter(
      { token: secret("t0k"), timeoutMs: 500, baseUrl: "" },
      { "nexudus:config:token": "other", "nexudus:config:baseUrl": "http://127.0.0.1:1" },
    ).get;
    expect(get("nexudus:token")).toBe("t0k");
    expect(get("nexudus:timeoutMs")).toBe("500");
    // An empty arg falls back to the variable, as an unset key does.
    expect(get("nexudus:baseUrl")).toBe("http://127.0.0.1:1");
    expect(get("nexudus:username")).toBeUndefined();
  });
});
