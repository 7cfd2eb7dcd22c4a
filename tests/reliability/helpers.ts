/**
 * Shared pieces of the reliability suites: one emulator + one REAL dynamic-provider host ("a rig"),
 * a WebHook captured once and copied with `withInputs`, waiting for requests the emulator is still
 * working on, the audit of emulator records against the engine's state (orphans, duplicates,
 * records missing), the "clear error" rule, and a recording HTTP proxy that sees every header and
 * body on the wire.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatorHandle } from "../../emulator";
import { WebHook, WebhookSet, type WebHookArgs } from "../../sdk";
import { captureSet, type CapturedSet } from "../set/helpers";
import { captureResources, withInputs, type CapturedResource } from "../../testing/capture";
import type { Engine } from "../../testing/engine";
import { startRig as startSharedRig, type Rig, type RigOptions } from "../../testing/rig";

/** The location every suite uses. */
export const HQ = 1234;

/** The base WebHook of the suites. */
export const BASE_ARGS: WebHookArgs = {
  businessId: HQ,
  name: "Reliability hook",
  action: "BookingCreate",
  url: "https://hooks.example.com/nexudus/reliability",
};

/** The per-request timeout of {@link FAST_ENV}, and a delay beyond it (the "delay" fault). */
export const FAST_TIMEOUT_MS = 500;
export const BEYOND_TIMEOUT_MS = 2 * FAST_TIMEOUT_MS;

/**
 * Host tuning that keeps fault cases short: the documented waits × 0.02, a 500 ms per-request
 * timeout (long enough for a loaded machine, short enough for the "delay beyond the client
 * timeout" fault to cost about a second) and 2 retries.
 */
export const FAST_ENV: Record<string, string> = {
  NEXUDUS_TIME_FACTOR: "0.02",
  NEXUDUS_TIMEOUT_MS: String(FAST_TIMEOUT_MS),
  NEXUDUS_MAX_RETRIES: "2",
  NEXUDUS_MAX_THROTTLE_RETRIES: "2",
};

/** Variables a developer's shell could hold that must not reach the hosts of the suites. */
export const NO_NEXUDUS_ENV: Record<string, undefined> = {
  NEXUDUS_BASE_URL: undefined,
  NEXUDUS_TOKEN: undefined,
  NEXUDUS_USERNAME: undefined,
  NEXUDUS_PASSWORD: undefined,
  NEXUDUS_TIMEOUT_MS: undefined,
  NEXUDUS_MAX_RETRIES: undefined,
  NEXUDUS_MAX_THROTTLE_RETRIES: undefined,
  NEXUDUS_TIME_FACTOR: undefined,
  NEXUDUS_RATE_LIMIT: undefined,
};

/** Captures one WebHook (about 0.5 s): copy it with {@link hookFrom} instead of capturing again. */
export async function captureTemplate(args: WebHookArgs = BASE_ARGS): Promise<CapturedResource> {
  const captured = await captureResources(() => {
    new WebHook("hook", args);
  });
  const template = captured[0];
  if (!template) throw new Error("captureTemplate: no resource captured");
  return template;
}

/** A copy of the template named `name`, with inputs changed (same `__provider`). */
export function hookFrom(
  template: CapturedResource,
  name: string,
  changes: Record<string, unknown> = {},
): CapturedResource {
  return withInputs(template, changes, name);
}

export type { Rig, RigOptions };

/**
 * {@link startSharedRig} with the reliability suites' host environment: short timeouts and a
 * scaled clock ({@link FAST_ENV}), and no `NEXUDUS_*` credential from the outer environment.
 */
export function startRig(opts: RigOptions = {}): Promise<Rig> {
  return startSharedRig({
    ...opts,
    host: { ...opts.host, env: { ...NO_NEXUDUS_ENV, ...FAST_ENV, ...opts.host?.env } },
  });
}

/** What the suites about odd servers start with: see {@link useExclusiveRig}. */
export interface ExclusiveRig {
  rig: Rig;
  /** The base WebHook, captured once. */
  template: CapturedResource;
  /** An exclusive WebhookSet at {@link HQ} with one BookingUpdate hook. */
  exclusive: CapturedSet;
}

/**
 * A suite's rig configured with `token`, the base WebHook and an exclusive set at {@link HQ} whose
 * hooks go to `setUrl`: the two callers of a paged search (adopt and the exclusive preview). Like
 * `useRig`: filled in before the suite's tests; after them stopped, and nothing it printed may
 * hold the token.
 */
export function useExclusiveRig(token: string, setUrl: string): ExclusiveRig {
  const suite = {} as ExclusiveRig;
  beforeAll(async () => {
    suite.template = await captureTemplate();
    suite.exclusive = await captureSet(
      () => {
        new WebhookSet("hq", {
          businessId: HQ,
          url: setUrl,
          hooks: ["BookingUpdate"],
          exclusive: true,
        });
      },
      { ids: "ref" },
    );
    suite.rig = await startRig({ token });
  });
  afterAll(async () => {
    expect(await suite.rig?.stop()).not.toContain(token);
  });
  return suite;
}

/** Starts `n` things at most `max` at a time (hosts cost a core-second each to start). */
export async function inBatches<T>(
  n: number,
  max: number,
  start: (i: number) => Promise<T>,
): Promise<T[]> {
  const out: T[] = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, max) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await start(i);
      }
    }),
  );
  return out;
}

