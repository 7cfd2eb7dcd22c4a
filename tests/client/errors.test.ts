/**
 * Every error class and its message, and the retry policy, over real HTTP against the emulator's
 * injected faults. The request log tells how many attempts were made.
 */
import * as net from "node:net";
import type { EmulatorHandle } from "../../emulator";
import type { NexudusClient } from "../../client/client";
import {
  NexudusApiError,
  NexudusAuthError,
  NexudusConflictError,
  NexudusConnectionError,
  NexudusNotFoundError,
  NexudusResponseError,
  NexudusServerError,
  NexudusThrottledError,
  NexudusTimeoutError,
  NexudusValidationError,
} from "../../client/errors";
import {
  ADMIN,
  READER,
  SECRETS,
  TF,
  body,
  expectNoSecrets,
  logged,
  rejection,
  startTestEmulator,
  tokenClient,
} from "./helpers";

let emu: EmulatorHandle;
let client: NexudusClient;
/** Every error seen in this file, checked for secrets at the end. */
const seen: unknown[] = [];

beforeAll(async () => {
  emu = await startTestEmulator();
  client = tokenClient(emu);
});
afterAll(async () => {
  for (const e of seen) expectNoSecrets(e, SECRETS);
  await emu.stop();
});
beforeEach(() => {
  emu.clearFaults();
  emu.clearRequests();
});

async function fails(p: Promise<unknown>): Promise<NexudusApiError> {
  const e = await rejection(p);
  seen.push(e);
  expect(e).toBeInstanceOf(NexudusApiError);
  return e as NexudusApiError;
}

function existing(name = "existing"): number {
  return emu.insert(body(name)).Id;
}

describe("4xx answers", () => {
  it("400: NexudusValidationError listing each field error", async () => {
    const e = await fails(client.create({ ...body("x"), Name: "", Action: 999 }));
    expect(e).toBeInstanceOf(NexudusValidationError);
    expect(e.status).toBe(400);
    expect(e.fieldErrors.map((f) => f.property)).toEqual(
      expect.arrayContaining(["Name", "Action"]),
    );
    for (const f of e.fieldErrors) expect(e.message).toContain(`${f.property}: ${f.message}`);
    expect(e.message).toMatch(/^POST \/api\/sys\/webhooks was rejected \(400\): /);
    expect(e.mayHaveCommitted).toBe(false);
    expect(logged(emu, "create")).toHaveLength(1);
  });

  it("200 with WasSuccessful:false: NexudusValidationError, not a success", async () => {
    emu.injectFault({ route: "create", kind: "wasSuccessfulFalse" });
    const e = await fails(client.create(body("wsf")));
    expect(e).toBeInstanceOf(NexudusValidationError);
    expect(e.status).toBe(200);
    expect(e.message).toContain("WasSuccessful: false");
    expect(e.message).toContain("WebHook: the operation could not be completed");
    expect(emu.records().some((r) => r.Name === "wsf")).toBe(false);
  });

  it("401 for a user lacking WebHook-Create names the role", async () => {
    const reader = tokenClient(emu, { token: READER.apiToken });
    const e = await fails(reader.create(body("denied")));
    expect(e).toBeInstanceOf(NexudusAuthError);
    expect((e as NexudusAuthError).requiredRole).toBe("WebHook-Create");
    expect(e.message).toContain(
      "POST /api/sys/webhooks was refused (401): the credential is invalid or the user lacks " +
        "the WebHook-Create role (or full administrator)",
    );
    expect(logged(emu, "create")).toHaveLength(1); // a static token is not renewed
  });

  it.each([
    ["get", "WebHook-Read"],
    ["delete", "WebHook-Delete"],
  ] as const)("401 on %s names %s", async (route, role) => {
    const reader = tokenClient(emu, { token: "tok-unknown-but-long" });
    const id = existing();
    const e = await fails(route === "get" ? reader.get(id) : reader.delete(id));
    expect(e).toBeInstanceOf(NexudusAuthError);
    expect(e.message).toContain(`lacks the ${role} role`);
  });

  it("401 for a bad token: NexudusAuthError, the token never shown", async () => {
    const bad = tokenClient(emu, { token: "bad-S3CRET-token-0000" });
    const e = await fails(bad.searchPage({}));
    expect(e).toBeInstanceOf(NexudusAuthError);
    expect(e.status).toBe(401);
    expect(e.message).toContain("WebHook-List");
    expectNoSecrets(e, ["bad-S3CRET-token-0000"]);
  });

  it("404: NexudusNotFoundError with the API's message", async () => {
    const e = await fails(client.get(123));
    expect(e).toBeInstanceOf(NexudusNotFoundError);
    expect(e.status).toBe(404);
    expect(e.apiMessage).toBe("Not found");
    expect(e.message).toContain("GET /api/sys/webhooks/123: not found (404)");
  });

  it("409 without Retry-After: NexudusConflictError, not retried", async () => {
    const id = existing();
    emu.injectFault({ route: "get", kind: "status", status: 409 });
    const e = await fails(client.get(id));
    expect(e).toBeInstanceOf(NexudusConflictError);
    expect(e.message).toContain("not a throttle, so it was not retried");
    expect(logged(emu, "get")).toHaveLength(1);
  });
});

