/**
 * The address and the identity of what a run writes, through the REAL dynamic-provider host
 * against the emulator and a plain loopback HTTP server:
 *
 * - a mistyped `nexudus:*` stack config key (`nexudus:tokn`, `nexudus:baseurl`) is refused with a
 *   did-you-mean before any call, instead of being ignored while the environment's token and
 *   address are used; every known key and other namespaces' keys are still accepted;
 * - a base URL that is not the Nexudus API (an HTML 404, a JSON answer that is not the search
 *   envelope) stops a create at its pre-create search: no POST, a short "fix nexudus:baseUrl";
 * - adopt and the lost-create lookup take only a record with exactly the declared URL: never a
 *   near miss (`/path/` for `/path`, `/Path`, another query order).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { startEmulator, type EmulatorHandle, type WebhookRecord } from "../../emulator";
import { KNOWN_CONFIG_KEYS } from "../../provider/config";
import type { CapturedResource } from "../support/capture";
import { Engine } from "../support/engine";
import { recordFigures } from "../support/figures";
import { startHost, type ConfigValue, type Host } from "../support/host";
import { adminUser } from "../support/rig";
import { captureTemplate, FAST_ENV, HQ, hookFrom, NO_NEXUDUS_ENV, stateIds } from "./helpers";

const TOKEN = "tok-cfgroute-7d41b2";
const OTHER_TOKEN = "tok-cfgroute-env-93ac0e";

let template: CapturedResource;
/** The address the stack config names. */
let stackApi: EmulatorHandle;
/** The address the environment names (the one a typo would silently fall back to). */
let envApi: EmulatorHandle;
const hosts: Host[] = [];

const figures = {
  "writes to a wrong address": 0,
  "unknown keys accepted": 0,
  "near-miss URLs taken": 0,
};

beforeAll(async () => {
  template = await captureTemplate();
  stackApi = await startEmulator({ port: 0, users: [adminUser(TOKEN)] });
  envApi = await startEmulator({ port: 0, users: [adminUser(OTHER_TOKEN, "env@example.com")] });
});

afterAll(async () => {
  for (const h of hosts) {
    const printed = h.stdout() + h.stderr();
    await h.stop();
    expect(printed).not.toContain(TOKEN);
    expect(printed).not.toContain(OTHER_TOKEN);
  }
  await stackApi?.stop();
  await envApi?.stop();
  recordFigures("config and routing", figures);
});

/** A host whose environment names the other emulator and its token (as a developer's shell may). */
async function hostWith(
  config: Record<string, ConfigValue>,
  env: Record<string, string> = {},
): Promise<Engine> {
  const host = await startHost({
    env: {
      ...NO_NEXUDUS_ENV,
      ...FAST_ENV,
      NEXUDUS_BASE_URL: envApi.url,
      NEXUDUS_TOKEN: OTHER_TOKEN,
      ...env,
    },
  });
  hosts.push(host);
  await host.configure(config);
  return new Engine(host);
}

const writes = (api: EmulatorHandle): number =>
  api.requests().filter((r) => r.method !== "GET").length;

describe("stack config keys", () => {
  beforeEach(() => {
    stackApi.clearRequests();
    envApi.clearRequests();
  });

  it.each([
    ["nexudus:tokn", "nexudus:token"],
    ["nexudus:baseurl", "nexudus:baseUrl"],
    ["nexudus:BaseUrl", "nexudus:baseUrl"],
    ["Nexudus:token", "nexudus:token"],
    ["nexudus:refreshmode", "nexudus:refreshMode"],
  ])("%s is refused before any call, naming the key and %s", async (typo, meant) => {
    const config: Record<string, ConfigValue> = {
      "nexudus:baseUrl": stackApi.url,
      "nexudus:token": { secret: TOKEN },
    };
    // The typo replaces the key it was meant to be (as `pulumi config set nexudus:tokn x` does).
    delete config[meant];
    config[typo] = meant === "nexudus:token" ? { secret: TOKEN } : stackApi.url;
    if (meant === "nexudus:refreshMode") config[typo] = "get";
    const engine = await hostWith(config);
    const up = await engine.up([hookFrom(template, "typo")], { throwOnError: false });
    const calls = stackApi.requests().length + envApi.requests().length;
    figures["writes to a wrong address"] += writes(envApi);
    if (up.errors.length === 0) figures["unknown keys accepted"]++;
    expect(up.errors).toHaveLength(1);
    const message = up.errors[0]!.error!.message;
    expect(message).toContain(`${typo} is not a setting of the Nexudus provider`);
    expect(message).toContain(`did you mean ${meant}?`);
    expect(message).not.toContain(TOKEN);
    expect(calls).toBe(0);
    expect(stateIds(engine)).toEqual([]);
  });

  it("accepts every known key, and the keys of other namespaces", async () => {
    const values: Record<string, ConfigValue> = {
      "nexudus:baseUrl": stackApi.url,
      "nexudus:token": { secret: TOKEN },
      "nexudus:username": "ops@example.com",
      "nexudus:password": { secret: `pw-${TOKEN}` },
      "nexudus:timeoutMs": "5000",
      "nexudus:maxRetries": "2",
      "nexudus:refreshMode": "get",
      "nexudus:maxWaitMs": "300000",
    };
    for (const key of KNOWN_CONFIG_KEYS) expect(Object.keys(values)).toContain(key);
    const engine = await hostWith({
      ...values,
      "aws:region": "eu-west-1",
      "project:nexudusToken": "x",
      "nexudusx:token": "x",
    });
    await engine.up([hookFrom(template, "known", { url: "https://hooks.example.com/known" })]);
    expect(stackApi.records()).toHaveLength(1);
    expect(envApi.records()).toEqual([]);
    await engine.destroy();
    expect(stackApi.records()).toEqual([]);
  });
});

