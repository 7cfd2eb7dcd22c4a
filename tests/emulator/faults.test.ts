/**
 * Injected faults: every kind, `skip` / `times`, route matching, their place in the order of
 * checks, and the admin endpoint.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { FaultBook } from "../../emulator/faults";
import { call, createWebhook, webhookBody } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.clearFaults();
  emu.clearRequests();
  for (const r of emu.records()) emu.remove(r.Id);
});

const create = () => call(emu, "POST", "/api/sys/webhooks", { body: webhookBody() });

describe("fault kinds", () => {
  it.each([500, 502, 503])("status %i answers that status and does not write", async (status) => {
    emu.injectFault({ route: "create", kind: "status", status });
    const r = await create();
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ WasSuccessful: false });
    expect(emu.records()).toEqual([]);
    expect(emu.requests()).toEqual([
      expect.objectContaining({ route: "create", status, fault: "status" }),
    ]);
  });

  it("status defaults to 500", async () => {
    emu.injectFault({ route: "search", kind: "status" });
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(500);
  });

  it("wasSuccessfulFalse answers 200 with WasSuccessful:false and errors, and does not write", async () => {
    emu.injectFault({ route: "create", kind: "wasSuccessfulFalse" });
    const r = await create();
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      Value: null,
      WasSuccessful: false,
      Message: expect.any(String),
      Errors: [
        expect.objectContaining({ Message: expect.any(String), PropertyName: expect.any(String) }),
      ],
    });
    expect(emu.records()).toEqual([]);
  });

  it("delay waits, then answers normally and commits", async () => {
    emu.injectFault({ route: "create", kind: "delay", delayMs: 150 });
    const t0 = Date.now();
    const r = await create();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(r.status).toBe(200);
    expect(emu.records()).toHaveLength(1);
    expect(emu.requests()[0]).toMatchObject({ status: 200, fault: "delay" });
  });

  it("delay with jitterMs waits delayMs plus up to jitterMs more, drawn for each request", async () => {
    emu.injectFault({ route: "create", kind: "delay", delayMs: 40, jitterMs: 60, times: 2 });
    for (let i = 0; i < 2; i++) {
      const t0 = Date.now();
      const r = await create();
      const waited = Date.now() - t0;
      expect(waited).toBeGreaterThanOrEqual(35);
      expect(waited).toBeLessThan(40 + 60 + 500); // loose: a loaded machine delays timers
      expect(r.status).toBe(200);
    }
    expect(emu.records()).toHaveLength(2);
  });

  it("delay commits the write even when the client gave up", async () => {
    emu.injectFault({ route: "create", kind: "delay", delayMs: 150 });
    await expect(
      call(emu, "POST", "/api/sys/webhooks", {
        body: webhookBody(),
        signal: AbortSignal.timeout(30),
      }),
    ).rejects.toThrow();
    expect(emu.records()).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(emu.records()).toHaveLength(1);
  });

  it("reset destroys the socket without a reply and does not write", async () => {
    emu.injectFault({ route: "create", kind: "reset" });
    await expect(create()).rejects.toThrow();
    expect(emu.records()).toEqual([]);
    expect(emu.requests()).toEqual([
      expect.objectContaining({ route: "create", status: 0, fault: "reset" }),
    ]);
  });

  it("commitThenReset writes the record, yet the client sees a socket error", async () => {
    emu.injectFault({ route: "create", kind: "commitThenReset" });
    await expect(create()).rejects.toThrow();
    expect(emu.records()).toHaveLength(1);
    expect(emu.records()[0]).toMatchObject({ Name: "Bookings to CRM" });
    expect(emu.requests()[0]).toMatchObject({ status: 0, fault: "commitThenReset" });
  });

  it("commitThenReset on update and delete also commits", async () => {
    const id = await createWebhook(emu);
    emu.injectFault({ route: "update", kind: "commitThenReset" });
    await expect(
      call(emu, "PUT", "/api/sys/webhooks", { body: webhookBody({ Id: id, Name: "after reset" }) }),
    ).rejects.toThrow();
    expect(emu.record(id)?.Name).toBe("after reset");
    emu.injectFault({ route: "delete", kind: "commitThenReset" });
    await expect(call(emu, "DELETE", `/api/sys/webhooks/${id}`)).rejects.toThrow();
    expect(emu.record(id)).toBeUndefined();
  });

  it("throttle answers 409 with Retry-After: 1 and an empty body, and does not write", async () => {
    emu.injectFault({ route: "create", kind: "throttle" });
    const r = await create();
    expect(r.status).toBe(409);
    expect(r.headers.get("retry-after")).toBe("1");
    expect(r.text).toBe("");
    expect(emu.records()).toEqual([]);
  });

  it("html answers 502 with an HTML page and does not write", async () => {
    emu.injectFault({ route: "create", kind: "html" });
    const r = await create();
    expect(r.status).toBe(502);
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.text).toMatch(/^<!DOCTYPE html>/);
    expect(r.json).toBeUndefined();
    expect(emu.records()).toEqual([]);
  });

  it("truncated answers 200 with the real body cut in half and does not write", async () => {
    emu.injectFault({ route: "create", kind: "truncated" });
    const r = await create();
    expect(r.status).toBe(200);
    expect(r.json).toBeUndefined();
    expect(r.text.startsWith('{"Status":200,"Message":"WebHook was successfully created."')).toBe(
      true,
    );
    expect(emu.records()).toEqual([]);
  });

  it("truncated on get is exactly the first half of the real body", async () => {
    const id = await createWebhook(emu);
    const real = await call(emu, "GET", `/api/sys/webhooks/${id}`);
    emu.injectFault({ route: "get", kind: "truncated" });
    const r = await call(emu, "GET", `/api/sys/webhooks/${id}`);
    expect(r.status).toBe(200);
    expect(r.text).toBe(real.text.slice(0, Math.floor(real.text.length / 2)));
    expect(r.headers.get("content-length")).toBe(String(Buffer.byteLength(r.text)));
  });

  it("badRecord on get answers a record without Id and Name", async () => {
    const id = await createWebhook(emu);
    emu.injectFault({ route: "get", kind: "badRecord" });
    const r = await call(emu, "GET", `/api/sys/webhooks/${id}`);
    expect(r.status).toBe(200);
    const rec = r.json as Record<string, unknown>;
    expect(rec).not.toHaveProperty("Id");
    expect(rec).not.toHaveProperty("Name");
    expect(rec).toMatchObject({ BusinessId: 1234, Action: 6 });
  });

  it("badRecord on search answers rows without Id and Name", async () => {
    await createWebhook(emu);
    emu.injectFault({ route: "search", kind: "badRecord" });
    const r = await call(emu, "GET", "/api/sys/webhooks");
    const rows = (r.json as { Records: Record<string, unknown>[] }).Records;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).not.toHaveProperty("Id");
      expect(row).not.toHaveProperty("Name");
    }
  });

  it("badRecord on create answers an envelope without Value.Id and does not write", async () => {
    emu.injectFault({ route: "create", kind: "badRecord" });
    const r = await create();
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ WasSuccessful: true, Value: {} });
    expect((r.json as { Value: Record<string, unknown> }).Value).not.toHaveProperty("Id");
    expect(emu.records()).toEqual([]);
  });

  it.each(["truncated", "badRecord"] as const)(
    "%s on update and delete changes nothing",
    async (kind) => {
      const id = await createWebhook(emu);
      const before = emu.record(id);
      emu.injectFault({ route: "update", kind });
      const u = await call(emu, "PUT", "/api/sys/webhooks", {
        body: webhookBody({ Id: id, Name: "not applied" }),
      });
      expect(u.status).toBe(200);
      emu.injectFault({ route: "delete", kind });
      const d = await call(emu, "DELETE", `/api/sys/webhooks/${id}`);
      expect(d.status).toBe(200);
      expect(emu.record(id)).toEqual(before);
      expect(emu.requests().map((e) => e.fault)).toEqual([undefined, kind, kind]);
    },
  );

  it("badRecord on token answers without access_token", async () => {
    emu.injectFault({ route: "token", kind: "badRecord" });
    const r = await call(emu, "POST", "/api/token", {
      auth: null,
      rawBody: "grant_type=password&username=admin%40example.com&password=admin-password",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(r.status).toBe(200);
    expect(r.json).not.toHaveProperty("access_token");
  });
});

describe("matching", () => {
  it("skip lets requests through first, times bounds the hits", async () => {
    const id = await createWebhook(emu);
    emu.injectFault({ route: "get", kind: "status", status: 503, skip: 1, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await call(emu, "GET", `/api/sys/webhooks/${id}`)).status);
    expect(statuses).toEqual([200, 503, 503, 200]);
  });

  it("hits only its route", async () => {
    emu.injectFault({ route: "delete", kind: "status" });
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(200);
    expect((await create()).status).toBe(200);
    const id = emu.records()[0]!.Id;
    expect((await call(emu, "DELETE", `/api/sys/webhooks/${id}`)).status).toBe(500);
    expect((await call(emu, "DELETE", `/api/sys/webhooks/${id}`)).status).toBe(200);
  });

  it('"*" hits every route; times Infinity never runs out', async () => {
    emu.injectFault({ route: "*", kind: "status", status: 502, times: Infinity });
    for (let i = 0; i < 5; i++)
      expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(502);
    expect((await create()).status).toBe(502);
    emu.clearFaults();
    expect((await create()).status).toBe(200);
  });

  it("faults come after authentication: a 401 does not use one up", async () => {
    emu.injectFault({ route: "search", kind: "status" });
    expect((await call(emu, "GET", "/api/sys/webhooks", { auth: null })).status).toBe(401);
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(500);
  });

  it("faults come before the rate limiter", async () => {
    const limited = await startEmulator({ rateLimits: { minIntervalMs: 10_000 } });
    try {
      expect((await call(limited, "GET", "/api/sys/webhooks")).status).toBe(200);
      expect((await call(limited, "GET", "/api/sys/webhooks")).status).toBe(409);
      limited.injectFault({ route: "search", kind: "status", status: 503 });
      expect((await call(limited, "GET", "/api/sys/webhooks")).status).toBe(503);
      expect((await call(limited, "GET", "/api/sys/webhooks")).status).toBe(409);
    } finally {
      await limited.stop();
    }
  });

  it("FaultBook counts skip on every matching fault but lets the first armed one hit", () => {
    const book = new FaultBook();
    book.add({ route: "get", kind: "reset", skip: 1 });
    book.add({ route: "*", kind: "html" });
    expect(book.take("get")?.kind).toBe("html");
    expect(book.take("get")?.kind).toBe("reset");
    expect(book.take("get")).toBeUndefined();
  });

  it("rejects bad specs naming the field", () => {
    expect(() => emu.injectFault({ route: "get", kind: "delay" })).toThrow(/delayMs/);
    expect(() => emu.injectFault({ route: "nope" as "get", kind: "reset" })).toThrow(/route/);
    expect(() => emu.injectFault({ route: "get", kind: "explode" as "reset" })).toThrow(/kind/);
    expect(() => emu.injectFault({ route: "get", kind: "reset", times: -1 })).toThrow(/times/);
    expect(() => emu.injectFault({ route: "get", kind: "reset", jitterMs: 5 })).toThrow(/jitterMs/);
    expect(() =>
      emu.injectFault({ route: "get", kind: "delay", delayMs: 5, jitterMs: -1 }),
    ).toThrow(/jitterMs/);
  });
});

describe("POST /__emulator/faults", () => {
  async function admin(method: string, body?: unknown) {
    const res = await fetch(`${emu.url}/__emulator/faults`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }
        : {}),
    });
    return { status: res.status, json: (await res.json()) as unknown };
  }

  it('arms a fault, with times "Infinity"', async () => {
    expect(
      (await admin("POST", { route: "search", kind: "throttle", times: "Infinity" })).status,
    ).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(409);
    expect((await admin("DELETE")).status).toBe(200);
    expect((await call(emu, "GET", "/api/sys/webhooks")).status).toBe(200);
  });

  it("answers 400 to a bad spec", async () => {
    const r = await admin("POST", { route: "search", kind: "meltdown" });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: expect.stringMatching(/kind/) });
  });

  it("is not in the request log", async () => {
    await admin("POST", { route: "search", kind: "status" });
    expect(emu.requests()).toEqual([]);
  });
});
