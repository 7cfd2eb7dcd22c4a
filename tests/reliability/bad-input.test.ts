/**
 * Bad input: malformed arguments of `WebHook` (through the REAL host's `check`) and of
 * `WebhookSet` (refused when the set is constructed, or by its children's `check`), malformed
 * provider config (one host per config, as each stack has), and malformed API answers (HTML
 * error pages, truncated JSON, records missing fields). Each must give a check failure or an
 * error naming the field, and make zero write calls to the emulator.
 */
import * as pulumi from "@pulumi/pulumi";
import { WebhookSet, type WebhookSetArgs } from "../../sdk";
import { captureResources, type CapturedResource } from "../../testing/capture";
import { Engine, type Step } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { HostCallError, type ConfigValue } from "../../testing/host";
import {
  captureTemplate,
  hookFrom,
  HQ,
  inBatches,
  startRig,
  writeCalls,
  type Rig,
} from "./helpers";

const TOKEN = "tok-bad-input-5d1e8a";
const USER = { username: "bad-input@example.com", password: "pw-bad-input-77c1" };

type Row = { category: string; cases: number; named: number; writes: number };
const figures = new Map<string, Row>();
function tally(category: string, named: boolean, writes: number): void {
  const row = figures.get(category) ?? { category, cases: 0, named: 0, writes: 0 };
  row.cases++;
  if (named) row.named++;
  row.writes += writes;
  figures.set(category, row);
}

let template: CapturedResource;
let rig: Rig;

beforeAll(async () => {
  template = await captureTemplate();
  rig = await startRig({
    emulator: {
      users: [{ ...USER, roles: ["Administrator"], apiTokens: [TOKEN] }],
    },
    config: (emulator) => ({
      "nexudus:baseUrl": emulator.url,
      "nexudus:token": { secret: TOKEN },
      // The refresh cases break the GET (`account` mode would serve the read from a page).
      "nexudus:refreshMode": "get",
    }),
  });
});

afterAll(async () => {
  const printed = await rig?.stop();
  expect(printed ?? "").not.toContain(TOKEN);
  recordFigures("Bad input: refused, naming the field, before any write", [
    ...figures.values(),
    {
      category: "total",
      cases: [...figures.values()].reduce((n, r) => n + r.cases, 0),
      named: [...figures.values()].reduce((n, r) => n + r.named, 0),
      writes: [...figures.values()].reduce((n, r) => n + r.writes, 0),
    },
  ]);
});

/** The step's check failures, or its error as one pseudo-failure. */
function problems(step: Step | undefined): { property: string; reason: string }[] {
  if (!step) return [];
  if (step.failures?.length) return step.failures;
  const e = step.error;
  if (!e) return [];
  return [{ property: "", reason: e instanceof HostCallError ? e.details : e.message }];
}

const LONG = "x".repeat(256);

