/**
 * Secret hygiene, through the REAL dynamic-provider host and a recording proxy in front of the
 * emulator (so every header and body on the wire is seen): with a token, a username/password pair
 * (and the access and refresh tokens issued for it) and a secret webhook URL, a whole lifecycle
 * (create, update, refresh, failures of every operation, a redirect to another origin, destroy)
 * must never put a credential in `__provider`, in state, in an error message, in the host's
 * stdout/stderr, or in a request anywhere but its Authorization header (the password only in the
 * body of the password grant, as the protocol has it); the secret URL must stay in secret
 * properties and in request bodies only. A redirect to another origin must carry no credential.
 */
import * as pulumi from "@pulumi/pulumi";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { WebHook } from "../../sdk";
import { captureResources, type CapturedResource } from "../../testing/capture";
import { Engine, type RunResult } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { HostCallError, secretValue, startHost, type Host } from "../../testing/host";
import {
  FAST_ENV,
  hookFrom,
  HQ,
  NO_NEXUDUS_ENV,
  startRecordingProxy,
  type RecordingProxy,
} from "./helpers";

const TOKEN = "tok-SECRET-4f9c1d7e2b8a";
const USER = { username: "secrets@example.com", password: "pw-SECRET-a61f03" };
const SECRET_URL = "https://hooks.example.com/services/T0SECRETX/B0SECRETY/xoxSECRETZ";
/** The parts of the secret URL that must never show outside secret places. */
const URL_SECRETS = ["T0SECRETX", "B0SECRETY", "xoxSECRETZ"];

let emulator: EmulatorHandle;
let proxy: RecordingProxy;
let template: CapturedResource;

/** Everything one stack produced: errors, state snapshots, host output. */
interface Trace {
  label: "token" | "password";
  host: Host;
  engine: Engine;
  errors: string[];
  states: string[];
  printed: string;
}
const traces: Trace[] = [];

function errorsOf(result: RunResult): string[] {
  return result.errors.flatMap((s) => {
    const e = s.error;
    if (!e) return [];
    if (e instanceof HostCallError) return [e.details, e.message, ...(e.reasons ?? [])];
    return [e.message];
  });
}

/** Issued access and refresh tokens, read from the token answers the proxy saw. */
function issuedTokens(): string[] {
  const out: string[] = [];
  for (const r of proxy.seen) {
    if (r.server !== "api" || !r.url.startsWith("/api/token") || r.status !== 200) continue;
    try {
      const body = JSON.parse(r.responseBody) as Record<string, unknown>;
      for (const k of ["access_token", "refresh_token"]) {
        if (typeof body[k] === "string") out.push(body[k]);
      }
    } catch {
      // not JSON: nothing issued
    }
  }
  return out;
}

