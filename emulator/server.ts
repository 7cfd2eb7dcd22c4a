/**
 * The emulator's HTTP server: routing, authentication, roles, faults, rate limits, the API
 * handlers and the admin endpoints, tied together by {@link startEmulator}.
 *
 * Order of checks for an API request: route -> credential (401) -> role (401) -> fault -> rate
 * limit (409) -> handler. Faults that answer by themselves (`status`, `wasSuccessfulFalse`,
 * `throttle`, `html`, `reset`) and those that alter the answer (`commitThenReset`, `truncated`,
 * `badRecord`) bypass the rate limiter; a `delay` fault waits, then goes through it like any request.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import { hasRole, UserDirectory } from "./auth";
import { fire } from "./deliveries";
import {
  checkFault,
  FaultBook,
  HTML_502_PAGE,
  statusFaultBody,
  wasSuccessfulFalseBody,
} from "./faults";
import { RateLimiter } from "./limits";
import { parseSearchQuery, runSearch } from "./search";
import { WebhookStore } from "./store";
import {
  DEFAULT_ADMIN,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_LOCATIONS,
  DEFAULT_START_ID,
  DEFAULT_TOKEN_TTL_SECONDS,
  ROUTE_ROLES,
  type EmulatorHandle,
  type EmulatorQuirks,
  type EmulatorUser,
  type FaultSpec,
  type RateLimits,
  type RequestLogEntry,
  type Route,
  type StartEmulatorOptions,
} from "./types";
import {
  joinErrors,
  validateWriteBody,
  type FieldError,
  type WebhookWriteBody,
} from "./validation";
import { actionName } from "../provider/actions";
import { domainToASCII } from "node:url";

/** Largest request body accepted, in bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The body of a 404 for a missing record: the JSON string "Not found". */
const NOT_FOUND = "Not found";

/** An answer before it is written: a status, a body (JSON value or raw text) and headers. */
interface Answer {
  status: number;
  /** A JSON value to serialize, or raw text with `raw: true`, or undefined for an empty body. */
  body?: unknown;
  raw?: boolean;
  headers?: Record<string, string>;
}

type RouteMatch =
  { route: Route; id?: string } | { route: "unknown"; status: 404 | 405; allow?: string };

/** Matches a method and path to an API route (paths are case-insensitive, a trailing / is ok). */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const p = pathname.toLowerCase().replace(/\/+$/, "");
  if (p === "/api/sys/webhooks") {
    if (method === "GET") return { route: "search" };
    if (method === "POST") return { route: "create" };
    if (method === "PUT") return { route: "update" };
    return { route: "unknown", status: 405, allow: "GET, POST, PUT" };
  }
  const m = /^\/api\/sys\/webhooks\/([^/]+)$/.exec(p);
  if (m) {
    if (method === "GET") return { route: "get", id: m[1] };
    if (method === "DELETE") return { route: "delete", id: m[1] };
    return { route: "unknown", status: 405, allow: "GET, DELETE" };
  }
  if (p === "/api/token") {
    if (method === "POST") return { route: "token" };
    return { route: "unknown", status: 405, allow: "POST" };
  }
  return { route: "unknown", status: 404 };
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function serialize(a: Answer): { text: string | undefined; contentType: string | undefined } {
  if (a.body === undefined) return { text: undefined, contentType: undefined };
  if (a.raw) return { text: String(a.body), contentType: a.headers?.["Content-Type"] };
  return { text: JSON.stringify(a.body), contentType: "application/json; charset=utf-8" };
}

function write(res: http.ServerResponse, a: Answer, text: string | undefined): void {
  const headers: Record<string, string | number> = { ...(a.headers ?? {}) };
  const { contentType } = serialize(a);
  if (text !== undefined && contentType !== undefined) headers["Content-Type"] = contentType;
  headers["Content-Length"] = text === undefined ? 0 : Buffer.byteLength(text);
  res.writeHead(a.status, headers);
  res.end(text);
}