// [label, changed inputs, the field, what the reason must say]
const WEBHOOK_CASES: [string, Record<string, unknown>, string, RegExp][] = [
  ["businessId as a string", { businessId: "1234" }, "businessId", /positive integer.*"1234"/],
  ["negative businessId", { businessId: -5 }, "businessId", /positive integer.*-5/],
  ["zero businessId", { businessId: 0 }, "businessId", /positive integer/],
  ["fractional businessId", { businessId: 12.5 }, "businessId", /positive integer.*12\.5/],
  ["huge businessId", { businessId: 2 ** 31 }, "businessId", /no greater than 2147483647/],
  ["boolean businessId", { businessId: true }, "businessId", /positive integer.*boolean/],
  ["missing businessId", { businessId: undefined }, "businessId", /positive integer.*missing/],
  ["empty name", { name: "" }, "name", /non-empty string, not empty/],
  ["whitespace name", { name: "   \t" }, "name", /not only white space/],
  ["numeric name", { name: 42 }, "name", /non-empty string; got number 42/],
  ["missing name", { name: undefined }, "name", /non-empty string.*missing/],
  ["name over 255 characters", { name: LONG }, "name", /at most 255 characters/],
  ["misspelt action name", { action: "BokingCreate" }, "action", /did you mean "BookingCreate"/],
  ["unknown action name", { action: "CoffeeBrewed" }, "action", /not a Nexudus webhook action/],
  ["action None by name", { action: "None" }, "action", /None \(1\) fires for nothing/],
  ["action None by number", { action: 1 }, "action", /None \(1\) fires for nothing/],
  ["action 0", { action: 0 }, "action", /numbers run from 1 to 90/],
  ["action 91", { action: 91 }, "action", /numbers run from 1 to 90/],
  ["fractional action", { action: 6.5 }, "action", /6\.5 is not a Nexudus webhook action/],
  ["action as an object", { action: { name: "BookingCreate" } }, "action", /got an object/],
  ["missing action", { action: undefined }, "action", /action name .* or its number.*missing/],
  ["relative URL", { url: "/hooks/bookings" }, "url", /absolute http\(s\) URL/],
  ["ftp URL", { url: "ftp://files.example.com/in" }, "url", /got the scheme "ftp"/],
  ["javascript: URL", { url: "javascript:alert(1)" }, "url", /got the scheme "javascript"/],
  ["URL without a colon", { url: "https//hooks.example.com/x" }, "url", /absolute http\(s\) URL/],
  ["URL with a space", { url: "https://hooks.example.com/a b" }, "url", /without spaces/],
  ["URL with a line break", { url: "https://hooks.example.com/a\n" }, "url", /line breaks/],
  ["empty URL", { url: "" }, "url", /empty string/],
  ["numeric URL", { url: 8080 }, "url", /got number 8080/],
  ["missing URL", { url: undefined }, "url", /absolute http\(s\) URL.*missing/],
  ["URL over 2048 characters", { url: `https://a.example.com/${LONG.repeat(8)}` }, "url", /2048/],
  ["numeric description", { description: 5 }, "description", /must be a string/],
  ["active as a string", { active: "yes" }, "active", /must be a boolean/],
  ["adopt as a string", { adopt: "true" }, "adopt", /must be a boolean/],
  ["unknown extra argument", { secretKey: "s3" }, "secretKey", /unknown argument "secretKey"/],
  ["argument in API casing", { URL: "https://x.example.com" }, "URL", /unknown argument "URL"/],
];

describe("WebHook arguments: a check failure naming the field, no API call", () => {
  it.each(WEBHOOK_CASES)("%s", async (_label, change, field, reason) => {
    const engine = new Engine(rig.host);
    const before = rig.emulator.requests().length;
    const result = await engine.up([hookFrom(template, "hook", change)], { throwOnError: false });
    const found = problems(result.errors[0]);
    const calls = rig.emulator.requests().length - before;
    tally(
      "WebHook arguments",
      found.some((f) => f.property === field && reason.test(f.reason)),
      calls,
    );
    expect(found).toContainEqual({ property: field, reason: expect.stringMatching(reason) });
    expect(calls).toBe(0);
    expect(engine.state.size).toBe(0);
  });
});

