/**
 * Refresh with `nexudus:refreshMode = search` (provider/readCache.ts) through the REAL host: one
 * search page per location shared by every read of the host process, a GET only where the page
 * cannot tell (row missing, or the record changed since the state was written). Still drops
 * deleted webhooks and sees drift in every managed field, the description included.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { readSettings } from "../../config/settings";
import { withInputs, type CapturedResource } from "../../testing/capture";
import { Engine, type RunResult } from "../../testing/engine";
import { startHost, type ConfigValue, type Host } from "../../testing/host";
import { adminUser } from "../../testing/rig";
import { ANNEX, captureTemplate, Counter, fleet, HQ } from "./helpers";

/** The provider's reading: stack config first, then the environment (the one reader). */
const resolveSettings = (
  get: (key: string) => string | undefined,
  env: Record<string, string> = {},
) => readSettings({ config: get, env });

const TOKEN = "tok-perf-refresh-9a8b7c";
const NO_LIST_TOKEN = "tok-perf-refresh-nolist-4d5e";
const BIG = 4242;
const N = 50;

let emulator: EmulatorHandle;
let template: CapturedResource;
let calls: Counter;
const hosts: Host[] = [];

async function newHost(config: Record<string, ConfigValue>): Promise<Host> {
  const host = await startHost({
    env: { NEXUDUS_RATE_LIMIT: "off", NEXUDUS_TIME_FACTOR: "0.02" },
  });
  hosts.push(host);
  await host.configure({ "nexudus:baseUrl": emulator.url, ...config });
  return host;
}

/** A new engine on `host` holding a copy of `from`'s state (the next command's host process). */
function engineWith(host: Host, from: Engine): Engine {
  const engine = new Engine(host, { parallel: 100 });
  for (const e of from.snapshot().resources) engine.state.set(e.urn, e);
  return engine;
}

let search: Host;
let engine: Engine;

/**
 * `pulumi refresh` in search mode: a new host process, as each Pulumi command has (so a new page
 * cache), with the state carried over and back.
 */
async function refresh(from: Engine = engine): Promise<RunResult> {
  const host = await newHost({
    "nexudus:token": { secret: TOKEN },
    "nexudus:refreshMode": "search",
  });
  try {
    const copy = engineWith(host, from);
    const result = await copy.refresh({ parallel: 100 });
    from.state.clear();
    for (const [urn, e] of copy.state) from.state.set(urn, e);
    return result;
  } finally {
    hosts.splice(hosts.indexOf(host), 1);
    await host.stop();
  }
}
const desired = () => [
  ...fleet(template, N, "hq"),
  ...fleet(template, 5, "annex", { businessId: ANNEX }),
];

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    locations: [
      { id: HQ, name: "HQ" },
      { id: ANNEX, name: "Annex" },
      { id: BIG, name: "Big" },
    ],
    users: [
      adminUser(TOKEN, "perf@example.com"),
      {
        username: "nolist@example.com",
        password: "pw",
        roles: ["WebHook-Read", "WebHook-Create", "WebHook-Edit", "WebHook-Delete"],
        apiTokens: [NO_LIST_TOKEN],
      },
    ],
  });
  calls = new Counter(emulator);
  template = await captureTemplate();
  search = await newHost({ "nexudus:token": { secret: TOKEN }, "nexudus:refreshMode": "search" });
  engine = new Engine(search, { parallel: 100 });
  await engine.up(desired(), { parallel: 100 });
});

afterAll(async () => {
  for (const h of hosts) await h.stop();
  await emulator?.stop();
});