function validationFailure(errors: FieldError[]): Answer {
  return {
    status: 400,
    body: { Message: joinErrors(errors), Value: null, Errors: errors, WasSuccessful: false },
  };
}

function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false; answer: Answer } {
  const fail = (message: string): { ok: false; answer: Answer } => ({
    ok: false,
    answer: validationFailure([{ AttemptedValue: null, Message: message, PropertyName: "body" }]),
  });
  if (text.trim() === "") return fail("the request body is empty (expected a JSON object)");
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return fail(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Whether a Content-Type header names JSON (`application/json`, `text/json` or `...+json`). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return (
    mediaType === "application/json" || mediaType === "text/json" || mediaType.endsWith("+json")
  );
}

function throttled(): Answer {
  return { status: 409, headers: { "Retry-After": "1" } };
}

function successEnvelope(
  verb: "created" | "updated",
  id: number,
  updatedOn: string,
  updatedBy: string,
): Record<string, unknown> {
  return {
    Status: 200,
    Message: `WebHook was successfully ${verb}.`,
    Value: { Id: id },
    OpenInDialog: false,
    OpenInWindow: false,
    RedirectURL: null,
    JavaScript: null,
    UpdatedOn: updatedOn,
    UpdatedBy: updatedBy,
    Errors: null,
    WasSuccessful: true,
  };
}

function parseId(id: string | undefined): number | undefined {
  if (id === undefined || !/^\d+$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}

function withoutIdAndName(row: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> =
    typeof row === "object" && row !== null ? { ...(row as Record<string, unknown>) } : {};
  delete copy["Id"];
  delete copy["Name"];
  return copy;
}

/** The body of the `badRecord` fault for a route, built from the real answer. */
function badRecordBody(route: Route, real: Answer): unknown {
  const body = (real.body ?? {}) as Record<string, unknown>;
  switch (route) {
    case "search": {
      const rows = Array.isArray(body["Records"]) ? (body["Records"] as unknown[]) : [];
      const bad = rows.length > 0 ? rows.map(withoutIdAndName) : [{ BusinessId: 0, Active: true }];
      return { ...body, Records: bad };
    }
    case "get":
      return withoutIdAndName(real.status === 200 ? real.body : { BusinessId: 0, Active: true });
    case "create":
    case "update":
      return {
        Status: 200,
        Message: `WebHook was successfully ${route === "create" ? "created" : "updated"}.`,
        Value: {},
        Errors: null,
        WasSuccessful: true,
      };
    case "delete":
      return { Status: 200, Value: null };
    case "token":
      return { token_type: "bearer", expires_in: body["expires_in"] ?? 0 };
  }
}

/** A record as a quirky server shows it (action by name, extra fields). */
function quirkyRecord(r: unknown, q: EmulatorQuirks): unknown {
  if (typeof r !== "object" || r === null) return r;
  const out: Record<string, unknown> = { ...(r as Record<string, unknown>) };
  if (q.actionAsName && typeof out["Action"] === "number") {
    out["Action"] = actionName(out["Action"]) ?? out["Action"];
  }
  if (q.extraFields) {
    out["TenantTimeZone"] = "Europe/London";
    out["Tags"] = ["x"];
    out["Links"] = { self: `/api/sys/webhooks/${String(out["Id"])}` };
  }
  return out;
}

/** A search envelope as a quirky server answers it (see {@link EmulatorQuirks}). */
function quirkySearch(env: ReturnType<typeof runSearch>, q: EmulatorQuirks): unknown {
  const out: Record<string, unknown> = {
    ...env,
    Records: env.Records.map((r) => quirkyRecord(r, q)),
  };
  if (q.totalItemsOffset) out["TotalItems"] = env.TotalItems + q.totalItemsOffset;
  if (q.endlessPaging) {
    out["HasNextPage"] = true;
    out["TotalPages"] = Math.max(env.TotalPages, env.CurrentPage + 1);
  }
  if (q.extraFields) out["ServerTime"] = new Date().toISOString();
  return out;
}

/** The values a normalising server stores for a write body. */
function normalised(body: WebhookWriteBody, q: EmulatorQuirks): WebhookWriteBody {
  const n = q.normalise;
  if (!n) return body;
  const out = { ...body };
  if (n.trimName) out.Name = out.Name.trim();
  if (n.punycodeHost) {
    const m = /^([a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?)([^/?#:]*)/i.exec(out.URL);
    const ascii = m ? domainToASCII(m[2]!) : "";
    if (m && ascii) out.URL = `${m[1]}${ascii}${out.URL.slice(m[0].length)}`;
  }
  if (
    n.maxDescription !== undefined &&
    out.Description &&
    out.Description.length > n.maxDescription
  ) {
    out.Description = out.Description.slice(0, n.maxDescription);
  }
  return out;
}

/** The URL of a write body, when there is one (for `echoRequestInErrors`). */
function requestUrl(body: string): string | undefined {
  try {
    const v = (JSON.parse(body) as { URL?: unknown }).URL;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

function checkOptions(o: StartEmulatorOptions): void {
  const fail = (msg: string): never => {
    throw new Error(`startEmulator: ${msg}`);
  };
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    fail(`port must be an integer in 0..65535 (got ${o.port})`);
  }
  if (o.timeFactor !== undefined && !(o.timeFactor > 0 && Number.isFinite(o.timeFactor))) {
    fail(`timeFactor must be a finite number > 0 (got ${o.timeFactor})`);
  }
  if (o.tokenTtlSeconds !== undefined && !(o.tokenTtlSeconds > 0)) {
    fail(`tokenTtlSeconds must be > 0 (got ${o.tokenTtlSeconds})`);
  }
  if (o.deliveryTimeoutMs !== undefined && !(o.deliveryTimeoutMs > 0)) {
    fail(`deliveryTimeoutMs must be > 0 (got ${o.deliveryTimeoutMs})`);
  }
  if (o.startId !== undefined && !(Number.isSafeInteger(o.startId) && o.startId > 0)) {
    fail(`startId must be a positive integer (got ${o.startId})`);
  }
  const seen = new Set<number>();
  for (const l of o.locations ?? []) {
    if (!Number.isSafeInteger(l.id) || l.id <= 0) {
      fail(`location id must be a positive integer (got ${l.id})`);
    }
    if (seen.has(l.id)) fail(`location id ${l.id} is configured twice`);
    seen.add(l.id);
  }
  if (o.sharedSecret !== undefined && o.sharedSecret === "") {
    fail("sharedSecret must not be empty");
  }
  if (o.quirks !== undefined) checkQuirks(o.quirks);
}

/** Checks quirks (options or `setQuirks`); throws an error naming the field and the rule. */
function checkQuirks(q: EmulatorQuirks): void {
  const fail = (msg: string): never => {
    throw new Error(`startEmulator: quirks.${msg}`);
  };
  if (typeof q !== "object" || q === null) fail("must be an object");
  const known = [
    "endlessPaging",
    "maxPageSize",
    "silentPageSizeCap",
    "totalItemsOffset",
    "routeNotFoundAsString",
    "actionAsName",
    "extraFields",
    "normalise",
    "echoRequestInErrors",
    "bareWriteAnswers",
  ];
  for (const key of Object.keys(q)) {
    if (!known.includes(key)) fail(`${key} is not a quirk (known: ${known.join(", ")})`);
  }
  if (
    q.endlessPaging !== undefined &&
    !["hasNextPage", "repeatPage", "growing"].includes(q.endlessPaging)
  ) {
    fail(
      `endlessPaging must be "hasNextPage", "repeatPage" or "growing" (got ${String(q.endlessPaging)})`,
    );
  }
  if (q.maxPageSize !== undefined && !(Number.isInteger(q.maxPageSize) && q.maxPageSize >= 1)) {
    fail(`maxPageSize must be an integer >= 1 (got ${q.maxPageSize})`);
  }
  if (q.totalItemsOffset !== undefined && !Number.isInteger(q.totalItemsOffset)) {
    fail(`totalItemsOffset must be an integer (got ${q.totalItemsOffset})`);
  }
  const max = q.normalise?.maxDescription;
  if (max !== undefined && !(Number.isInteger(max) && max >= 0)) {
    fail(`normalise.maxDescription must be an integer >= 0 (got ${max})`);
  }
}

const fireBodySchema = () =>
  z.object({
    businessId: z.number().int(),
    action: z.number().int(),
    payload: z.unknown().optional(),
  });

const expireBodySchema = () => z.object({ keepRefreshTokens: z.boolean().optional() }).strict();

/**
 * Starts the emulator on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * const emu = await startEmulator({ port: 0 });
 * await fetch(`${emu.url}/api/sys/webhooks`, { headers: { Authorization: "Bearer emulator-admin-token" } });
 * await emu.stop();
 */
export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  checkOptions(opts);
  const timeFactor = opts.timeFactor ?? 1;
  const locations = (opts.locations ?? DEFAULT_LOCATIONS).map((l) => ({ ...l }));
  const locationIds = new Set(locations.map((l) => l.id));
  const users: EmulatorUser[] = opts.users ?? [
    {
      ...DEFAULT_ADMIN,
      roles: [...DEFAULT_ADMIN.roles],
      apiTokens: [...(DEFAULT_ADMIN.apiTokens ?? [])],
    },
  ];
  const directory = new UserDirectory(users, opts.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS);
  const store = new WebhookStore({
    startId: opts.startId ?? DEFAULT_START_ID,
    ...(opts.stateFile !== undefined ? { stateFile: opts.stateFile } : {}),
    defaultUpdatedBy: users[0]?.username ?? DEFAULT_ADMIN.username,
  });
  const makeLimiter = (l: false | Partial<RateLimits> | undefined): RateLimiter | undefined =>
    l === false || l === undefined ? undefined : new RateLimiter(l, timeFactor);
  let limiter = makeLimiter(opts.rateLimits);
  let quirks: EmulatorQuirks = { ...opts.quirks };
  const faults = new FaultBook();
  let log: RequestLogEntry[] = [];
  const deliveryOpts = {
    timeoutMs: opts.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    ...(opts.sharedSecret !== undefined ? { sharedSecret: opts.sharedSecret } : {}),
  };

  let stopped = false;
  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const s = {
        timer: setTimeout(() => {
          sleepers.delete(s);
          resolve();
        }, ms),
        resolve,
      };
      sleepers.add(s);
    });

  const fireEvent = (businessId: number, action: number, payload?: unknown) =>
    fire(store, businessId, action, payload, deliveryOpts);

  /** A write answer as a `bareWriteAnswers` server sends it (no dates). */
  const bare = (envelope: Record<string, unknown>): Record<string, unknown> => {
    if (!quirks.bareWriteAnswers) return envelope;
    const out = { ...envelope };
    delete out["UpdatedOn"];
    delete out["UpdatedBy"];
    return out;
  };

  /** Runs an API route's real handler; with `dryRun` nothing is written. */
  function runRoute(
    route: Route,
    ctx: {
      id?: string;
      params: URLSearchParams;
      body: string;
      contentType: string | undefined;
      user: EmulatorUser | undefined;
      entry: RequestLogEntry;
    },
    dryRun: boolean,
  ): Answer {
    const by = ctx.user?.username ?? "";
    switch (route) {
      case "search": {
        const q = parseSearchQuery(ctx.params);
        if (!q.ok) return validationFailure(q.errors);
        const query = { ...q.query };
        const askedSize = query.size;
        if (quirks.maxPageSize !== undefined) query.size = Math.min(query.size, quirks.maxPageSize);
        if (quirks.endlessPaging === "repeatPage" || quirks.endlessPaging === "growing") {
          query.page = 1;
        }
        const found = runSearch(store.all(), query);
        if (quirks.endlessPaging === "growing") {
          // Every page brings rows never seen (made-up Ids), as a server that never stops would.
          const asked = q.query.page;
          found.Records = found.Records.map((r) => ({ ...r, Id: r.Id + (asked - 1) * 10_000_000 }));
          found.CurrentPage = asked;
          found.TotalItems = 1_000_000_000;
        }
        if (quirks.silentPageSizeCap && query.size < askedSize) {
          // The envelope says the asked size was used, although fewer rows came.
          found.CurrentPageSize = askedSize;
          found.TotalPages = Math.ceil(found.TotalItems / askedSize);
          found.HasNextPage = found.CurrentPage < found.TotalPages;
        }
        return { status: 200, body: quirkySearch(found, quirks) };
      }
      case "get": {
        const id = parseId(ctx.id);
        const record = id === undefined ? undefined : store.get(id);
        return record
          ? { status: 200, body: quirkyRecord(record, quirks) }
          : { status: 404, body: NOT_FOUND };
      }
      case "delete": {
        const id = parseId(ctx.id);
        if (id === undefined || !store.has(id)) return { status: 404, body: NOT_FOUND };
        if (!dryRun) store.delete(id);
        return {
          status: 200,
          body: {
            Status: 200,
            Message: "WebHook was successfully deleted.",
            Value: null,
            WasSuccessful: true,
            Errors: null,
          },
        };
      }
      case "create":
      case "update": {
        if (!isJsonMediaType(ctx.contentType)) {
          const mediaType = (ctx.contentType ?? "").split(";")[0]?.trim() || "(none)";
          return {
            status: 415,
            body: {
              Message: `The request entity's media type '${mediaType}' is not supported for this resource; send Content-Type: application/json.`,
              Value: null,
              Errors: null,
              WasSuccessful: false,
            },
          };
        }
        const parsed = parseJsonBody(ctx.body);
        if (!parsed.ok) return parsed.answer;
        const v = validateWriteBody(parsed.value, { requireId: route === "update", locationIds });
        if (!v.ok) {
          const url = quirks.echoRequestInErrors ? requestUrl(ctx.body) : undefined;
          const failure = validationFailure(v.errors);
          if (url !== undefined) {
            (failure.body as Record<string, unknown>)["Message"] =
              `${joinErrors(v.errors)} (WebHook with URL '${url}')`;
          }
          return failure;
        }
        v.value = normalised(v.value, quirks);
        if (route === "create") {
          if (dryRun) {
            const now = new Date().toISOString();
            return { status: 200, body: successEnvelope("created", store.peekNextId(), now, by) };
          }
          const r = store.create(v.value, by);
          return { status: 200, body: bare(successEnvelope("created", r.Id, r.UpdatedOn, by)) };
        }
        const id = v.value.Id ?? 0;
        if (!store.has(id)) return { status: 404, body: NOT_FOUND };
        if (dryRun) {
          return {
            status: 200,
            body: successEnvelope("updated", id, new Date().toISOString(), by),
          };
        }
        const r = store.replace(id, v.value, by);
        return r
          ? { status: 200, body: bare(successEnvelope("updated", r.Id, r.UpdatedOn, by)) }
          : { status: 404, body: NOT_FOUND };
      }
      case "token": {
        const t = directory.token(ctx.contentType, ctx.body);
        if (t.username !== undefined) ctx.entry.client = t.username;
        return { status: t.status, body: t.body };
      }
    }
  }

  async function handleApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const entry: RequestLogEntry = {
      time: Date.now(),
      method,
      path: url.pathname,
      query: url.search.replace(/^\?/, ""),
      route: "unknown",
      status: 0,
      client: "anonymous",
    };
    log.push(entry);
    try {
      await processApi(req, res, url, method, entry);
    } catch (e) {
      entry.status = 500;
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const body = {
        Message: "An error has occurred.",
        ExceptionMessage: String(e),
        WasSuccessful: false,
      };
      write(res, { status: 500, body }, JSON.stringify(body));
    }
  }

  async function processApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    method: string,
    entry: RequestLogEntry,
  ): Promise<void> {
    const answer = (a: Answer, text?: string): void => {
      entry.status = a.status;
      write(res, a, text ?? serialize(a).text);
    };
    const reset = (): void => {
      entry.status = 0;
      req.socket.destroy();
    };

    const match = matchRoute(method, url.pathname);
    if (match.route === "unknown") {
      req.resume();
      if (match.status === 405) {
        answer({
          status: 405,
          headers: { Allow: match.allow ?? "" },
          body: { Message: `The requested resource does not support http method '${method}'.` },
        });
      } else {
        answer({
          status: 404,
          body: quirks.routeNotFoundAsString
            ? NOT_FOUND
            : {
                Message: `No HTTP resource was found that matches the request URI '${url.pathname}'.`,
              },
        });
      }
      return;
    }
    const route = match.route;
    entry.route = route;

    let body: string;
    try {
      body = await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        answer({
          status: 413,
          body: { Message: "The request body is too large.", WasSuccessful: false },
        });
        return;
      }
      throw e;
    }

    let user: EmulatorUser | undefined;
    if (route !== "token") {
      const auth = directory.authenticate(req.headers.authorization);
      if (!auth.ok) {
        answer({
          status: 401,
          headers: { "WWW-Authenticate": auth.wwwAuthenticate },
          body: { Message: auth.message, WasSuccessful: false },
        });
        return;
      }
      user = auth.user;
      entry.client = user.username;
      const role = ROUTE_ROLES[route];
      if (!hasRole(user, role)) {
        answer({
          status: 401,
          body: {
            Message: `You do not have permission: ${role} role required`,
            WasSuccessful: false,
          },
        });
        return;
      }
    }

    const fault = faults.take(route);
    if (fault) entry.fault = fault.kind;
    switch (fault?.kind) {
      case "status": {
        const status = fault.status ?? 500;
        const failure = statusFaultBody(status);
        const echoed = quirks.echoRequestInErrors ? requestUrl(body) : undefined;
        if (echoed !== undefined) {
          failure["Message"] = `An error has occurred while saving the WebHook for ${echoed}.`;
          failure["ExceptionMessage"] = `SqlException: cannot insert ${body}`;
        }
        answer({ status, body: failure });
        return;
      }
      case "wasSuccessfulFalse": {
        const failure = wasSuccessfulFalseBody();
        const echoed = quirks.echoRequestInErrors ? requestUrl(body) : undefined;
        if (echoed !== undefined) {
          failure["Message"] = `WebHook: the URL ${echoed} could not be reached`;
          failure["Errors"] = [
            { AttemptedValue: echoed, Message: `${echoed} is not reachable`, PropertyName: "URL" },
          ];
        }
        answer({ status: 200, body: failure });
        return;
      }
      case "throttle":
        answer(throttled());
        return;
      case "html":
        answer({
          status: fault.status ?? 502,
          raw: true,
          body: HTML_502_PAGE,
          headers: { "Content-Type": "text/html; charset=utf-8" },
        });
        return;
      case "reset":
        reset();
        return;
      case "delay":
        await sleep(fault.delayMs ?? 0);
        if (stopped) return;
        break;
      default:
        break;
    }

    const ctx = {
      ...(match.id !== undefined ? { id: match.id } : {}),
      params: url.searchParams,
      body,
      contentType: req.headers["content-type"],
      user,
      entry,
    };
    const bypassesLimiter =
      fault?.kind === "commitThenReset" ||
      fault?.kind === "truncated" ||
      fault?.kind === "badRecord";
    if (limiter && user && !bypassesLimiter) {
      const isWrite = method === "POST" || method === "PUT" || method === "DELETE";
      if (limiter.check(user.username, isWrite) !== undefined) {
        answer(throttled());
        return;
      }
    }

    switch (fault?.kind) {
      case "commitThenReset":
        runRoute(route, ctx, false);
        reset();
        return;
      case "truncated": {
        const real = runRoute(route, ctx, true);
        const text = serialize(real).text ?? "";
        answer({ ...real, status: 200 }, text.slice(0, Math.floor(text.length / 2)));
        return;
      }
      case "badRecord": {
        const real = runRoute(route, ctx, true);
        answer({ status: 200, body: badRecordBody(route, real) });
        return;
      }
      default:
        answer(runRoute(route, ctx, false));
    }
  }

  async function handleAdmin(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const p = url.pathname.replace(/\/+$/, "");
    const reply = (status: number, body: unknown): void =>
      write(res, { status, body }, JSON.stringify(body));
    const text = await readBody(req);
    const json = (): { ok: true; value: unknown } | { ok: false } => {
      if (text.trim() === "") return { ok: true, value: {} };
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch {
        return { ok: false };
      }
    };
    const key = `${method} ${p}`;
    switch (key) {
      case "GET /__emulator/requests":
        return reply(200, handle.requests());
      case "DELETE /__emulator/requests":
        handle.clearRequests();
        return reply(200, { ok: true });
      case "GET /__emulator/records":
        return reply(200, handle.records());
      case "POST /__emulator/faults": {
        const body = json();
        if (!body.ok) return reply(400, { error: "the body is not valid JSON" });
        try {
          faults.add(checkFault(body.value as FaultSpec));
        } catch (e) {
          return reply(400, { error: (e as Error).message });
        }
        return reply(200, { ok: true });
      }
      case "DELETE /__emulator/faults":
        faults.clear();
        return reply(200, { ok: true });
      case "POST /__emulator/fire": {
        const body = json();
        const parsed = body.ok ? fireBodySchema().safeParse(body.value) : undefined;
        if (!parsed?.success) {
          return reply(400, {
            error: parsed ? z.prettifyError(parsed.error) : "the body is not valid JSON",
          });
        }
        return reply(
          200,
          await fireEvent(parsed.data.businessId, parsed.data.action, parsed.data.payload),
        );
      }
      case "POST /__emulator/expire-tokens": {
        const body = json();
        const parsed = body.ok ? expireBodySchema().safeParse(body.value) : undefined;
        if (!parsed?.success) {
          return reply(400, {
            error: parsed ? z.prettifyError(parsed.error) : "the body is not valid JSON",
          });
        }
        directory.expireTokens(parsed.data);
        return reply(200, { ok: true });
      }
      default:
        return reply(404, { error: `no admin endpoint ${method} ${p}` });
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const work = /^\/api(\/|$)/i.test(url.pathname)
      ? handleApi(req, res, url)
      : url.pathname.startsWith("/__emulator/")
        ? handleAdmin(req, res, url)
        : Promise.resolve(
            write(
              res,
              { status: 404, body: { Message: "Not found" } },
              JSON.stringify(quirks.routeNotFoundAsString ? NOT_FOUND : { Message: "Not found" }),
            ),
          );
    work.catch((e: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const body = { error: String(e) };
      write(res, { status: 500, body }, JSON.stringify(body));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const handle: EmulatorHandle = {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const s of sleepers) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleepers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    requests: () => log.map((e) => ({ ...e })),
    clearRequests: () => {
      log = [];
    },
    records: () => store.all(),
    record: (id) => store.get(id),
    insert: (partial) => store.insert(partial),
    patch: (id, patch) => store.patch(id, patch),
    remove: (id) => store.delete(id),
    injectFault: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    fire: fireEvent,
    expireTokens: (o) => directory.expireTokens(o),
    setRateLimits: (l) => {
      limiter = makeLimiter(l);
    },
    addUser: (u) => directory.add(u),
    setQuirks: (q) => {
      checkQuirks(q);
      quirks = { ...q };
    },
  };
  return handle;
}