const URL = "https://hooks.example.com/set";
const SET_CASES: [string, Partial<Record<keyof WebhookSetArgs, unknown>>, RegExp][] = [
  ["hooks not a list", { hooks: "BookingCreate" }, /hooks must be a list/],
  [
    "misspelt hook action",
    { hooks: ["BookingCreat"] },
    /hooks\[0\]\.action .*did you mean "BookingCreate"/,
  ],
  ["hook action number 999", { hooks: [999] }, /hooks\[0\]\.action 999 .*1 to 90/],
  ["hook action None", { hooks: ["BookingCreate", "None"] }, /hooks\[1\]\.action None/],
  [
    "relative hook URL",
    { hooks: [{ action: "BookingCreate", url: "/x" }] },
    /hooks\[0\]\.url must be an absolute/,
  ],
  [
    "set URL with a space",
    { url: "https://hooks.example.com/a b" },
    /url must be an absolute.*without spaces/,
  ],
  ["negative businessId", { businessId: -1 }, /businessId must be a positive integer/],
  ["missing businessId", { businessId: undefined }, /businessId is required/],
  ["whitespace namePrefix", { namePrefix: "  " }, /namePrefix must be a non-empty string/],
  ["unknown set argument", { exclusiv: true } as never, /unknown argument "exclusiv"/],
  [
    "unknown hook field",
    { hooks: [{ action: "BookingCreate", urll: URL }] },
    /hooks\[0\] has an unknown field "urll"/,
  ],
  [
    "hook without any URL",
    { url: undefined, hooks: ["BookingCreate"] },
    /hooks\[0\]\.url is required/,
  ],
  [
    "the same hook twice",
    { hooks: ["BookingCreate", "BookingCreate"] },
    /hooks\[0\] and hooks\[1\] both declare BookingCreate/,
  ],
  [
    "invalid hook key",
    { hooks: [{ action: "BookingCreate", key: "bad key!" }] },
    /hooks\[0\]\.key must be/,
  ],
  ["exclusive as a string", { exclusive: "yes" }, /exclusive must be a plain boolean/],
  [
    "hook active as a string",
    { hooks: [{ action: "BookingCreate", active: "no" }] },
    /hooks\[0\]\.active must be a boolean/,
  ],
];

describe("WebhookSet arguments: refused when constructed, naming the field, nothing registered", () => {
  it.each(SET_CASES)("%s", async (_label, change, reason) => {
    const args = { businessId: HQ, url: URL, hooks: ["BookingCreate"], ...change } as Record<
      string,
      unknown
    >;
    for (const [k, v] of Object.entries(change)) if (v === undefined) delete args[k];
    let thrown: unknown;
    const registered = await captureResources(() => {
      try {
        new WebhookSet("set", args as unknown as WebhookSetArgs);
      } catch (e) {
        thrown = e;
      }
    });
    const message = thrown instanceof Error ? thrown.message : "";
    tally("WebhookSet arguments", reason.test(message) && registered.length === 0, 0);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe("WebhookSetArgsError");
    expect(message).toMatch(reason);
    expect(registered).toEqual([]);
  });

  it("a secret (Output) hook URL that is malformed is refused by the child's check, naming url", async () => {
    const registered = await captureResources(() => {
      new WebhookSet("set", {
        businessId: HQ,
        hooks: [{ action: "BookingCreate", url: pulumi.secret("hooks.example.com/no-scheme") }],
      });
    });
    const children = registered.filter((r) => r.custom);
    expect(children).toHaveLength(1);
    const engine = new Engine(rig.host);
    const before = rig.emulator.requests().length;
    const result = await engine.up(children, { throwOnError: false });
    const found = problems(result.errors[0]);
    const calls = rig.emulator.requests().length - before;
    tally(
      "WebhookSet arguments",
      found.some((f) => f.property === "url"),
      calls,
    );
    expect(found).toContainEqual({
      property: "url",
      reason: expect.stringMatching(/absolute http/),
    });
    expect(calls).toBe(0);
  });
});

