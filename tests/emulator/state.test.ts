/**
 * The state file (records survive a restart) and the admin endpoints.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "../../emulator";
import { call, closedPortUrl, createWebhook, webhookBody } from "./helpers";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-emulator-test-"));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("stateFile", () => {
  it("keeps records, their fields and the next Id across a restart", async () => {
    const file = path.join(dir, "nested", "state.json");
    const first = await startEmulator({ stateFile: file });
    let kept: number;
    let deleted: number;
    try {
      kept = await createWebhook(first, { Name: "kept", Description: "survives" });
      deleted = await createWebhook(first, { Name: "deleted" });
      await call(first, "DELETE", `/api/sys/webhooks/${deleted}`);
      first.patch(kept, { ErrorCount: 2, LastError: "HTTP 500" });
      expect(fs.existsSync(file)).toBe(true);
      // Written atomically: no temp file is left next to it.
      expect(fs.readdirSync(path.dirname(file))).toEqual(["state.json"]);
    } finally {
      await first.stop();
    }
    const before = JSON.parse(fs.readFileSync(file, "utf8")) as { records: unknown[] };
    expect(before.records).toHaveLength(1);

    const second = await startEmulator({ stateFile: file });
    try {
      const got = await call(second, "GET", `/api/sys/webhooks/${kept}`);
      expect(got.status).toBe(200);
      expect(got.json).toEqual(before.records[0]);
      expect(got.json).toMatchObject({ Name: "kept", Description: "survives", ErrorCount: 2 });
      expect((await call(second, "GET", `/api/sys/webhooks/${deleted}`)).status).toBe(404);
      const next = await createWebhook(second);
      expect(next).toBe(deleted + 1);
    } finally {
      await second.stop();
    }
  });

  it("writes after every kind of change, including deliveries", async () => {
    const file = path.join(dir, "changes.json");
    const emu = await startEmulator({ stateFile: file });
    const read = () =>
      (
        JSON.parse(fs.readFileSync(file, "utf8")) as {
          records: { Id: number; Name: string; ErrorCount: number }[];
        }
      ).records;
    try {
      const unreachable = await closedPortUrl();
      const id = await createWebhook(emu, { URL: unreachable });
      expect(read().map((r) => r.Id)).toEqual([id]);
      await call(emu, "PUT", "/api/sys/webhooks", {
        body: webhookBody({ Id: id, Name: "renamed", URL: unreachable }),
      });
      expect(read()[0]?.Name).toBe("renamed");
      await emu.fire(1234, 6);
      expect(read()[0]?.ErrorCount).toBe(1);
      const oob = emu.insert({ BusinessId: 1234, Action: 3, URL: "http://x", Name: "oob" });
      expect(read()).toHaveLength(2);
      emu.remove(oob.Id);
      expect(read()).toHaveLength(1);
    } finally {
      await emu.stop();
    }
  });

  it("refuses to start on a file that is not emulator state, naming the file", async () => {
    const file = path.join(dir, "broken.json");
    fs.writeFileSync(file, "{ not json");
    await expect(startEmulator({ stateFile: file })).rejects.toThrow(file);
    fs.writeFileSync(file, JSON.stringify({ hello: "world" }));
    await expect(startEmulator({ stateFile: file })).rejects.toThrow(
      /does not hold emulator state/,
    );
  });
});

describe("admin endpoints", () => {
  let emu: EmulatorHandle;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(async () => {
    await emu.stop();
  });

  async function admin(method: string, p: string) {
    const res = await fetch(`${emu.url}/__emulator/${p}`, { method });
    return { status: res.status, json: (await res.json()) as unknown };
  }

  it("GET /__emulator/records lists every full record", async () => {
    const id = await createWebhook(emu, { Description: "full" });
    const r = await admin("GET", "records");
    expect(r.status).toBe(200);
    expect(r.json).toEqual(emu.records());
    expect(r.json).toEqual([expect.objectContaining({ Id: id, Description: "full" })]);
  });

  it("GET and DELETE /__emulator/requests read and clear the log, and are not logged", async () => {
    emu.clearRequests();
    await call(emu, "GET", "/api/sys/webhooks?size=5");
    await call(emu, "GET", "/api/sys/webhooks", { auth: null });
    const r = await admin("GET", "requests");
    expect(r.status).toBe(200);
    const log = r.json as RequestLogEntry[];
    expect(log.map((e) => [e.method, e.path, e.query, e.route, e.status, e.client])).toEqual([
      ["GET", "/api/sys/webhooks", "size=5", "search", 200, "admin@example.com"],
      ["GET", "/api/sys/webhooks", "", "search", 401, "anonymous"],
    ]);
    expect(log[0]!.time).toBeLessThanOrEqual(log[1]!.time);
    expect((await admin("DELETE", "requests")).status).toBe(200);
    expect(emu.requests()).toEqual([]);
    expect((await admin("GET", "requests")).json).toEqual([]);
  });

  it("answers 404 for an unknown admin endpoint", async () => {
    expect((await admin("GET", "nothing")).status).toBe(404);
  });
});

describe("startEmulator options", () => {
  it.each([
    [{ port: -1 }, /port/],
    [{ timeFactor: 0 }, /timeFactor/],
    [{ startId: 0 }, /startId/],
    [
      {
        locations: [
          { id: 1, name: "a" },
          { id: 1, name: "b" },
        ],
      },
      /location id 1/,
    ],
    [
      { users: [{ username: "x@example.com", password: "p", roles: ["Boss" as "Administrator"] }] },
      /Boss/,
    ],
  ])("rejects %j", async (opts, message) => {
    await expect(startEmulator(opts)).rejects.toThrow(message);
  });

  it("uses startId for the first record", async () => {
    const emu = await startEmulator({ startId: 100 });
    try {
      expect(await createWebhook(emu)).toBe(100);
    } finally {
      await emu.stop();
    }
  });

  it("listens on 127.0.0.1 and stop() closes it", async () => {
    const emu = await startEmulator();
    expect(emu.url).toBe(`http://127.0.0.1:${emu.port}`);
    await emu.stop();
    await expect(fetch(`${emu.url}/api/sys/webhooks`)).rejects.toThrow();
  });
});