describe("throttling (409 with Retry-After)", () => {
  it("retries a GET after Retry-After × timeFactor", async () => {
    const id = existing();
    emu.injectFault({ route: "get", kind: "throttle" });
    const record = await client.get(id);
    expect(record.Id).toBe(id);
    const [first, second] = logged(emu, "get");
    expect([first?.status, second?.status]).toEqual([409, 200]);
    expect(second!.time - first!.time).toBeGreaterThanOrEqual(1000 * TF);
  });

  it("retries a create after a throttle (the server did nothing): one record", async () => {
    emu.injectFault({ route: "create", kind: "throttle", times: 2 });
    const { id } = await client.create(body("after-throttle"));
    expect(logged(emu, "create").map((r) => r.status)).toEqual([409, 409, 200]);
    expect(
      emu
        .records()
        .filter((r) => r.Name === "after-throttle")
        .map((r) => r.Id),
    ).toEqual([id]);
  });

  it("gives up after maxRetries with NexudusThrottledError naming the limits", async () => {
    const c = tokenClient(emu, { maxRetries: 2, maxThrottleRetries: 2 });
    emu.injectFault({ route: "search", kind: "throttle", times: Infinity });
    const e = await fails(c.searchPage({}));
    expect(e).toBeInstanceOf(NexudusThrottledError);
    expect(e.attempts).toBe(3);
    expect((e as NexudusThrottledError).retryAfterMs).toBe(1000 * TF);
    expect(e.message).toContain("the retries ran out");
    expect(e.message).toContain("60 writes (POST/PUT/DELETE) per minute");
    expect(logged(emu, "search")).toHaveLength(3);
  });
});

describe("5xx answers", () => {
  it.each([500, 502, 503])("retries a GET after %i, then succeeds", async (status) => {
    const id = existing();
    emu.injectFault({ route: "get", kind: "status", status });
    await expect(client.get(id)).resolves.toMatchObject({ Id: id });
    expect(logged(emu, "get").map((r) => r.status)).toEqual([status, 200]);
  });

  it("retries a PUT after 503, then succeeds", async () => {
    const id = existing();
    emu.injectFault({ route: "update", kind: "status", status: 503, times: 2 });
    await client.update({ Id: id, ...body("put-retried") });
    expect(logged(emu, "update").map((r) => r.status)).toEqual([503, 503, 200]);
    expect(emu.record(id)?.Name).toBe("put-retried");
  });

  it("exhausts the retries with NexudusServerError", async () => {
    const c = tokenClient(emu, { maxRetries: 3 });
    const id = existing();
    emu.injectFault({ route: "get", kind: "status", status: 500, times: Infinity });
    const e = await fails(c.get(id));
    expect(e).toBeInstanceOf(NexudusServerError);
    expect(e.status).toBe(500);
    expect(e.attempts).toBe(4);
    expect(e.mayHaveCommitted).toBe(false);
    expect(e.message).toContain("failed with a server error (500) after 4 attempts");
    expect(logged(emu, "get")).toHaveLength(4);
  });

  it("never retries a create after a 5xx, and says it may have committed", async () => {
    emu.injectFault({ route: "create", kind: "status", status: 503 });
    const e = await fails(client.create(body("post-503")));
    expect(e).toBeInstanceOf(NexudusServerError);
    expect(e.mayHaveCommitted).toBe(true);
    expect(e.message).toContain("may have been applied");
    expect(logged(emu, "create")).toHaveLength(1);
  });
});