/** Resolves once no request hit by a `delay` fault is still being worked on by the emulator. */
export async function settle(emulator: EmulatorHandle, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = emulator.requests().filter((r) => r.fault === "delay" && r.status === 0);
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`settle: ${pending.length} delayed request(s) still pending`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Write calls (POST, PUT, DELETE) the emulator received, the token exchange excluded. */
export function writeCalls(emulator: EmulatorHandle): number {
  return emulator.requests().filter((r) => r.method !== "GET" && r.route !== "token").length;
}

/** Every id the engine holds (live resources and copies waiting for deletion). */
export function stateIds(engine: Engine): string[] {
  return [
    ...[...engine.state.values()].map((e) => e.id),
    ...engine.pendingDeletes.map((e) => e.id),
  ];
}

/** What the emulator holds compared with the engine's state. */
export interface Audit {
  /** Records that no state entry holds and that were not there before (leaked creates). */
  orphans: number[];
  /** State ids with no record (the state says it exists; it does not). */
  missing: string[];
  /** Records beyond the first for one identity (location, action, URL, name). */
  duplicates: number;
  /** Ids held by more than one state entry. */
  shared: string[];
}

/**
 * Compares the emulator's records with the state. `baseline` are ids of records that were made
 * outside the program (they may stay unmanaged); `engines` lists every stack on the emulator.
 */
export function audit(emulator: EmulatorHandle, engines: Engine[], baseline: number[] = []): Audit {
  const records = emulator.records();
  const held = engines.flatMap(stateIds);
  const heldSet = new Set(held);
  const recordIds = new Set(records.map((r) => String(r.Id)));
  const identities = new Map<string, number>();
  for (const r of records) {
    const key = JSON.stringify([r.BusinessId, r.Action, r.URL, r.Name]);
    identities.set(key, (identities.get(key) ?? 0) + 1);
  }
  return {
    orphans: records
      .filter((r) => !heldSet.has(String(r.Id)) && !baseline.includes(r.Id))
      .map((r) => r.Id),
    missing: held.filter((id) => !recordIds.has(id)),
    duplicates: [...identities.values()].reduce((n, c) => n + Math.max(0, c - 1), 0),
    shared: held.filter((id, i) => held.indexOf(id) !== i),
  };
}

/** True when the audit found nothing wrong. */
export function clean(a: Audit): boolean {
  return (
    a.orphans.length === 0 && a.missing.length === 0 && a.duplicates === 0 && a.shared.length === 0
  );
}

/**
 * Why an error message is not a clear one, or undefined: it must say which webhook call failed
 * (the word webhook or the API path), carry no serialization debris and no secret, and be short
 * enough to read.
 */
export function unclearError(message: string, secrets: string[] = []): string | undefined {
  if (!/webhook|\/api\/sys\/webhooks|\/api\/token/i.test(message)) {
    return "does not say which webhook call failed";
  }
  for (const junk of ["[object Object]", "Unexpected struct type", "undefined", "NaN"]) {
    if (message.includes(junk)) return `contains ${JSON.stringify(junk)}`;
  }
  for (const s of secrets) if (message.includes(s)) return "contains a secret";
  if (message.length > 3000) return `is ${message.length} characters long`;
  return undefined;
}

/** One request as a {@link RecordingProxy} saw it. */
export interface SeenRequest {
  /** "api" (to the emulator), or "other" (the other origin a redirect pointed to). */
  server: "api" | "other";
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
  responseBody: string;
}

/**
 * An HTTP proxy in front of the emulator that records every request with its headers and body
 * (the emulator's own log keeps neither), plus a second server on another port (another origin)
 * that redirects can point to. `redirect` decides, per request, to answer a redirect instead.
 */
export interface RecordingProxy {
  url: string;
  otherUrl: string;
  seen: SeenRequest[];
  /** When set, called for each API request: a status and Location answer a redirect. */
  redirect?: (method: string, url: string) => { status: number; location: string } | undefined;
  /** The answer of the other origin (default 404). */
  otherAnswer?: (method: string, url: string) => { status: number; body: unknown };
  stop(): Promise<void>;
}

function readAll(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

/** Starts a {@link RecordingProxy} in front of `target` (the emulator's URL). */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const targetUrl = new URL(target);
  const proxy: RecordingProxy = {
    url: "",
    otherUrl: "",
    seen: [],
    stop: async () => undefined,
  };
  const api = http.createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const entry: SeenRequest = {
        server: "api",
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body,
        status: 0,
        responseBody: "",
      };
      proxy.seen.push(entry);
      const redirect = proxy.redirect?.(entry.method, entry.url);
      if (redirect) {
        entry.status = redirect.status;
        res.writeHead(redirect.status, { Location: redirect.location, "Content-Length": 0 });
        res.end();
        return;
      }
      const upstream = http.request(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: entry.method,
          path: entry.url,
          headers: { ...req.headers, host: targetUrl.host },
        },
        (up) => {
          const chunks: Buffer[] = [];
          up.on("data", (c: Buffer) => chunks.push(c));
          up.on("end", () => {
            const text = Buffer.concat(chunks);
            entry.status = up.statusCode ?? 0;
            entry.responseBody = text.toString("utf8");
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(text);
          });
        },
      );
      upstream.on("error", () => res.destroy());
      upstream.end(body);
    })();
  });
  const other = http.createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const answer = proxy.otherAnswer?.(req.method ?? "GET", req.url ?? "/") ?? {
        status: 404,
        body: "Not found",
      };
      proxy.seen.push({
        server: "other",
        method: req.method ?? "GET",
        url: req.url ?? "/",
        headers: req.headers,
        body,
        status: answer.status,
        responseBody: JSON.stringify(answer.body),
      });
      const text = JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(text),
      });
      res.end(text);
    })();
  });
  const [apiPort, otherPort] = await Promise.all([listen(api), listen(other)]);
  proxy.url = `http://127.0.0.1:${apiPort}`;
  // "localhost" and another port: another origin, still loopback.
  proxy.otherUrl = `http://localhost:${otherPort}`;
  proxy.stop = async () => {
    await Promise.all(
      [api, other].map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  };
  return proxy;
}