// [label, stack config (baseUrl defaults to the emulator), the error, whether configure() throws]
const CONFIG_CASES: [string, (url: string) => Record<string, ConfigValue>, RegExp, boolean][] = [
  [
    "missing credentials",
    (url) => ({ "nexudus:baseUrl": url }),
    /credentials are missing.*nexudus:token/s,
    false,
  ],
  [
    "non-https base URL",
    () => ({
      "nexudus:baseUrl": "http://spaces.nexudus.example.com",
      "nexudus:token": { secret: TOKEN },
    }),
    /nexudus:baseUrl .*must use https/,
    true,
  ],
  [
    "base URL without a scheme",
    () => ({ "nexudus:baseUrl": "spaces.nexudus.com", "nexudus:token": { secret: TOKEN } }),
    /nexudus:baseUrl .*absolute URL/,
    true,
  ],
  [
    "username without password",
    (url) => ({ "nexudus:baseUrl": url, "nexudus:username": USER.username }),
    /nexudus:password .*missing/,
    true,
  ],
  [
    "token with a space",
    (url) => ({ "nexudus:baseUrl": url, "nexudus:token": { secret: "two words" } }),
    /nexudus:token .*without spaces/,
    true,
  ],
  [
    "timeoutMs not a number",
    (url) => ({
      "nexudus:baseUrl": url,
      "nexudus:token": { secret: TOKEN },
      "nexudus:timeoutMs": "soon",
    }),
    /nexudus:timeoutMs .*whole number/,
    true,
  ],
  [
    "negative maxRetries",
    (url) => ({
      "nexudus:baseUrl": url,
      "nexudus:token": { secret: TOKEN },
      "nexudus:maxRetries": "-1",
    }),
    /nexudus:maxRetries .*must be at least 0/,
    true,
  ],
  [
    "wrong password",
    (url) => ({
      "nexudus:baseUrl": url,
      "nexudus:username": USER.username,
      "nexudus:password": { secret: "not-the-password" },
    }),
    /\/api\/token was refused.*username or password/,
    false,
  ],
];

describe("provider config: an error naming the setting, no write call (one host per config)", () => {
  interface ConfigOutcome {
    /** The error of each of two runs of the same host (two resources, as a stack has). */
    errors: string[];
    /** Write calls plus records made. */
    writes: number;
    printed: string;
  }
  const outcomes = new Map<string, ConfigOutcome>();

  beforeAll(async () => {
    await inBatches(CONFIG_CASES.length, 3, async (i) => {
      const [label, config] = CONFIG_CASES[i]!;
      const r = await startRig({
        emulator: { users: [{ ...USER, roles: ["Administrator"], apiTokens: [TOKEN] }] },
        config: (emulator) => config(emulator.url),
      });
      const o: ConfigOutcome = { errors: [], writes: 0, printed: "" };
      outcomes.set(label, o);
      try {
        for (const name of ["first", "second"]) {
          const engine = new Engine(r.host);
          const result = await engine.up([hookFrom(template, name, { name })], {
            throwOnError: false,
          });
          o.errors.push(problems(result.errors[0])[0]?.reason ?? "(no error)");
        }
        o.writes = writeCalls(r.emulator) + r.emulator.records().length;
      } finally {
        o.printed = await r.stop();
      }
    });
  }, 90_000);

  it.each(CONFIG_CASES)("%s", (label, _config, reason) => {
    const o = outcomes.get(label)!;
    tally("provider config", reason.test(o.errors[0]!), o.writes);
    expect(o.errors[0]).toMatch(reason);
    // A later resource of the same host fails too (never falls back to another API).
    expect(o.errors[1]).not.toBe("(no error)");
    expect(o.writes).toBe(0);
    for (const secret of [TOKEN, USER.password, "not-the-password"]) {
      for (const e of o.errors) expect(e).not.toContain(secret);
      expect(o.printed).not.toContain(secret);
    }
  });

  // The host caches a provider whose configure() threw; runtime.ts keeps the error so that the
  // NEXT resource of the host fails with it too, instead of a client built from the environment
  // alone (default base URL, NEXUDUS_* credentials).
  it.each(CONFIG_CASES.filter((c) => c[3]))(
    "%s: a second resource of the same host still names the setting",
    (label, _config, reason) => {
      expect(outcomes.get(label)!.errors[1]).toMatch(reason);
    },
  );
});

