/**
 * A 404 means "gone" only when it is the record-not-found answer, and a 401 is always an
 * authentication error, through the REAL dynamic-provider host against the emulator.
 *
 * A stack made with the right `baseUrl` is refreshed and destroyed by a host whose `baseUrl` has
 * a wrong path: every route then answers the framework's own 404 (as JSON, as the JSON string
 * "Not found" exactly like a missing record, or as `{Message: "Not found"}`), or a proxy answers
 * an HTML 404. Nothing may leave the state and nothing may be reported deleted: each step fails
 * naming `baseUrl`. A record really deleted out of band still leaves the state on refresh.
 */
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { startHost } from "../../testing/host";
import { captureTemplate, FAST_ENV, hookFrom, NO_NEXUDUS_ENV, startRig, type Rig } from "./helpers";

const TOKEN = "tok-routing-3fa9c2";

let rig: Rig;
let template: CapturedResource;

beforeAll(async () => {
  template = await captureTemplate();
  // The refresh cases are about the record route (GET): the default `account` mode would serve
  // them from the account's search page and never ask it.
  rig = await startRig({
    token: TOKEN,
    config: (emulator) => ({
      "nexudus:baseUrl": emulator.url,
      "nexudus:token": { secret: TOKEN },
      "nexudus:refreshMode": "get",
    }),
  });
});

afterAll(async () => {
  expect(await rig?.stop()).not.toContain(TOKEN);
});

const rows: Record<string, string | number>[] = [];

function hooks(prefix: string): CapturedResource[] {
  return [0, 1, 2].map((i) =>
    hookFrom(template, `${prefix}-${i}`, {
      name: `${prefix} ${i}`,
      url: `https://hooks.example.com/routing/${prefix}/${i}`,
    }),
  );
}

describe.each([
  ["the framework's 404 page (JSON)", "/api/v2", false],
  ['the JSON string "Not found" (as a missing record)', "/api/v2", true],
  ['{Message: "Not found"} outside /api', "/nexudus", false],
] as const)("a baseUrl with a wrong path answering %s", (label, suffix, asString) => {
  it("drops nothing on refresh and deletes nothing on destroy; each step names baseUrl", async () => {
    const { emulator, host } = rig;
    const owner = new Engine(host);
    await owner.up(hooks("r"));
    const ids = [...owner.state.values()].map((e) => Number(e.id));
    emulator.setQuirks({ routeNotFoundAsString: asString });
    const wrong = `${emulator.url}${suffix}`;
    const other = await startHost({ env: { ...NO_NEXUDUS_ENV, ...FAST_ENV } });
    try {
      await other.configure({ "nexudus:baseUrl": wrong, "nexudus:token": { secret: TOKEN } });
      const engine = new Engine(other);
      for (const [urn, e] of owner.state) engine.state.set(urn, structuredClone(e));

      const refresh = await engine.refresh({ throwOnError: false });
      expect(refresh.steps.filter((s) => s.gone)).toEqual([]);
      expect(engine.state.size).toBe(3);
      expect(refresh.errors).toHaveLength(3);
      for (const s of refresh.errors) {
        expect(s.error!.message).toContain(`baseUrl ${wrong}`);
        expect(s.error!.message).toMatch(/not "record not found"/);
      }

      const destroy = await engine.destroy({ throwOnError: false, continueOnError: true });
      expect(destroy.errors).toHaveLength(3);
      for (const s of destroy.errors) expect(s.error!.message).toContain(`baseUrl ${wrong}`);
      expect(engine.state.size).toBe(3); // still in state: not reported deleted
      for (const id of ids) expect(emulator.record(id)).toBeDefined();
      rows.push({
        "wrong baseUrl answers": label,
        "dropped on refresh": refresh.steps.filter((s) => s.gone).length,
        "reported deleted": 3 - engine.state.size,
        "records still there": ids.filter((id) => emulator.record(id)).length,
      });
    } finally {
      await other.stop();
      emulator.setQuirks({});
    }
    await owner.destroy();
    expect(emulator.records()).toEqual([]);
  });
});

describe("the right baseUrl", () => {
  afterEach(() => rig.emulator.clearFaults());

  it("an HTML 404 from a proxy is not taken as 'gone'", async () => {
    const { emulator, host } = rig;
    const engine = new Engine(host);
    await engine.up(hooks("p"));
    emulator.injectFault({ route: "get", kind: "html", status: 404, times: Infinity });
    emulator.injectFault({ route: "delete", kind: "html", status: 404, times: Infinity });
    const refresh = await engine.refresh({ throwOnError: false });
    expect(refresh.steps.filter((s) => s.gone)).toEqual([]);
    expect(refresh.errors).toHaveLength(3);
    for (const s of refresh.errors) expect(s.error!.message).toMatch(/baseUrl/);
    const destroy = await engine.destroy({ throwOnError: false, continueOnError: true });
    expect(destroy.errors).toHaveLength(3);
    expect(emulator.records()).toHaveLength(3);
    rows.push({
      "wrong baseUrl answers": "(right baseUrl) an HTML 404 from a proxy",
      "dropped on refresh": 0,
      "reported deleted": 0,
      "records still there": emulator.records().length,
    });
    emulator.clearFaults();
    await engine.destroy();
    expect(emulator.records()).toEqual([]);
  });

  it.each([false, true])(
    "a record deleted out of band still leaves the state (route 404s as a string: %s)",
    async (asString) => {
      const { emulator, host } = rig;
      const engine = new Engine(host);
      await engine.up(hooks("g"));
      const gone = Number(engine.find("g-1")!.id);
      emulator.remove(gone);
      emulator.setQuirks({ routeNotFoundAsString: asString });
      try {
        const refresh = await engine.refresh();
        expect(refresh.steps.filter((s) => s.gone).map((s) => s.id)).toEqual([String(gone)]);
        expect(engine.state.size).toBe(2);
      } finally {
        emulator.setQuirks({});
      }
      await engine.destroy();
      expect(emulator.records()).toEqual([]);
    },
  );

  it.each([
    ["refresh (GET)", "get", "WebHook-Read"],
    ["create (POST)", "create", "WebHook-Create"],
  ] as const)(
    "a 401 answered with an HTML page on %s is an authentication error naming the role",
    async (label, route, role) => {
      const { emulator, host } = rig;
      const engine = new Engine(host);
      const desired = hooks("a").slice(0, 1);
      if (route === "get") await engine.up(desired);
      emulator.injectFault({ route, kind: "html", status: 401, times: Infinity });
      const result =
        route === "get"
          ? await engine.refresh({ throwOnError: false })
          : await engine.up(desired, { throwOnError: false });
      expect(result.errors).toHaveLength(1);
      const message = result.errors[0]!.error!.message;
      expect(message).toMatch(/was refused \(401\)/);
      expect(message).toContain(role);
      expect(message).toMatch(/credential|token/);
      expect(message).not.toMatch(/proxy or gateway/);
      rows.push({
        "wrong baseUrl answers": `(right baseUrl) HTML 401 on ${label}: an auth error naming ${role}`,
        "dropped on refresh": 0,
        "reported deleted": 0,
        "records still there": emulator.records().length,
      });
      emulator.clearFaults();
      await engine.destroy();
      expect(emulator.records()).toEqual([]);
    },
  );
});

afterAll(() => {
  if (rows.length > 0) recordFigures("404s and 401s: nothing dropped or reported deleted", rows);
});