describe("connection failures and timeouts", () => {
  it("a reset GET is retried", async () => {
    const id = existing();
    emu.injectFault({ route: "get", kind: "reset" });
    await expect(client.get(id)).resolves.toMatchObject({ Id: id });
    expect(logged(emu, "get").map((r) => r.status)).toEqual([0, 200]);
  });

  it("resets until the retries run out: NexudusConnectionError", async () => {
    const c = tokenClient(emu, { maxRetries: 1 });
    const id = existing();
    emu.injectFault({ route: "get", kind: "reset", times: Infinity });
    const e = await fails(c.get(id));
    expect(e).toBeInstanceOf(NexudusConnectionError);
    expect((e as NexudusConnectionError).code).toBe("ECONNRESET");
    expect(e.attempts).toBe(2);
    expect(e.mayHaveCommitted).toBe(false);
  });

  it("commitThenReset on a create: no retry, mayHaveCommitted, the record exists", async () => {
    emu.injectFault({ route: "create", kind: "commitThenReset" });
    const e = await fails(client.create(body("committed")));
    expect(e).toBeInstanceOf(NexudusConnectionError);
    expect(e.mayHaveCommitted).toBe(true);
    expect(e.message).toContain("look (search or get) before writing again");
    expect(logged(emu, "create")).toHaveLength(1);
    expect(emu.records().filter((r) => r.Name === "committed")).toHaveLength(1);
  });

  it("a delete whose first attempt committed and whose retry answers 404 succeeds", async () => {
    const id = existing();
    emu.injectFault({ route: "delete", kind: "commitThenReset" });
    await expect(client.delete(id)).resolves.toBeUndefined();
    expect(logged(emu, "delete").map((r) => r.status)).toEqual([0, 404]);
    expect(emu.record(id)).toBeUndefined();
  });

  it("a PUT that keeps failing after sending says it may have committed", async () => {
    const c = tokenClient(emu, { maxRetries: 1 });
    const id = existing();
    emu.injectFault({ route: "update", kind: "commitThenReset", times: Infinity });
    const e = await fails(c.update({ Id: id, ...body("put-reset") }));
    expect(e).toBeInstanceOf(NexudusConnectionError);
    expect(e.mayHaveCommitted).toBe(true);
    expect(logged(emu, "update")).toHaveLength(2);
  });

  it("a slow answer: NexudusTimeoutError after timeoutMs", async () => {
    const c = tokenClient(emu, { timeoutMs: 100, maxRetries: 0 });
    const id = existing();
    emu.injectFault({ route: "get", kind: "delay", delayMs: 600 });
    const started = Date.now();
    const e = await fails(c.get(id));
    expect(Date.now() - started).toBeLessThan(580); // the answer would take 600 ms
    expect(e).toBeInstanceOf(NexudusTimeoutError);
    expect((e as NexudusTimeoutError).timeoutMs).toBe(100);
    expect(e.message).toContain("no answer within 100 ms");
  });

  it("a timed-out GET is retried and succeeds", async () => {
    const c = tokenClient(emu, { timeoutMs: 100 });
    const id = existing();
    emu.injectFault({ route: "get", kind: "delay", delayMs: 400 });
    await expect(c.get(id)).resolves.toMatchObject({ Id: id });
    expect(logged(emu, "get")).toHaveLength(2);
  });

  it("a timed-out create is not retried and may have committed", async () => {
    const c = tokenClient(emu, { timeoutMs: 100 });
    emu.injectFault({ route: "create", kind: "delay", delayMs: 300 });
    const e = await fails(c.create(body("slow-create")));
    expect(e).toBeInstanceOf(NexudusTimeoutError);
    expect(e.mayHaveCommitted).toBe(true);
    await new Promise((r) => setTimeout(r, 350));
    expect(logged(emu, "create")).toHaveLength(1);
  });

  it("a refused connection: NexudusConnectionError ECONNREFUSED, retried for a GET", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, "127.0.0.1", () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const events: number[] = [];
    const c = tokenClient(emu, {
      baseUrl: `http://127.0.0.1:${port}`,
      maxRetries: 2,
      onRequest: (ev) => events.push(ev.attempt),
    });
    const e = await fails(c.get(1));
    expect(e).toBeInstanceOf(NexudusConnectionError);
    expect((e as NexudusConnectionError).code).toBe("ECONNREFUSED");
    expect(e.attempts).toBe(3);
    expect(events).toEqual([1, 2, 3]);
    const post = await fails(c.create(body("refused")));
    expect(post.attempts).toBe(1);
    expect(post.mayHaveCommitted).toBe(false); // refused: nothing reached a server
  });
});