async function runStack(label: Trace["label"]): Promise<Trace> {
  const host = await startHost({
    stack: `secrets-${label}`,
    env: { ...NO_NEXUDUS_ENV, ...FAST_ENV },
  });
  const trace: Trace = {
    label,
    host,
    engine: new Engine(host),
    errors: [],
    states: [],
    printed: "",
  };
  const { engine } = trace;
  const step = async (run: () => Promise<RunResult>) => {
    const result = await run();
    trace.errors.push(...errorsOf(result));
    trace.states.push(JSON.stringify(engine.snapshot()));
    return result;
  };
  try {
    await host.configure(
      label === "token"
        ? { "nexudus:baseUrl": proxy.url, "nexudus:token": { secret: TOKEN } }
        : {
            "nexudus:baseUrl": proxy.url,
            "nexudus:username": USER.username,
            "nexudus:password": { secret: USER.password },
          },
    );
    const name = `secret hook (${label})`;
    const hook = hookFrom(template, "hook", { name });
    const renamed = hookFrom(template, "hook", { name: `${name} v2`, description: "renamed" });

    const created = await step(() => engine.up([hook], { throwOnError: false }));
    expect(created.errors).toEqual([]);
    const updated = await step(() => engine.up([renamed], { throwOnError: false }));
    expect(updated.errors).toEqual([]);
    await step(() => engine.refresh({ throwOnError: false }));

    // Failures of every operation, for their messages (and the host's stderr).
    const id = Number(engine.find("hook")!.id);
    const other = hookFrom(template, "other", { name: `other (${label})` });
    emulator.injectFault({ route: "create", kind: "status", status: 500, times: Infinity });
    await step(() => engine.up([renamed, other], { throwOnError: false }));
    emulator.clearFaults();
    emulator.injectFault({ route: "update", kind: "wasSuccessfulFalse", times: Infinity });
    await step(() =>
      engine.up([hookFrom(renamed, "hook", { active: false })], { throwOnError: false }),
    );
    emulator.clearFaults();
    emulator.injectFault({ route: "get", kind: "status", status: 503, times: Infinity });
    await step(() => engine.refresh({ throwOnError: false }));
    emulator.clearFaults();
    emulator.injectFault({ route: "delete", kind: "reset", times: Infinity });
    await step(() => engine.up([], { throwOnError: false }));
    emulator.clearFaults();
    // A malformed secret URL: the check failure must not quote its secret part.
    const bad = hookFrom(template, "hook", {
      name: `${name} v2`,
      url: secretValue(`${SECRET_URL} \n`),
    });
    const badRun = await step(() => engine.up([bad], { throwOnError: false }));
    expect(badRun.errors[0]?.failures?.[0]?.property).toBe("url");
    // The issued tokens revoked mid-run: one renewal, no error.
    if (label === "password") {
      emulator.expireTokens();
      const renewed = await step(() => engine.refresh({ throwOnError: false }));
      expect(renewed.errors).toEqual([]);
    }
    // Finally everything is destroyed.
    const destroyed = await step(() => engine.destroy({ throwOnError: false }));
    expect(destroyed.errors).toEqual([]);
    expect(emulator.record(id)).toBeUndefined();
  } finally {
    trace.printed = host.stdout() + host.stderr();
    await host.stop();
    trace.printed = host.stdout() + host.stderr();
  }
  return trace;
}

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    users: [
      {
        username: "token-user@example.com",
        password: "x-unused-1",
        roles: ["Administrator"],
        apiTokens: [TOKEN],
      },
      { ...USER, roles: ["Administrator"] },
    ],
  });
  proxy = await startRecordingProxy(emulator.url);
  // Captured with the credentials in the stack config, as a user's program runs.
  const captured = await captureResources(
    () => {
      new WebHook("hook", {
        businessId: HQ,
        name: "secret hook",
        action: "BookingCreate",
        url: pulumi.secret(SECRET_URL),
      });
    },
    {
      config: {
        "nexudus:token": TOKEN,
        "nexudus:username": USER.username,
        "nexudus:password": USER.password,
      },
      secretKeys: ["nexudus:token", "nexudus:password"],
    },
  );
  template = captured[0]!;
  // The two stacks one after the other: the faults injected are the emulator's, shared.
  traces.push(await runStack("token"));
  traces.push(await runStack("password"));
}, 120_000);

afterAll(async () => {
  await proxy?.stop();
  await emulator?.stop();
});

/** Occurrences of `needle` in `hay`. */
function count(hay: string, needle: string): number {
  return needle ? hay.split(needle).length - 1 : 0;
}

const leaks: Record<string, Record<string, number>> = {};
function leak(secret: string, place: string, n: number): void {
  leaks[secret] ??= {};
  leaks[secret]![place] = (leaks[secret]![place] ?? 0) + n;
}

