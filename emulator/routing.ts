/**
 * The emulator's routing: a request to `/api/...` is matched to a route, then checked in this
 * order: route -> credential (401) -> role (401) -> fault -> rate limit (409) -> handler
 * (`api.ts`). Faults that answer by themselves (`status`, `wasSuccessfulFalse`, `throttle`,
 * `html`, `reset`) and those that alter the answer (`commitThenReset`, `truncated`,
 * `badRecord`) bypass the rate limiter; a `delay` fault waits, then goes through it like any
 * request. `/__emulator/...` goes to the admin endpoints (`admin.ts`); anything else is a 404.
 */
import type * as http from "node:http";
import { requestUrl, runRoute, type ApiContext } from "./api";
import { hasRole } from "./auth";
import { ALTERING_FAULTS, badRecordBody, faultAnswer } from "./faults";
import {
  BodyTooLarge,
  NOT_FOUND,
  readBody,
  serialize,
  throttled,
  write,
  type Answer,
} from "./http";
import type { EmulatorState } from "./state";
import { ROUTE_ROLES, type EmulatorUser, type RequestLogEntry, type Route } from "./types";

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

/** An admin request's handler (the admin endpoints act on the emulator's handle). */
type AdminHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
) => Promise<void>;

/** The server's request listener: API requests, admin requests, and 404 for anything else. */
export function requestListener(
  state: EmulatorState,
  handleAdmin: AdminHandler,
): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const work = /^\/api(\/|$)/i.test(url.pathname)
      ? handleApi(state, req, res, url)
      : url.pathname.startsWith("/__emulator/")
        ? handleAdmin(req, res, url)
        : Promise.resolve(
            write(
              res,
              { status: 404, body: { Message: "Not found" } },
              JSON.stringify(
                state.quirks.routeNotFoundAsString ? NOT_FOUND : { Message: "Not found" },
              ),
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
  };
}

/** Logs an API request and answers it; an unexpected error answers 500 as the API does. */
async function handleApi(
  state: EmulatorState,
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
  state.log.push(entry);
  try {
    await processApi(state, req, res, url, method, entry);
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

/** The checks of an API request, in the order of the module doc, then its handler. */
async function processApi(
  state: EmulatorState,
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
        body: state.quirks.routeNotFoundAsString
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
    const auth = state.directory.authenticate(req.headers.authorization);
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

  const fault = state.faults.take(route);
  if (fault) {
    entry.fault = fault.kind;
    const echoed = state.quirks.echoRequestInErrors ? requestUrl(body) : undefined;
    const own = faultAnswer(fault, body, echoed);
    if (own === "reset") return reset();
    if (own) return answer(own);
    if (fault.kind === "delay") {
      await state.sleep((fault.delayMs ?? 0) + Math.random() * (fault.jitterMs ?? 0));
      if (state.stopped) return;
    }
  }

  const ctx: ApiContext = {
    ...(match.id !== undefined ? { id: match.id } : {}),
    params: url.searchParams,
    body,
    contentType: req.headers["content-type"],
    user,
    entry,
  };
  const bypassesLimiter = fault !== undefined && ALTERING_FAULTS.includes(fault.kind);
  const limiter = state.limiter;
  if (limiter && user && !bypassesLimiter) {
    const isWrite = method === "POST" || method === "PUT" || method === "DELETE";
    if (limiter.check(user.username, isWrite) !== undefined) {
      answer(throttled());
      return;
    }
  }

  switch (fault?.kind) {
    case "commitThenReset":
      runRoute(state, route, ctx, false);
      reset();
      return;
    case "truncated": {
      const real = runRoute(state, route, ctx, true);
      const text = serialize(real).text ?? "";
      answer({ ...real, status: 200 }, text.slice(0, Math.floor(text.length / 2)));
      return;
    }
    case "badRecord": {
      const real = runRoute(state, route, ctx, true);
      answer({ status: 200, body: badRecordBody(route, real) });
      return;
    }
    default:
      answer(runRoute(state, route, ctx, false));
  }
}