describe("answers that are not the documented shape", () => {
  it("an HTML page (502) on a GET is retried, then NexudusResponseError", async () => {
    const c = tokenClient(emu, { maxRetries: 1 });
    const id = existing();
    emu.injectFault({ route: "get", kind: "html", times: Infinity });
    const e = await fails(c.get(id));
    expect(e).toBeInstanceOf(NexudusResponseError);
    expect(e.status).toBe(502);
    expect(e.message).toContain(
      `GET /api/sys/webhooks/${id}: the answer is not the documented shape after 2 attempts: an HTML page`,
    );
    expect(logged(emu, "get")).toHaveLength(2);
  });

  it("an HTML page on a create: not retried, may have committed", async () => {
    emu.injectFault({ route: "create", kind: "html" });
    const e = await fails(client.create(body("html-create")));
    expect(e).toBeInstanceOf(NexudusResponseError);
    expect(e.mayHaveCommitted).toBe(true);
    expect(logged(emu, "create")).toHaveLength(1);
  });

  it.each(["get", "search"] as const)(
    "truncated JSON on %s: NexudusResponseError",
    async (route) => {
      const id = existing();
      emu.injectFault({ route, kind: "truncated" });
      const e = await fails(route === "get" ? client.get(id) : client.searchPage({}));
      expect(e).toBeInstanceOf(NexudusResponseError);
      expect(e.message).toContain("the body is not valid JSON");
      expect(e.mayHaveCommitted).toBe(false);
    },
  );

  it("truncated JSON on a create: a 2xx, so it may have committed", async () => {
    emu.injectFault({ route: "create", kind: "truncated" });
    const e = await fails(client.create(body("truncated-create")));
    expect(e).toBeInstanceOf(NexudusResponseError);
    expect(e.mayHaveCommitted).toBe(true);
  });

  it("a record without Id (and Name): NexudusResponseError naming the field", async () => {
    const id = existing();
    emu.injectFault({ route: "get", kind: "badRecord" });
    const e = await fails(client.get(id));
    expect(e).toBeInstanceOf(NexudusResponseError);
    // A missing Name alone is allowed (a record made by hand may have none); the Id is not.
    expect(e.message).toMatch(
      new RegExp(`^GET /api/sys/webhooks/${id}: the answer is not the documented shape: `),
    );
    expect(e.message).toContain("Id: expected number");
    expect(e.message).not.toContain("invalid_type"); // no raw zod dump
  });

  it("search rows without Id and Name: NexudusResponseError naming the row", async () => {
    existing();
    emu.injectFault({ route: "search", kind: "badRecord" });
    const e = await fails(client.searchPage({}));
    expect(e).toBeInstanceOf(NexudusResponseError);
    expect(e.message).toMatch(/Records\.0\.Id: expected number, missing/);
  });

  it("a create answer without Value.Id: NexudusResponseError, may have committed", async () => {
    emu.injectFault({ route: "create", kind: "badRecord" });
    const e = await fails(client.create(body("no-id")));
    expect(e).toBeInstanceOf(NexudusResponseError);
    expect(e.message).toContain("Value.Id: expected number, missing");
    expect(e.mayHaveCommitted).toBe(true);
  });
});

describe("what errors keep", () => {
  it("keeps only plain data: no axios error, config, request or headers", async () => {
    const e = await fails(tokenClient(emu, { token: ADMIN.apiToken + "-wrong" }).get(1));
    const keys = Object.keys(e).sort();
    expect(keys).toEqual(
      [
        "apiMessage",
        "attempts",
        "fieldErrors",
        "mayHaveCommitted",
        "method",
        "name",
        "path",
        "requiredRole",
        "status",
      ].sort(),
    );
    expect((e as { cause?: unknown }).cause).toBeUndefined();
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({
      name: "NexudusAuthError",
      status: 401,
      method: "GET",
      path: "/api/sys/webhooks/1",
    });
  });
});