describe("refresh in search mode", () => {
  it(`reads ${N} webhooks at one location (and 5 at another) with one search per location`, async () => {
    const before = engine.snapshot().resources;
    calls.reset();
    const result = await refresh();
    expect(result.summary).toEqual({ read: N + 5 });
    expect(calls.count("search")).toBe(2);
    expect(calls.count("get")).toBe(0);
    expect(calls.total).toBe(2);
    for (const old of before) {
      const now = engine.state.get(old.urn)!;
      expect(now.outputs).toEqual(old.outputs);
      // The stored description is kept, although search rows carry none.
      expect(now.inputs.description).toBe(old.outputs.description);
    }
    expect(calls.requests()[0]!.query).toContain("size=1000");
  });

  it("serves the delivery bookkeeping Nexudus keeps (error count, last error) from the row", async () => {
    const entry = engine.find("hq-7")!;
    const id = Number(entry.id);
    const record = emulator.record(id)!;
    // What a failing delivery does: bookkeeping only, UpdatedOn untouched.
    emulator.patch(id, { ErrorCount: 4, LastError: "HTTP 500", UpdatedOn: record.UpdatedOn });
    calls.reset();
    await refresh();
    expect(calls.count("get")).toBe(0);
    expect(engine.find("hq-7")!.outputs).toMatchObject({ errorCount: 4, lastError: "HTTP 500" });
  });

  it("drops deleted webhooks and sees drift in managed fields, with one GET each", async () => {
    const id = (name: string) => Number(engine.find(name)!.id);
    const deleted = ["hq-1", "hq-2", "annex-3"];
    for (const name of deleted) emulator.remove(id(name));
    emulator.patch(id("hq-10"), { Name: "renamed by hand" });
    emulator.patch(id("hq-11"), { URL: "https://elsewhere.example.com/" });
    // A description added out of band to a webhook that declares none: search rows cannot show
    // it, the changed UpdatedOn sends the read to a GET.
    expect(engine.find("hq-13")!.outputs.description).toBeNull();
    emulator.patch(id("hq-13"), { Description: "added by hand" });
    // Disabled by Nexudus (after failed deliveries), UpdatedOn untouched: the row shows it.
    const disabled = emulator.record(id("hq-14"))!;
    emulator.patch(id("hq-14"), { Active: false, UpdatedOn: disabled.UpdatedOn });
    calls.reset();
    const result = await refresh();
    expect(calls.count("search")).toBe(2);
    expect(calls.count("get")).toBe(deleted.length + 4);
    expect(calls.total).toBe(2 + deleted.length + 4);
    expect(
      result.steps
        .filter((s) => s.gone)
        .map((s) => s.urn.split("::").pop())
        .sort(),
    ).toEqual([...deleted].sort());
    for (const name of deleted) expect(engine.find(name)).toBeUndefined();
    expect(engine.find("hq-10")!.inputs.name).toBe("renamed by hand");
    expect(engine.find("hq-11")!.inputs.url).toBe("https://elsewhere.example.com/");
    expect(engine.find("hq-13")!.inputs.description).toBe("added by hand");
    expect(engine.find("hq-14")!.inputs.active).toBe(false);

    // The next up corrects the drift and creates the deleted ones again.
    const plan = await engine.preview(desired(), { parallel: 100 });
    expect(plan.summary).toEqual({ same: N + 5 - deleted.length - 4, update: 4, create: 3 });
    await engine.up(desired(), { parallel: 100 });
    expect(emulator.record(id("hq-13"))!.Description).toBeNull();
    expect(emulator.record(id("hq-14"))!.Active).toBe(true);
  });

  it("reads a webhook past the first page of its location (over 1000) with a GET", async () => {
    for (let i = 0; i < 1000; i++) {
      emulator.insert({
        BusinessId: BIG,
        Action: 6,
        Name: `other ${i}`,
        URL: `https://x.example.com/${i}`,
      });
    }
    const big = new Engine(search, { parallel: 10 });
    const hook = withInputs(template, { businessId: BIG, name: "late" }, "late");
    await big.up([hook]);
    calls.reset();
    await refresh(big);
    expect(calls.count("search")).toBe(1);
    expect(calls.count("get")).toBe(1);
    expect(big.find("late")!.outputs).toMatchObject({ name: "late", businessId: BIG });
  });
});

describe("refresh fallbacks", () => {
  it("reads the webhooks it wrote after the page was fetched with a GET (their rows are stale)", async () => {
    // Time factor 1: a page lives 5 s, longer than this test.
    const host = await startHost({ env: { NEXUDUS_RATE_LIMIT: "off", NEXUDUS_TIME_FACTOR: "1" } });
    hosts.push(host);
    await host.configure({
      "nexudus:baseUrl": emulator.url,
      "nexudus:token": { secret: TOKEN },
      "nexudus:refreshMode": "search",
    });
    const copy = engineWith(host, engine);
    calls.reset();
    await copy.refresh({ parallel: 100 });
    expect(calls.total).toBe(2);
    const changed = desired().map((d) =>
      ["hq-20", "hq-21"].includes(d.name) ? withInputs(d, { name: `${d.name} v2` }) : d,
    );
    await copy.up(changed, { parallel: 100 });
    calls.reset();
    await copy.refresh({ parallel: 100 });
    expect(calls.count("search")).toBe(0); // the page fetched above is still alive
    expect(calls.count("get")).toBe(2);
    expect(copy.find("hq-20")!.outputs.name).toBe("hq-20 v2");
    expect(copy.find("hq-21")!.outputs.name).toBe("hq-21 v2");
    await copy.up(desired(), { parallel: 100 });
  });

  it("falls back to one GET each, trying the search once, when the user may not search", async () => {
    const host = await newHost({
      "nexudus:token": { secret: NO_LIST_TOKEN },
      "nexudus:refreshMode": "search",
    });
    const copy = engineWith(host, engine);
    calls.reset();
    const result = await copy.refresh({ parallel: 100 });
    expect(result.errors).toHaveLength(0);
    const searches = calls.requests().filter((r) => r.route === "search");
    expect(searches.map((r) => r.status)).toEqual([401, 401]); // one per location
    expect(calls.count("get")).toBe(copy.state.size);
  });

  it(`reads each webhook with one GET in get mode (${N + 5} webhooks)`, async () => {
    const host = await newHost({
      "nexudus:token": { secret: TOKEN },
      "nexudus:refreshMode": "get",
    });
    const copy = engineWith(host, engine);
    calls.reset();
    await copy.refresh({ parallel: 100 });
    expect(calls.count("search")).toBe(0);
    expect(calls.count("get")).toBe(copy.state.size);
  });
});