describe("malformed API answers: an error saying what is wrong, no write call", () => {
  type Answer = "html" | "truncated" | "badRecord";
  // [label, when (the operation), the route that answers badly, the fault, what the error says]
  const CASES: [string, "adopt" | "update" | "refresh", "search" | "get", Answer, RegExp][] = [
    [
      "adopt search answers an HTML page",
      "adopt",
      "search",
      "html",
      /GET \/api\/sys\/webhooks\?.*HTML page/,
    ],
    [
      "adopt search answers truncated JSON",
      "adopt",
      "search",
      "truncated",
      /not valid JSON \(truncated/,
    ],
    [
      "adopt search rows miss Id and Name",
      "adopt",
      "search",
      "badRecord",
      /Records\.0\.(Id|Name): expected/,
    ],
    [
      "update's GET answers an HTML page",
      "update",
      "get",
      "html",
      /GET \/api\/sys\/webhooks\/\d+: .*HTML page/,
    ],
    ["update's GET answers truncated JSON", "update", "get", "truncated", /not valid JSON/],
    [
      "update's GET record misses Id and Name",
      "update",
      "get",
      "badRecord",
      /\b(Id|Name): expected/,
    ],
    [
      "refresh's GET record misses Id and Name",
      "refresh",
      "get",
      "badRecord",
      /\b(Id|Name): expected/,
    ],
    ["refresh's GET answers an HTML page", "refresh", "get", "html", /HTML page/],
  ];

  it.each(CASES)("%s", async (_label, when, route, kind, reason) => {
    const { emulator, host } = rig;
    emulator.clearFaults();
    const url = `https://hooks.example.com/malformed/${when}/${kind}`;
    const engine = new Engine(host);
    const hook = hookFrom(template, "hook", { url, name: `malformed ${when} ${kind}` });
    if (when === "adopt") emulator.insert({ BusinessId: HQ, Action: 6, URL: url, Name: "by hand" });
    else await engine.up([hook]);
    emulator.clearRequests();
    emulator.injectFault({ route, kind, times: Infinity });
    const result =
      when === "refresh"
        ? await engine.refresh({ throwOnError: false })
        : await engine.up(
            [
              when === "adopt"
                ? hookFrom(template, "hook", { url, adopt: true })
                : hookFrom(template, "hook", { url, name: "renamed" }),
            ],
            { throwOnError: false },
          );
    emulator.clearFaults();
    const message = problems(result.errors[0])[0]?.reason ?? "(no error)";
    const writes = writeCalls(emulator);
    tally("malformed API answers", reason.test(message), writes);
    expect(message).toMatch(reason);
    expect(message).toMatch(/not the documented shape/);
    expect(writes).toBe(0);
    await engine.destroy();
    for (const r of emulator.records()) emulator.remove(r.Id);
  });

  it("a token answer without access_token (username/password config)", async () => {
    const r = await startRig({
      emulator: { users: [{ ...USER, roles: ["Administrator"] }] },
      config: (emulator) => ({
        "nexudus:baseUrl": emulator.url,
        "nexudus:username": USER.username,
        "nexudus:password": { secret: USER.password },
      }),
    });
    try {
      r.emulator.injectFault({ route: "token", kind: "badRecord", times: Infinity });
      const engine = new Engine(r.host);
      const result = await engine.up([hookFrom(template, "hook")], { throwOnError: false });
      const message = problems(result.errors[0])[0]?.reason ?? "(no error)";
      const writes = writeCalls(r.emulator);
      tally("malformed API answers", /access_token: expected/.test(message), writes);
      expect(message).toMatch(
        /POST \/api\/token: the answer is not the documented shape: access_token/,
      );
      expect(message).not.toContain(USER.password);
      expect(writes).toBe(0);
    } finally {
      const printed = await r.stop();
      expect(printed).not.toContain(USER.password);
    }
  });
});

it("covers at least 40 malformed inputs, each refused naming the field, with no write", () => {
  const rows = [...figures.values()];
  const cases = rows.reduce((n, r) => n + r.cases, 0);
  expect(cases).toBeGreaterThanOrEqual(40);
  expect(rows.reduce((n, r) => n + r.named, 0)).toBe(cases);
  expect(rows.reduce((n, r) => n + r.writes, 0)).toBe(0);
});
