/**
 * The account context (provider/context.ts): one per account (base URL + user), made in
 * `configure()` and looked up, never shared between two accounts; the same account keeps its
 * tokens and budget across new settings; two loaded copies of the package agree on it.
 */
import { AccountContext, accountKey } from "../../provider/context";
import { readSettings } from "../../config/settings";

const settings = (env: Record<string, string>) => readSettings({ env });
const A = { NEXUDUS_BASE_URL: "http://127.0.0.1:4001", NEXUDUS_TOKEN: "token-of-account-a" };
const B = { NEXUDUS_BASE_URL: "http://127.0.0.1:4002", NEXUDUS_TOKEN: "token-of-account-b" };

type Runtime = typeof import("../../provider/runtime");
function freshRuntime(): Runtime {
  let copy: Runtime | undefined;
  jest.isolateModules(() => {
    copy = require("../../provider/runtime") as Runtime;
  });
  return copy!;
}
const config = (env: Record<string, string>) => ({
  get: (key: string) =>
    ({
      "nexudus:baseUrl": env.NEXUDUS_BASE_URL,
      "nexudus:token": env.NEXUDUS_TOKEN,
      "nexudus:timeoutMs": env.NEXUDUS_TIMEOUT_MS,
    })[key],
});

describe("accountKey", () => {
  it("is the base URL and the user; a token only by its hash", () => {
    const key = accountKey(settings(A));
    expect(key).toMatch(/^http:\/\/127\.0\.0\.1:4001\ntoken:[0-9a-f]{64}$/);
    expect(key).not.toContain(A.NEXUDUS_TOKEN);
    expect(accountKey(settings({ ...A, NEXUDUS_TIMEOUT_MS: "5000" }))).toBe(key);
    expect(accountKey(settings(B))).not.toBe(key);
    const user = { NEXUDUS_USERNAME: "ops@example.com", NEXUDUS_PASSWORD: "pw" };
    expect(accountKey(settings(user))).toBe("https://spaces.nexudus.com\nuser:ops@example.com");
  });
});

describe("AccountContext", () => {
  it("holds the account's client, share, read cache, create guard and created rows", () => {
    const ctx = new AccountContext(settings(A));
    expect(ctx.client.baseUrl).toBe("http://127.0.0.1:4001");
    expect(ctx.client.share).toBe(ctx.share);
    expect(ctx.reads.client).toBe(ctx.client);
    expect(ctx.guard.client).toBe(ctx.client);
    expect(ctx.rows.client).toBe(ctx.client);
    expect(ctx.client).toBe(ctx.client); // built once
  });

  it("two accounts share nothing", () => {
    const a = new AccountContext(settings(A));
    const b = new AccountContext(settings(B));
    expect(a.share).not.toBe(b.share);
    expect(a.share.tokens).not.toBe(b.share.tokens);
    expect(a.reads).not.toBe(b.reads);
  });

  it("without credentials, the client (and only it) fails, naming what to set", () => {
    const ctx = new AccountContext(settings({ NEXUDUS_BASE_URL: "http://127.0.0.1:4003" }));
    expect(ctx.refreshMode).toBe("account");
    expect(() => ctx.client).toThrow(/credentials are missing.*nexudus:token/);
  });
});

describe("configure() picks the context; resources look it up", () => {
  it("two accounts: two contexts; the same account with new settings keeps its share", () => {
    const rt = freshRuntime();
    rt.configure(config(A), {});
    const first = rt.currentContext();
    rt.configure(config(A), {});
    expect(rt.currentContext()).toBe(first); // nothing changed
    rt.configure(config({ ...A, NEXUDUS_TIMEOUT_MS: "5000" }), {});
    const retuned = rt.currentContext();
    expect(retuned).not.toBe(first);
    expect(retuned.share).toBe(first.share); // one account: one budget, its tokens kept
    expect(retuned.client.timeoutMs).toBe(5000);
    rt.configure(config(B), {});
    expect(rt.currentContext().share).not.toBe(first.share);
  });

  it("a second loaded copy of the package finds the context the first configured", () => {
    const one = freshRuntime();
    const two = freshRuntime();
    expect(two.currentContext).not.toBe(one.currentContext); // really two copies
    one.configure(config(B), {});
    expect(two.currentContext()).toBe(one.currentContext());
  });

  it("a failed configure() is remembered: no later call falls back to the environment", () => {
    const rt = freshRuntime();
    expect(() =>
      rt.configure({ get: (k) => (k === "nexudus:timeoutMs" ? "soon" : undefined) }, A),
    ).toThrow(/nexudus:timeoutMs/);
    expect(() => rt.currentContext()).toThrow(/nexudus:timeoutMs/);
  });
});
