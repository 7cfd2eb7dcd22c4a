/**
 * Webhook deliveries to a receiver on loopback: which webhooks get them, the body and signature,
 * and the ErrorCount / LastError / LastTrigger bookkeeping up to the automatic disable.
 */
import { createHmac } from "node:crypto";
import {
  MAX_CONSECUTIVE_FAILURES,
  signPayload,
  startEmulator,
  type EmulatorHandle,
} from "../../emulator";
import { closedPortUrl, ISO_Z, startReceiver, type Receiver } from "./helpers";

const SECRET = "s3cret-shared";
let emu: EmulatorHandle;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  emu = await startEmulator({
    sharedSecret: SECRET,
    deliveryTimeoutMs: 300,
    rateLimits: { minIntervalMs: 60_000 },
    locations: [
      { id: 1234, name: "HQ" },
      { id: 42, name: "Lab" },
    ],
  });
});
afterAll(async () => {
  await emu.stop();
  await receiver.close();
});
beforeEach(() => {
  for (const r of emu.records()) emu.remove(r.Id);
  receiver.received.length = 0;
  receiver.respondWith = 200;
  emu.clearRequests();
});

function hook(overrides: Partial<Parameters<EmulatorHandle["insert"]>[0]> = {}) {
  return emu.insert({
    BusinessId: 1234,
    Action: 6,
    Name: "hook",
    URL: `${receiver.url}/hook`,
    Active: true,
    ...overrides,
  });
}

describe("signPayload", () => {
  it("is HMAC-SHA256 of the body as uppercase hex", () => {
    const body = '[{"Id":1}]';
    const expected = createHmac("sha256", "k").update(body).digest("hex").toUpperCase();
    expect(signPayload(body, "k")).toBe(expected);
    expect(signPayload(body, "k")).toMatch(/^[0-9A-F]{64}$/);
  });
});