/** A loopback HTTP server that is not the Nexudus API: answers every request with `answer`. */
async function foreignServer(answer: {
  status: number;
  type: string;
  body: string;
}): Promise<{ url: string; methods: string[]; close(): Promise<void> }> {
  const methods: string[] = [];
  const server = http.createServer((req, res) => {
    methods.push(req.method ?? "?");
    req.resume();
    res.writeHead(answer.status, { "content-type": answer.type });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    methods,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("a baseUrl that is not the Nexudus API", () => {
  it.each([
    [
      "an HTML 404",
      { status: 404, type: "text/html", body: "<html><body><h1>404 Not Found</h1></body></html>" },
    ],
    [
      "a JSON 200 that is not the search envelope",
      { status: 200, type: "application/json", body: '{"status":"ok"}' },
    ],
    ["an HTML 200 page", { status: 200, type: "text/html", body: "<!doctype html><p>Welcome</p>" }],
  ])(
    "answering %s: the create stops before its POST, saying fix nexudus:baseUrl",
    async (_label, answer) => {
      const server = await foreignServer(answer);
      try {
        const engine = await hostWith({
          "nexudus:baseUrl": server.url,
          "nexudus:token": { secret: TOKEN },
        });
        const up = await engine.up([hookFrom(template, "wrong-address")], { throwOnError: false });
        const posts = server.methods.filter((m) => m !== "GET").length;
        figures["writes to a wrong address"] += posts;
        expect(posts).toBe(0);
        expect(up.errors).toHaveLength(1);
        const message = up.errors[0]!.error!.message;
        expect(message).toContain("Fix nexudus:baseUrl");
        expect(message).toContain("nothing was written");
        expect(message).toContain(server.url);
        expect(message).not.toMatch(/adopt: true|Run the update again/);
        expect(message.length).toBeLessThan(600);
        expect(stateIds(engine)).toEqual([]);
      } finally {
        await server.close();
      }
    },
  );
});

describe("URL identity: a near miss is another URL", () => {
  const EXACT = "https://hooks.example.com/nexudus/path";
  const EXACT_QUERY = "https://hooks.example.com/nexudus/q?a=1&b=2";
  const NEAR_MISSES = [
    "https://hooks.example.com/nexudus/path/",
    "https://hooks.example.com/nexudus/Path",
    "https://hooks.example.com/nexudus/q?b=2&a=1",
  ];

  function theirs(url: string): WebhookRecord {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    return stackApi.insert({
      BusinessId: HQ,
      Action: 6,
      URL: url,
      Name: "Theirs",
      CreatedOn: at,
      UpdatedOn: at,
    });
  }

  it("adopt creates a new record next to each near miss, and leaves the near miss untouched", async () => {
    const engine = await hostWith({
      "nexudus:baseUrl": stackApi.url,
      "nexudus:token": { secret: TOKEN },
    });
    const others = NEAR_MISSES.map(theirs);
    const before = others.map((r) => stackApi.record(r.Id));
    await engine.up([
      hookFrom(template, "adopter", { name: "Mine", url: EXACT, adopt: true }),
      hookFrom(template, "adopter-q", { name: "Mine", url: EXACT_QUERY, adopt: true }),
    ]);
    const mine = ["adopter", "adopter-q"].map((n) => engine.find(n)!.outputs.webhookId as number);
    const taken = others.filter((r) => mine.includes(r.Id)).length;
    figures["near-miss URLs taken"] += taken;
    expect(taken).toBe(0);
    expect(stackApi.record(mine[0]!)).toMatchObject({ URL: EXACT, Name: "Mine" });
    expect(stackApi.record(mine[1]!)).toMatchObject({ URL: EXACT_QUERY, Name: "Mine" });
    expect(others.map((r) => stackApi.record(r.Id))).toEqual(before);
    await engine.destroy();
    expect(others.map((r) => stackApi.record(r.Id))).toEqual(before);
    for (const r of others) stackApi.remove(r.Id);
    expect(stackApi.records()).toEqual([]);
  });

  it("the lost-create lookup does not take a near miss that appeared after the create started", async () => {
    // Waits of 1 s × 0.2 between the looks: room to add the near miss after the lost POST.
    const engine = await hostWith(
      { "nexudus:baseUrl": stackApi.url, "nexudus:token": { secret: TOKEN } },
      { NEXUDUS_TIME_FACTOR: "0.2" },
    );
    stackApi.clearRequests();
    stackApi.injectFault({ route: "create", kind: "reset" });
    const up = engine.up([hookFrom(template, "lost", { name: "Theirs", url: EXACT })], {
      throwOnError: false,
    });
    // Once the POST was lost (reset, nothing written), another stack makes the near misses.
    const deadline = Date.now() + 10_000;
    while (!stackApi.requests().some((r) => r.route === "create") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2));
    }
    const others = NEAR_MISSES.map(theirs);
    const result = await up;
    stackApi.clearFaults();
    const taken = stateIds(engine).filter((id) => others.some((r) => String(r.Id) === id)).length;
    figures["near-miss URLs taken"] += taken;
    expect(taken).toBe(0);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.error!.message).toMatch(/nothing was recorded/);
    for (const r of others) stackApi.remove(r.Id);
    expect(stackApi.records()).toEqual([]);
  });
});