describe("credentials", () => {
  const credentials = () => ({
    token: [TOKEN],
    password: [USER.password],
    "issued access/refresh tokens": issuedTokens(),
  });

  it("the password grant issued tokens (so they are checked too)", () => {
    expect(issuedTokens().length).toBeGreaterThanOrEqual(3); // first grant + the renewal
  });

  it("never appear in __provider", () => {
    const code = String(template.inputs.__provider);
    for (const [kind, values] of Object.entries(credentials())) {
      const n = values.reduce((s, v) => s + count(code, v), 0);
      leak(kind, "__provider", n);
      expect(n).toBe(0);
    }
  });

  it("never appear in state (inputs or outputs), in an error message, or in the host's output", () => {
    for (const [kind, values] of Object.entries(credentials())) {
      for (const t of traces) {
        const state = values.reduce(
          (s, v) => s + t.states.reduce((m, st) => m + count(st, v), 0),
          0,
        );
        const errors = values.reduce(
          (s, v) => s + t.errors.reduce((m, e) => m + count(e, v), 0),
          0,
        );
        const printed = values.reduce((s, v) => s + count(t.printed, v), 0);
        leak(kind, "state", state);
        leak(kind, "error messages", errors);
        leak(kind, "host stdout/stderr", printed);
        expect({ kind, stack: t.label, state, errors, printed }).toEqual({
          kind,
          stack: t.label,
          state: 0,
          errors: 0,
          printed: 0,
        });
      }
    }
    // The runs did produce errors (their messages were checked, not an empty list).
    for (const t of traces) expect(t.errors.length).toBeGreaterThanOrEqual(5);
  });

  it("travel only in the Authorization header (the password only in the password grant's body)", () => {
    let outside = 0;
    for (const r of proxy.seen.filter((x) => x.server === "api")) {
      const { authorization, ...otherHeaders } = r.headers;
      const elsewhere = [r.url, JSON.stringify(otherHeaders), r.body].join("\n");
      for (const [kind, values] of Object.entries(credentials())) {
        for (const v of values) {
          let n = count(elsewhere, v);
          const grant = r.url === "/api/token" && r.method === "POST";
          // The protocol's places: the password in the password grant, a refresh token in the
          // refresh grant (both form bodies of POST /api/token).
          if (grant && kind !== "token") n -= count(r.body, v);
          if (n > 0) outside += n;
          leak(kind, "requests (outside Authorization)", Math.max(0, n));
        }
      }
      if (!r.url.startsWith("/api/token")) {
        // Every API call is authenticated, with the bearer token or an issued access token.
        expect(authorization).toMatch(/^Bearer \S+$/);
      }
    }
    expect(outside).toBe(0);
    // Sanity: the credentials did travel where they belong.
    const api = proxy.seen.filter((x) => x.server === "api");
    expect(api.some((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(api.some((r) => r.url === "/api/token" && r.body.includes("grant_type=password"))).toBe(
      true,
    );
  });
});

describe("the secret URL", () => {
  it("is secret in state: it appears only under properties marked secret", () => {
    let exposed = 0;
    for (const t of traces) {
      for (const json of t.states) {
        const snap = JSON.parse(json) as {
          resources: {
            inputs: Record<string, unknown>;
            outputs: Record<string, unknown>;
            secretInputs: string[];
            secretOutputs: string[];
          }[];
        };
        for (const e of snap.resources) {
          for (const [bag, secretKeys] of [
            [e.inputs, e.secretInputs],
            [e.outputs, e.secretOutputs],
          ] as const) {
            for (const [k, v] of Object.entries(bag)) {
              if (
                URL_SECRETS.some((s) => JSON.stringify(v ?? null).includes(s)) &&
                !secretKeys.includes(k)
              ) {
                exposed++;
              }
            }
          }
          expect(e.secretOutputs).toEqual(expect.arrayContaining(["url", "lastError"]));
        }
      }
    }
    leak("secret URL", "state (non-secret properties)", exposed);
    expect(exposed).toBe(0);
  });

  it("never appears in __provider, an error message, the host's output, or a URL or query", () => {
    const code = String(template.inputs.__provider);
    const inCode = URL_SECRETS.reduce((n, s) => n + count(code, s), 0);
    let errors = 0;
    let printed = 0;
    for (const t of traces) {
      errors += URL_SECRETS.reduce((n, s) => n + t.errors.reduce((m, e) => m + count(e, s), 0), 0);
      printed += URL_SECRETS.reduce((n, s) => n + count(t.printed, s), 0);
    }
    const inUrls = proxy.seen.reduce(
      (n, r) => n + URL_SECRETS.reduce((m, s) => m + count(r.url, s), 0),
      0,
    );
    leak("secret URL", "__provider", inCode);
    leak("secret URL", "error messages", errors);
    leak("secret URL", "host stdout/stderr", printed);
    leak("secret URL", "request URLs and queries", inUrls);
    expect({ inCode, errors, printed, inUrls }).toEqual({
      inCode: 0,
      errors: 0,
      printed: 0,
      inUrls: 0,
    });
    // It did reach the API, in the bodies of the writes.
    expect(proxy.seen.some((r) => r.method === "POST" && r.body.includes(SECRET_URL))).toBe(true);
  });
});

describe("redirects to another origin", () => {
  it("carry no Authorization header (and no credential at all)", async () => {
    const host = await startHost({
      stack: "secrets-redirect",
      env: { ...NO_NEXUDUS_ENV, ...FAST_ENV },
    });
    try {
      await host.configure({
        "nexudus:baseUrl": proxy.url,
        "nexudus:token": { secret: TOKEN },
        "nexudus:refreshMode": "get", // the refresh GET is the call redirected
      });
      const engine = new Engine(host);
      await engine.up([hookFrom(template, "hook", { name: "redirected" })]);
      const id = Number(engine.find("hook")!.id);
      const before = proxy.seen.length;
      proxy.redirect = (method, url) =>
        method === "GET" && url.startsWith(`/api/sys/webhooks/${id}`)
          ? { status: 307, location: `${proxy.otherUrl}${url}` }
          : undefined;
      proxy.otherAnswer = () => ({ status: 200, body: emulator.record(id) });
      const refreshed = await engine.refresh({ throwOnError: false });
      proxy.redirect = undefined;
      const seen = proxy.seen.slice(before);
      const atOther = seen.filter((r) => r.server === "other");
      // The redirect was followed (to the other origin), and succeeded there.
      expect(seen.some((r) => r.server === "api" && r.status === 307)).toBe(true);
      expect(atOther.length).toBeGreaterThanOrEqual(1);
      expect(refreshed.errors).toEqual([]);
      let carried = 0;
      for (const r of atOther) {
        if (r.headers.authorization !== undefined) carried++;
        carried += count(JSON.stringify(r), TOKEN);
      }
      leak("token", "redirect to another origin", carried);
      expect(carried).toBe(0);

      // A write redirected to another origin: its body (the secret URL) does not follow.
      const mark = proxy.seen.length;
      proxy.redirect = (method, url) =>
        method === "POST" && url.startsWith("/api/sys/webhooks")
          ? { status: 307, location: `${proxy.otherUrl}${url}` }
          : undefined;
      const second = hookFrom(template, "second", { name: "redirected write" });
      const write = await engine.up([hookFrom(template, "hook", { name: "redirected" }), second], {
        throwOnError: false,
      });
      proxy.redirect = undefined;
      const written = proxy.seen.slice(mark);
      expect(
        written.some((r) => r.server === "api" && r.method === "POST" && r.status === 307),
      ).toBe(true);
      expect(write.errors).toHaveLength(1);
      const body = written
        .filter((r) => r.server === "other")
        .map((r) => JSON.stringify(r))
        .join();
      const urlCarried = URL_SECRETS.reduce((n, x) => n + count(body, x), 0) + count(body, TOKEN);
      leak("secret URL", "redirect to another origin", urlCarried);
      expect(urlCarried).toBe(0);
      expect(emulator.records()).toHaveLength(1);
      await engine.destroy();
      const printed = host.stdout() + host.stderr();
      expect(printed).not.toContain(TOKEN);
    } finally {
      proxy.redirect = undefined;
      await host.stop();
    }
  });

  it("of the token exchange carry neither the password nor a refresh token", async () => {
    const host = await startHost({
      stack: "secrets-redirect-pw",
      env: { ...NO_NEXUDUS_ENV, ...FAST_ENV },
    });
    const before = proxy.seen.length;
    try {
      await host.configure({
        "nexudus:baseUrl": proxy.url,
        "nexudus:username": USER.username,
        "nexudus:password": { secret: USER.password },
      });
      proxy.redirect = (method, url) =>
        method === "POST" && url.startsWith("/api/token")
          ? { status: 307, location: `${proxy.otherUrl}${url}` }
          : undefined;
      proxy.otherAnswer = () => ({ status: 400, body: { error: "invalid_grant" } });
      const engine = new Engine(host);
      const result = await engine.up([hookFrom(template, "hook", { name: "redirected token" })], {
        throwOnError: false,
      });
      expect(result.errors).toHaveLength(1);
      const message = errorsOf(result).join("\n");
      expect(message).toMatch(/\/api\/token/);
      expect(message).not.toContain(USER.password);
      expect(emulator.records()).toEqual([]);
    } finally {
      proxy.redirect = undefined;
      await host.stop();
    }
    const seen = proxy.seen.slice(before);
    expect(seen.some((r) => r.url === "/api/token" && r.status === 307)).toBe(true);
    const atOther = seen.filter((r) => r.server === "other");
    let carried = 0;
    for (const r of atOther) {
      carried += count(JSON.stringify(r), USER.password);
      if (r.headers.authorization !== undefined) carried++;
    }
    leak("password", "redirect to another origin", carried);
    expect(carried).toBe(0);
  });
});

afterAll(() => {
  const places = [
    "__provider",
    "state",
    "state (non-secret properties)",
    "error messages",
    "host stdout/stderr",
    "requests (outside Authorization)",
    "request URLs and queries",
    "redirect to another origin",
  ];
  recordFigures(
    "Secrets: occurrences outside their place (must all be 0; - = not applicable)",
    Object.entries(leaks).map(([secret, byPlace]) => ({
      secret,
      ...Object.fromEntries(places.map((p) => [p, byPlace[p] ?? "-"])),
    })),
  );
  recordFigures("Secrets: totals", {
    "requests inspected": proxy?.seen.length ?? 0,
    "error messages inspected": traces.reduce((n, t) => n + t.errors.length, 0),
    "state snapshots inspected": traces.reduce((n, t) => n + t.states.length, 0),
    "host output inspected (chars)": traces.reduce((n, t) => n + t.printed.length, 0),
    leaks: Object.values(leaks).reduce(
      (n, byPlace) => n + Object.values(byPlace).reduce((a, b) => a + b, 0),
      0,
    ),
  });
});