describe("fire", () => {
  it("POSTs a signed JSON array with the payload to every active webhook of that location and action", async () => {
    const a = hook({ URL: `${receiver.url}/a` });
    const b = hook({ URL: `${receiver.url}/b` });
    hook({ URL: `${receiver.url}/inactive`, Active: false });
    hook({ URL: `${receiver.url}/other-action`, Action: 7 });
    hook({ URL: `${receiver.url}/other-location`, BusinessId: 42 });
    const payload = { Id: 555, FullName: "Jane Doe", BookingId: 9 };

    const results = await emu.fire(1234, 6, payload);

    expect(results.map((r) => r.webhookId).sort()).toEqual([a.Id, b.Id].sort());
    expect(receiver.received.map((r) => r.url).sort()).toEqual(["/a", "/b"]);
    for (const got of receiver.received) {
      expect(got.method).toBe("POST");
      expect(got.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(got.body)).toEqual([payload]);
      const mac = createHmac("sha256", SECRET).update(got.body).digest("hex").toUpperCase();
      expect(got.headers["x-nexudus-hook-signature"]).toBe(mac);
    }
    for (const r of results) {
      expect(r).toEqual({
        webhookId: r.webhookId,
        url: emu.record(r.webhookId)!.URL,
        ok: true,
        status: 200,
        signature: receiver.received[0]!.headers["x-nexudus-hook-signature"],
      });
    }
  });

  it("makes up a record when no payload is given", async () => {
    hook();
    await emu.fire(1234, 6);
    expect(receiver.received).toHaveLength(1);
    const body = JSON.parse(receiver.received[0]!.body) as Record<string, unknown>[];
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({ Id: expect.any(Number), BusinessId: 1234 });
  });

  it("answers [] and sends nothing when no webhook matches", async () => {
    hook({ Active: false });
    expect(await emu.fire(1234, 6)).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it("does not sign without a shared secret", async () => {
    const plain = await startEmulator();
    try {
      plain.insert({ BusinessId: 1234, Action: 3, Name: "p", URL: `${receiver.url}/plain` });
      const [result] = await plain.fire(1234, 3, { Id: 1 });
      expect(result).toMatchObject({ ok: true });
      expect(result).not.toHaveProperty("signature");
      expect(receiver.received[0]!.headers).not.toHaveProperty("x-nexudus-hook-signature");
    } finally {
      await plain.stop();
    }
  });

  it("neither logs deliveries as API requests nor rate-limits them", async () => {
    hook();
    for (let i = 0; i < 3; i++) expect((await emu.fire(1234, 6))[0]?.ok).toBe(true);
    expect(receiver.received).toHaveLength(3);
    expect(emu.requests()).toEqual([]);
  });
});

describe("delivery bookkeeping", () => {
  it("counts a non-2xx answer as a failure, and a later success resets the count", async () => {
    const h = hook();
    receiver.respondWith = 500;
    const [failed] = await emu.fire(1234, 6);
    expect(failed).toMatchObject({ ok: false, status: 500, error: "HTTP 500" });
    expect(emu.record(h.Id)).toMatchObject({
      ErrorCount: 1,
      LastError: "HTTP 500",
      LastTrigger: null,
      Active: true,
      UpdatedOn: h.UpdatedOn,
    });

    receiver.respondWith = 204;
    const [ok] = await emu.fire(1234, 6);
    expect(ok).toMatchObject({ ok: true, status: 204 });
    const after = emu.record(h.Id)!;
    expect(after).toMatchObject({ ErrorCount: 0, LastError: "HTTP 500", Active: true });
    expect(after.LastTrigger).toMatch(ISO_Z);
    expect(Date.now() - Date.parse(after.LastTrigger!)).toBeLessThan(5000);
  });

  it("records a network error", async () => {
    const h = hook({ URL: await closedPortUrl() });
    const [r] = await emu.fire(1234, 6);
    expect(r?.ok).toBe(false);
    expect(r?.status).toBeUndefined();
    expect(r?.error).toMatch(/ECONNREFUSED/);
    expect(emu.record(h.Id)).toMatchObject({ ErrorCount: 1, LastError: r?.error });
  });

  it("records a timeout", async () => {
    const h = hook();
    receiver.respondWith = "hang";
    const [r] = await emu.fire(1234, 6);
    expect(r).toMatchObject({ ok: false, error: "Timeout" });
    expect(emu.record(h.Id)?.ErrorCount).toBe(1);
  });

  it(`disables a webhook after ${MAX_CONSECUTIVE_FAILURES} consecutive failures`, async () => {
    const h = hook();
    receiver.respondWith = 503;
    for (let i = 1; i < MAX_CONSECUTIVE_FAILURES; i++) await emu.fire(1234, 6);
    expect(emu.record(h.Id)).toMatchObject({ ErrorCount: 9, Active: true });
    await emu.fire(1234, 6);
    expect(emu.record(h.Id)).toMatchObject({
      ErrorCount: 10,
      Active: false,
      LastError: "HTTP 503",
    });
    expect(receiver.received).toHaveLength(10);
    expect(await emu.fire(1234, 6)).toEqual([]);
    expect(receiver.received).toHaveLength(10);
  });

  it("a success in between restarts the count", async () => {
    const h = hook();
    receiver.respondWith = 500;
    for (let i = 0; i < 9; i++) await emu.fire(1234, 6);
    receiver.respondWith = 200;
    await emu.fire(1234, 6);
    receiver.respondWith = 500;
    for (let i = 0; i < 9; i++) await emu.fire(1234, 6);
    expect(emu.record(h.Id)).toMatchObject({ ErrorCount: 9, Active: true });
  });
});

describe("POST /__emulator/fire", () => {
  it("fires and answers the delivery results", async () => {
    const h = hook();
    const res = await fetch(`${emu.url}/__emulator/fire`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ businessId: 1234, action: 6, payload: { Id: 77 } }),
    });
    expect(res.status).toBe(200);
    const results = (await res.json()) as unknown[];
    expect(results).toEqual([
      expect.objectContaining({ webhookId: h.Id, ok: true, status: 200, url: h.URL }),
    ]);
    expect(JSON.parse(receiver.received[0]!.body)).toEqual([{ Id: 77 }]);
  });

  it("answers 400 to a body without businessId", async () => {
    const res = await fetch(`${emu.url}/__emulator/fire`, {
      method: "POST",
      body: JSON.stringify({ action: 6 }),
    });
    expect(res.status).toBe(400);
    expect(receiver.received).toEqual([]);
  });
});
