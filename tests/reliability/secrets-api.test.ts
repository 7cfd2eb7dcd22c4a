/**
 * Secrets in texts that come from the API or from config, through the REAL dynamic-provider host
 * against the emulator with its opt-in `echoRequestInErrors` quirk (error answers quote the
 * request's URL, as a server may):
 * - a webhook URL given as a secret, with a user and password, a token in the path and a key in
 *   the query, quoted back by a 400, a 500 and a 200 `WasSuccessful: false` answer, on create and
 *   on update, must never appear in an error, in a non-secret state property, or in the host's
 *   output;
 * - a `baseUrl` with `user:password@` must not be echoed by the config error or the host's log;
 * - a check failure on a secret input never quotes its value (a token pasted into `url`).
 */
import type { CapturedResource } from "../../testing/capture";
import { Engine, type RunResult } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { HostCallError, secretValue, startHost } from "../../testing/host";
import { captureTemplate, FAST_ENV, hookFrom, NO_NEXUDUS_ENV, startRig, type Rig } from "./helpers";

const TOKEN = "tok-secrets-api-8b1d55";
const PASSWORD = "Pa55w0rd-q91x";
const PATH_TOKEN = "tok9f8e7d6c5b4a3";
const QUERY_KEY = "qk-77aa12";
const SECRET_URL = `https://hookuser:${PASSWORD}@hooks.example.com/t/${PATH_TOKEN}?key=${QUERY_KEY}&v=1`;
const BASE_PASSWORD = "S3cr3t-base-77";
const PASTED_TOKEN = "ghp_PASTEDtoken42";
const SECRETS = [SECRET_URL, PASSWORD, PATH_TOKEN, QUERY_KEY, BASE_PASSWORD, PASTED_TOKEN];

let rig: Rig;
let template: CapturedResource;

beforeAll(async () => {
  template = await captureTemplate();
  rig = await startRig({ token: TOKEN, emulator: { quirks: { echoRequestInErrors: true } } });
});

const texts: { where: string; text: string }[] = [];
const rows: Record<string, string | number>[] = [];

function leaksIn(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
}

function errorTexts(result: RunResult): string[] {
  return result.errors.flatMap((s) => {
    const e = s.error;
    if (!e) return [];
    if (e instanceof HostCallError) return [e.details, e.message, ...(e.reasons ?? [])];
    return [e.message];
  });
}

/** Non-secret state properties of every resource, as the engine would store them in plain text. */
function plainState(engine: Engine): string {
  return JSON.stringify(
    [...engine.state.values()].map((e) => ({
      inputs: Object.fromEntries(
        Object.entries(e.inputs).filter(([k]) => !e.secretInputs.includes(k)),
      ),
      outputs: Object.fromEntries(
        Object.entries(e.outputs).filter(([k]) => !e.secretOutputs.includes(k)),
      ),
    })),
  );
}

function record(
  label: string,
  result: RunResult,
  engine: Engine,
  expected: RegExp,
  errors = 1,
): void {
  const messages = errorTexts(result);
  expect(result.errors).toHaveLength(errors);
  expect(messages.join("\n")).toMatch(expected);
  const state = plainState(engine);
  for (const m of messages) texts.push({ where: label, text: m });
  texts.push({ where: `${label} (plain state)`, text: state });
  const leaks = [...messages, state].flatMap(leaksIn);
  rows.push({ case: label, "error messages": messages.length, leaks: leaks.length });
  expect(leaks).toEqual([]);
}