describe("refresh in account mode (the default)", () => {
  /** `pulumi refresh` in a new host with the default refresh mode. */
  async function refreshAccount(from: Engine, token = TOKEN): Promise<RunResult> {
    const host = await newHost({ "nexudus:token": { secret: token } });
    const copy = engineWith(host, from);
    const result = await copy.refresh({ parallel: 100 });
    from.state.clear();
    for (const [urn, e] of copy.state) from.state.set(urn, e);
    return result;
  }

  it("reads every webhook of every location from the account's pages, 1000 rows a page", async () => {
    const total = emulator.records().length;
    expect(total).toBeGreaterThan(1000); // the 1000 at BIG and the fleet: two pages
    await refreshAccount(engine); // the fallbacks above wrote hq-20 and hq-21 from another state
    const before = engine.snapshot().resources;
    calls.reset();
    const result = await refreshAccount(engine);
    expect(result.errors).toEqual([]);
    expect(calls.count("get")).toBe(0);
    expect(calls.count("search")).toBe(Math.ceil(total / 1000));
    for (const r of calls.requests()) {
      expect(r.query).not.toContain("WebHook_Business");
      expect(r.query).toContain("size=1000");
    }
    for (const old of before) {
      const now = engine.state.get(old.urn)!;
      expect(now.outputs).toEqual(old.outputs);
      expect(now.inputs.description).toBe(old.outputs.description);
    }
  });

  it("drops deleted webhooks and sees drift with one GET each", async () => {
    const id = (name: string) => Number(engine.find(name)!.id);
    emulator.remove(id("hq-30"));
    emulator.patch(id("annex-1"), { Name: "moved by hand" });
    emulator.patch(id("hq-31"), { Description: "added by hand" });
    calls.reset();
    const result = await refreshAccount(engine);
    expect(calls.count("get")).toBe(3);
    expect(result.steps.filter((s) => s.gone).map((s) => s.urn.split("::").pop())).toEqual([
      "hq-30",
    ]);
    expect(engine.find("annex-1")!.inputs.name).toBe("moved by hand");
    expect(engine.find("hq-31")!.inputs.description).toBe("added by hand");
    await engine.up(desired(), { parallel: 100 });
  });

  it("falls back to one GET each when the user may not search, trying the page once", async () => {
    const copy = engineWith(search, engine);
    calls.reset();
    const result = await refreshAccount(copy, NO_LIST_TOKEN);
    expect(result.errors).toHaveLength(0);
    expect(
      calls
        .requests()
        .filter((r) => r.route === "search")
        .map((r) => r.status),
    ).toEqual([401]);
    expect(calls.count("get")).toBe(copy.state.size);
  });
});

describe("nexudus:refreshMode", () => {
  it("is account by default, accepts account, get or search from config or environment, refuses others", () => {
    const none = () => undefined;
    expect(resolveSettings(none, {}).refreshMode).toBeUndefined();
    expect(
      resolveSettings((k) => (k === "nexudus:refreshMode" ? "account" : undefined), {}).refreshMode,
    ).toBe("account");
    expect(
      resolveSettings((k) => (k === "nexudus:refreshMode" ? "search" : undefined), {}).refreshMode,
    ).toBe("search");
    expect(resolveSettings(none, { NEXUDUS_REFRESH_MODE: "GET" }).refreshMode).toBe("get");
    expect(() =>
      resolveSettings((k) => (k === "nexudus:refreshMode" ? "pages" : undefined), {}),
    ).toThrow(
      /nexudus:refreshMode \(NEXUDUS_REFRESH_MODE\) must be one of account, get, search; got "pages"/,
    );
  });
});
