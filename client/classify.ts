/**
 * How one attempt's outcome is read: the result, or a failure with its retry class, whether the
 * server may have acted, and the error to throw. Pure. Which error family an HTTP status makes is
 * one table, {@link errorFamily} (tested in `tests/client/classify.test.ts`).
 *
 * @module
 */
import {
  answerFacts,
  NexudusApiError,
  NexudusAuthError,
  NexudusConflictError,
  NexudusConnectionError,
  NexudusNotFoundError,
  NexudusResponseError,
  NexudusRoutingError,
  NexudusServerError,
  NexudusThrottledError,
  NexudusTimeoutError,
  NexudusValidationError,
  parseErrorBody,
  type ApiErrorInit,
} from "./errors";
import { failedBeforeSending, isTransientCode, parseRetryAfter, type FailureClass } from "./retry";
import { ROLES, type Operation, type Route } from "./routes";

/** What one attempt produced. */
export type Outcome =
  | { kind: "answer"; status: number; headers: Record<string, string>; text: string }
  | { kind: "network"; code: string; detail: string }
  | { kind: "timeout" };

/** A failed attempt: how the retry policy sees it, and how to make the final error. */
export interface Failure {
  readonly retry: FailureClass;
  /** The server may have acted on this attempt although it failed. */
  readonly ambiguous: boolean;
  readonly make: (ctx: { attempts: number; mayHaveCommitted: boolean }) => NexudusApiError;
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/** Whether an answer is an HTML page (a proxy's, a gateway's, a login page) rather than JSON. */
export function looksLikeHtml(headers: Record<string, string>, text: string): boolean {
  return /\btext\/html\b/i.test(headers["content-type"] ?? "") || /^\s*</.test(text);
}

/** What the reading of an outcome needs from the client's options. */
export interface ClassifyContext {
  /** The per-request timeout (ms), quoted by a timeout error. */
  readonly timeoutMs: number;
  /** Multiplies the `Retry-After` the throttle asks for. */
  readonly timeFactor: number;
  /** The base URL, named by a routing error. */
  readonly baseUrl: string;
}

/** The error family of an HTTP answer that is not a success. */
export type ErrorFamily =
  | "throttled"
  | "tokenRefused"
  | "server"
  | "validation"
  | "auth"
  | "routing"
  | "notFound"
  | "conflict"
  | "redirect"
  | "other";

/** What besides the status decides the family of a JSON error answer. */
export interface FamilyFacts {
  /** The answer has a `Retry-After` header the client can read. */
  readonly retryAfter: boolean;
  /** The API message is the web framework's own "no route" page, not the API's. */
  readonly frameworkPage?: boolean;
}

/** 404 messages of the web framework itself (the route is missing, not the record). */
const FRAMEWORK_404 =
  /no http resource was found|no route|not match(es)? the request|unknown (route|endpoint)/i;

/**
 * The one mapping from a (non-2xx, JSON) answer's status to its error family: 409 or 429 with
 * `Retry-After` is the throttle; a refused token exchange is an authentication failure of the
 * user; 5xx the server; 400 validation; 401 and 403 authentication; 404 is "no such record" only
 * on a record's route and when the API (not the framework) said it; 409 otherwise a conflict.
 */
export function errorFamily(status: number, route: Route, facts: FamilyFacts): ErrorFamily {
  if ((status === 409 || status === 429) && facts.retryAfter) return "throttled";
  if (route === "token" && (status === 400 || status === 401 || status === 403)) {
    return "tokenRefused";
  }
  if (status >= 500) return "server";
  switch (status) {
    case 400:
      return "validation";
    case 401:
    case 403:
      return "auth";
    case 404:
      if (facts.frameworkPage) return "routing";
      return route === "search" || route === "create" || route === "token" ? "routing" : "notFound";
    case 409:
      return "conflict";
  }
  if (status >= 300 && status < 400) return "redirect";
  return "other";
}

/** Reads one attempt's outcome: the result, or a failure (pure). */
export function classify<T>(op: Operation<T>, outcome: Outcome, ctx: ClassifyContext): Attempt<T> {
  const base = { method: op.method, path: op.path };
  const recordWrite = op.method !== "GET" && op.route !== "token";
  const fail = (retry: FailureClass, ambiguous: boolean, make: Failure["make"]): Attempt<T> => ({
    ok: false,
    failure: { retry, ambiguous, make },
  });

  if (outcome.kind === "timeout") {
    const timeoutMs = ctx.timeoutMs;
    return fail(
      { kind: "timeout" },
      recordWrite,
      (c) => new NexudusTimeoutError({ ...base, ...c, timeoutMs }),
    );
  }
  if (outcome.kind === "network") {
    const { code, detail } = outcome;
    const sent = !failedBeforeSending(code);
    return fail(
      { kind: "connection", transient: isTransientCode(code) },
      recordWrite && sent,
      (c) => new NexudusConnectionError({ ...base, ...c, code, detail }),
    );
  }

  const { status, headers, text } = outcome;
  const at = { ...base, status, ...answerFacts(headers) };
  const ok2xx = status >= 200 && status < 300;

  // The throttle: 409 (or 429) with Retry-After, whatever the body. The server did nothing.
  const retryAfterMs = parseRetryAfter(headers["retry-after"], ctx.timeFactor);
  if (
    !ok2xx &&
    errorFamily(status, op.route, { retryAfter: retryAfterMs !== undefined }) === "throttled"
  ) {
    return fail(
      { kind: "throttle", retryAfterMs: retryAfterMs! },
      false,
      (c) => new NexudusThrottledError({ ...at, ...c, retryAfterMs }),
    );
  }

  const malformed = (problem: string): Attempt<T> =>
    fail(
      status >= 500 ? { kind: "server" } : { kind: "final" },
      recordWrite && (ok2xx || status >= 500),
      (c) => new NexudusResponseError({ ...at, ...c, problem }),
    );

  const routing = (why: string, apiMessage?: string): Attempt<T> =>
    fail(
      { kind: "final" },
      false,
      (c) =>
        new NexudusRoutingError({
          ...at,
          ...c,
          baseUrl: ctx.baseUrl,
          why,
          ...(apiMessage !== undefined ? { apiMessage } : {}),
        }),
    );
  if (looksLikeHtml(headers, text)) {
    // A 401 is an authentication failure whatever its body (a gateway's HTML login page...).
    if ((status === 401 || status === 403) && op.route !== "token") {
      const requiredRole = ROLES[op.route];
      return fail(
        { kind: "final" },
        false,
        (c) => new NexudusAuthError({ ...at, ...c, requiredRole }),
      );
    }
    if ((status === 400 || status === 401 || status === 403) && op.route === "token") {
      return fail(
        { kind: "final" },
        false,
        (c) => new NexudusAuthError({ ...at, ...c, tokenExchange: true }),
      );
    }
    if (status === 404) return routing("an HTML page instead of the API's JSON answer");
    return malformed(
      `an HTML page (HTTP ${status}) instead of JSON: a proxy or gateway error, or a wrong baseUrl`,
    );
  }
  let body: unknown = undefined;
  let parseProblem: string | undefined;
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      parseProblem = `the body is not valid JSON (truncated or garbled, ${text.length} characters, HTTP ${status})`;
    }
  }

  if (ok2xx) {
    if (parseProblem) return malformed(parseProblem);
    if (body === undefined && op.route !== "delete") {
      return malformed(`the body is empty (HTTP ${status})`);
    }
    if (
      body !== null &&
      typeof body === "object" &&
      (body as { WasSuccessful?: unknown }).WasSuccessful === false
    ) {
      const parsed = parseErrorBody(body);
      return fail(
        { kind: "final" },
        false,
        (c) => new NexudusValidationError({ ...at, ...c, ...parsed }),
      );
    }
    if (op.route === "token" && body !== null && typeof body === "object" && "error" in body) {
      const parsed = parseErrorBody(body);
      return fail(
        { kind: "final" },
        false,
        (c) => new NexudusAuthError({ ...at, ...c, ...parsed, tokenExchange: true }),
      );
    }
    const read = op.read(body);
    return read.ok ? { ok: true, value: read.value } : malformed(read.problem);
  }

  const parsed = parseErrorBody(body);
  const info: ApiErrorInit = { ...at, ...parsed };
  if (parsed.oauthError && !parsed.apiMessage) info.apiMessage = parsed.oauthError;
  const final = (make: Failure["make"]) => fail({ kind: "final" }, false, make);
  const frameworkPage = typeof info.apiMessage === "string" && FRAMEWORK_404.test(info.apiMessage);

  switch (errorFamily(status, op.route, { retryAfter: false, frameworkPage })) {
    case "tokenRefused":
      return final((c) => new NexudusAuthError({ ...info, ...c, tokenExchange: true }));
    case "server":
      return fail(
        { kind: "server" },
        recordWrite,
        (c) => new NexudusServerError({ ...info, ...c }),
      );
    case "validation":
      return final((c) => new NexudusValidationError({ ...info, ...c }));
    case "auth": {
      const requiredRole = op.route === "token" ? undefined : ROLES[op.route];
      return final(
        (c) => new NexudusAuthError({ ...info, ...c, ...(requiredRole ? { requiredRole } : {}) }),
      );
    }
    case "routing":
      return frameworkPage
        ? routing("the framework's own not-found answer", info.apiMessage)
        : routing(`the ${op.route} route has no record to miss`, info.apiMessage);
    case "notFound":
      return final((c) => new NexudusNotFoundError({ ...info, ...c }));
    case "conflict":
      return final((c) => new NexudusConflictError({ ...info, ...c }));
    case "redirect":
      return malformed(`a redirect (HTTP ${status}) that was not followed: check baseUrl`);
    case "throttled": // handled above
    case "other":
      break;
  }
  return final(
    (c) =>
      new NexudusApiError(
        `${op.method} ${op.path} failed (HTTP ${status})${info.apiMessage ? ` (API: "${info.apiMessage}")` : ""}.`,
        { ...info, ...c },
      ),
  );
}