describe("a secret webhook URL quoted back by the API", () => {
  afterEach(() => rig.emulator.clearFaults());

  const hook = (changes: Record<string, unknown> = {}) =>
    hookFrom(template, "secret-hook", { url: secretValue(SECRET_URL), ...changes });

  it("in a 500 answer to the create", async () => {
    const engine = new Engine(rig.host);
    rig.emulator.injectFault({ route: "create", kind: "status", status: 500 });
    const up = await engine.up([hook()], { throwOnError: false });
    record("create answered 500 quoting the URL", up, engine, /500/);
  });

  it("in a 200 WasSuccessful:false answer to the create", async () => {
    const engine = new Engine(rig.host);
    rig.emulator.injectFault({ route: "create", kind: "wasSuccessfulFalse" });
    const up = await engine.up([hook()], { throwOnError: false });
    record("create answered WasSuccessful:false quoting the URL", up, engine, /WasSuccessful/);
  });

  it("in a 400 answer to the create", async () => {
    const engine = new Engine(rig.host);
    const up = await engine.up([hook({ businessId: 999 })], { throwOnError: false });
    record("create answered 400 quoting the URL", up, engine, /rejected \(400\)/);
  });

  it("in 500 answers to every attempt of an update", async () => {
    const engine = new Engine(rig.host);
    await engine.up([hook()]);
    rig.emulator.injectFault({ route: "update", kind: "status", status: 500, times: Infinity });
    const up = await engine.up([hook({ name: "renamed" })], { throwOnError: false });
    record("update answered 500 quoting the URL", up, engine, /500/);
    rig.emulator.clearFaults();
    await engine.destroy();
  });
});

describe("check failures on secret inputs", () => {
  it.each([
    ["a token pasted into url", PASTED_TOKEN],
    ["a URL with a password and a space", `https://u:${PASSWORD}@exa mple.com/x`],
  ])("never quote the value: %s", async (label, value) => {
    const engine = new Engine(rig.host);
    const plan = await engine.preview(
      [hookFrom(template, "bad-url", { url: secretValue(value) })],
      { throwOnError: false },
    );
    const failures = plan.steps.flatMap((s) => s.failures ?? []);
    expect(failures.map((f) => f.property)).toEqual(["url"]);
    const text = failures.map((f) => f.reason).join("\n");
    texts.push({ where: `check: ${label}`, text });
    const leaks = leaksIn(text);
    rows.push({
      case: `check failure: ${label}`,
      "error messages": failures.length,
      leaks: leaks.length,
    });
    expect(leaks).toEqual([]);
    expect(text).toMatch(/url must be an absolute http\(s\) URL/);
  });
});

describe("a baseUrl with user:password@", () => {
  it("is not echoed by the config error nor the host's log", async () => {
    const host = await startHost({ env: { ...NO_NEXUDUS_ENV, ...FAST_ENV } });
    let message = "";
    try {
      // The host hands the config to the provider when it first loads it (the first resource).
      await host.configure({
        "nexudus:baseUrl": `http://admin:${BASE_PASSWORD}@nexudus.example.com`,
        "nexudus:token": { secret: TOKEN },
      });
      const up = await new Engine(host).up([hookFrom(template, "h")], { throwOnError: false });
      message = errorTexts(up).join("\n");
    } finally {
      await host.stop();
    }
    expect(message).toMatch(/nexudus:baseUrl/);
    const printed = host.stdout() + host.stderr();
    texts.push({ where: "config error", text: message }, { where: "host output", text: printed });
    const leaks = [...leaksIn(message), ...leaksIn(printed)];
    rows.push({
      case: "baseUrl with user:password@ (config error, host log)",
      "error messages": 1,
      leaks: leaks.length,
    });
    expect(leaks).toEqual([]);
  });
});

afterAll(async () => {
  const printed = (await rig?.stop()) ?? "";
  texts.push({ where: "host output", text: printed });
  const leaks = texts.flatMap((t) => leaksIn(t.text).map((s) => `${t.where}: ${s}`));
  expect(leaks).toEqual([]);
  expect(printed).not.toContain(TOKEN);
  if (rows.length > 0) {
    rows.push({
      case: "the hosts' whole output",
      "error messages": 0,
      leaks: leaksIn(printed).length,
    });
    recordFigures("Secrets in API and config texts: leaks per case", rows);
    recordFigures("Secrets in API and config texts", {
      "texts inspected": texts.length,
      "secrets leaked": leaks.length,
    });
  }
});
