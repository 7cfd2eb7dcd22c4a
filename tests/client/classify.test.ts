/**
 * The one mapping from an answer's status to its error family (`errorFamily`), as a table, and
 * `classify` turning outcomes into errors of the right class with the answer's request id and the
 * headers that matter.
 */
import { classify, errorFamily, type ErrorFamily, type Outcome } from "../../client/classify";
import {
  NexudusApiError,
  NexudusAuthError,
  NexudusConfigError,
  NexudusConflictError,
  NexudusConnectionError,
  NexudusError,
  NexudusNotFoundError,
  NexudusResponseError,
  NexudusRoutingError,
  NexudusServerError,
  NexudusThrottledError,
  NexudusTimeoutError,
  NexudusValidationError,
} from "../../client/errors";
import type { Operation, Route } from "../../client/routes";

const ctx = { timeoutMs: 1000, timeFactor: 1, baseUrl: "https://spaces.nexudus.com" };

function op(route: Route): Operation<unknown> {
  const method =
    route === "create" || route === "token"
      ? "POST"
      : route === "update"
        ? "PUT"
        : route === "delete"
          ? "DELETE"
          : "GET";
  return { route, method, path: "/api/sys/webhooks", read: (v) => ({ ok: true, value: v }) };
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Outcome {
  return {
    kind: "answer",
    status,
    headers: { "content-type": "application/json", ...headers },
    text: body === undefined ? "" : JSON.stringify(body),
  };
}

function errorOf(route: Route, outcome: Outcome): NexudusApiError {
  const r = classify(op(route), outcome, ctx);
  if (r.ok) throw new Error("expected a failure");
  return r.failure.make({ attempts: 1, mayHaveCommitted: false });
}

describe("errorFamily", () => {
  it.each<[number, Route, boolean, boolean, ErrorFamily]>([
    // status, route, Retry-After, framework page, family
    [409, "get", true, false, "throttled"],
    [429, "create", true, false, "throttled"],
    [409, "token", true, false, "throttled"],
    [409, "get", false, false, "conflict"],
    [429, "get", false, false, "other"],
    [400, "token", false, false, "tokenRefused"],
    [401, "token", false, false, "tokenRefused"],
    [403, "token", false, false, "tokenRefused"],
    [500, "get", false, false, "server"],
    [502, "create", false, false, "server"],
    [503, "token", false, false, "server"],
    [400, "create", false, false, "validation"],
    [401, "get", false, false, "auth"],
    [403, "delete", false, false, "auth"],
    [404, "get", false, false, "notFound"],
    [404, "update", false, false, "notFound"],
    [404, "delete", false, false, "notFound"],
    [404, "get", false, true, "routing"],
    [404, "search", false, false, "routing"],
    [404, "create", false, false, "routing"],
    [404, "token", false, false, "routing"],
    [301, "get", false, false, "redirect"],
    [307, "update", false, false, "redirect"],
    [418, "get", false, false, "other"],
  ])("%i on %s (Retry-After %p, framework page %p): %s", (status, route, ra, fw, family) => {
    expect(errorFamily(status, route, { retryAfter: ra, frameworkPage: fw })).toBe(family);
  });
});

describe("classify", () => {
  it.each<[number, Route, unknown, Record<string, string>, new (...a: never[]) => Error]>([
    [409, "get", undefined, { "retry-after": "1" }, NexudusThrottledError],
    [409, "get", { Message: "changed" }, {}, NexudusConflictError],
    [400, "create", { Message: "bad", Errors: [] }, {}, NexudusValidationError],
    [401, "get", { Message: "no" }, {}, NexudusAuthError],
    [400, "token", { error: "invalid_grant" }, {}, NexudusAuthError],
    [404, "get", { Message: "Not found" }, {}, NexudusNotFoundError],
    [404, "get", { Message: "No HTTP resource was found" }, {}, NexudusRoutingError],
    [404, "search", "Not found", {}, NexudusRoutingError],
    [500, "get", undefined, {}, NexudusServerError],
    [302, "get", undefined, {}, NexudusResponseError],
    [418, "get", { Message: "teapot" }, {}, NexudusApiError],
  ])("%i on %s becomes %p", (status, route, body, headers, cls) => {
    const e = errorOf(route, answer(status, body, headers));
    expect(e).toBeInstanceOf(cls);
    expect(e).toBeInstanceOf(NexudusError);
    expect(e.status).toBe(status);
  });

  it("a 2xx with WasSuccessful: false is a validation error, not a success", () => {
    const e = errorOf("create", answer(200, { WasSuccessful: false, Message: "no" }));
    expect(e).toBeInstanceOf(NexudusValidationError);
  });

  it("timeouts and network failures have no status", () => {
    expect(errorOf("get", { kind: "timeout" })).toBeInstanceOf(NexudusTimeoutError);
    const e = errorOf("get", { kind: "network", code: "ECONNRESET", detail: "reset" });
    expect(e).toBeInstanceOf(NexudusConnectionError);
    expect(e.status).toBeUndefined();
  });

  it("keeps the answer's request id and the headers that matter, and no other", () => {
    const e = errorOf(
      "get",
      answer(503, { Message: "down" }, { "x-request-id": "req-42", "set-cookie": "s=1" }),
    );
    expect(e.requestId).toBe("req-42");
    expect(e.headers).toEqual({ "x-request-id": "req-42" });
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ requestId: "req-42" });
  });

  it("a throttle keeps Retry-After", () => {
    const e = errorOf("get", answer(409, undefined, { "retry-after": "1" }));
    expect(e.headers).toEqual({ "retry-after": "1" });
    expect(e.requestId).toBeUndefined();
  });
});

describe("one error root", () => {
  it("config errors are library errors, not API errors", () => {
    const e = new NexudusConfigError("baseUrl", "bad");
    expect(e).toBeInstanceOf(NexudusError);
    expect(e).not.toBeInstanceOf(NexudusApiError);
    expect(e).not.toHaveProperty("method");
  });
});
