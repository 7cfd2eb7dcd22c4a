/**
 * The call history shared by the processes of one runner (client/ratelimit/callHistory.ts): real files in
 * a temporary folder, read by a second history as another process would, and two limiters that
 * share one budget through it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FileCallHistory, historyKey } from "../../client/ratelimit/callHistory";
import { NexudusClient, type NexudusClientOptions } from "../../client/client";
import { clientOptions, readSettings } from "../../config/settings";
import { NexudusConfigError } from "../../client/errors";
import { RateLimiter, type LimiterStats } from "../../client/ratelimit/limiter";

const stats = (): LimiterStats => ({ acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 });
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-history-test-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("FileCallHistory", () => {
  it("shows each process the others' calls once, never its own", () => {
    const key = historyKey("https://spaces.nexudus.com", "token:abc", 1);
    const a = new FileCallHistory(dir, key, 1);
    const b = new FileCallHistory(dir, key, 1);
    const first = a.record(1_000, true);
    a.record(1_100, false);
    b.record(1_050, false);
    a.answered(first, 1_020);
    expect(a.poll(10)).toEqual([{ id: expect.any(String), at: 1_050, write: false }]);
    const seen = b.poll(10);
    expect(seen).toEqual([
      { id: expect.any(String), at: 1_000, write: true },
      { id: expect.any(String), at: 1_100, write: false },
      { id: seen[0]!.id, at: 1_020, write: false, answered: true },
    ]);
    expect(seen[1]!.id).not.toBe(seen[0]!.id);
    expect(b.poll(20)).toEqual([]); // only what was appended since
    a.record(1_200, false);
    expect(b.poll(30)).toEqual([{ id: expect.any(String), at: 1_200, write: false }]);
    a.close();
    b.close();
  });

  it("keys the folder by a hash: no credential or address on disk", () => {
    const token = "tok-secret-history-123";
    const key = historyKey("https://spaces.nexudus.com", `token:${token}`, 1);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    const h = new FileCallHistory(dir, key, 1);
    h.record(Date.now(), true);
    h.close();
    const files = fs.readdirSync(path.join(dir, key));
    expect(files).toHaveLength(1);
    const text = fs.readFileSync(path.join(dir, key, files[0]!), "utf8");
    expect(text).toMatch(/^s1,\d+,w\n$/);
    expect(JSON.stringify(fs.readdirSync(dir)) + text).not.toMatch(/tok-secret|nexudus\.com/);
  });

  it("removes files older than the longest window when a process starts", () => {
    const key = historyKey("https://x", "user:u", 0.001); // a day lasts 86.4 s
    const old = new FileCallHistory(dir, key, 0.001);
    old.record(1, false);
    old.close();
    const [file] = fs.readdirSync(path.join(dir, key));
    const past = new Date(Date.now() - 100_000);
    fs.utimesSync(path.join(dir, key, file!), past, past);
    new FileCallHistory(dir, key, 0.001);
    expect(fs.readdirSync(path.join(dir, key))).toEqual([]);
  });

  it("refuses an unusable folder with a clear error, before any write", () => {
    const blocker = path.join(dir, "a-file");
    fs.writeFileSync(blocker, "");
    expect(() => new FileCallHistory(blocker, "k", 1)).toThrow(NexudusConfigError);
    expect(() => new FileCallHistory(blocker, "k", 1)).toThrow(
      /call history folder ".*a-file".*NEXUDUS_CALL_HISTORY.*"off"/,
    );
  });
});

describe("two limiters sharing one folder (two processes of one user)", () => {
  it("the second waits for the window the first one filled", async () => {
    const key = historyKey("http://127.0.0.1:1", "user:shared", 0.005);
    // A minute lasts 300 ms; at most 3 calls in it.
    const opts = { timeFactor: 0.005, limits: { perMinute: 3 }, slackMs: 0 };
    const first = new RateLimiter({
      ...opts,
      stats: stats(),
      history: new FileCallHistory(dir, key, 0.005),
    });
    const second = new RateLimiter({
      ...opts,
      stats: stats(),
      history: new FileCallHistory(dir, key, 0.005),
    });
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) (await first.acquire(false)).done();
    const firstDone = performance.now() - t0;
    await second.acquire(false);
    const waited = performance.now() - t0;
    // Not before the first call leaves the 300 ms window.
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(firstDone).toBeLessThan(200);
  });
});

/** A client from the environment through the config layer's one reader, under plain options. */
const fromEnv = (env: Record<string, string>, base: NexudusClientOptions) =>
  new NexudusClient({ ...clientOptions(readSettings({ env })), ...base });

describe("configuration", () => {
  it("refuses a relative folder, naming the option or the variable and the rule", () => {
    const base = { baseUrl: "http://127.0.0.1:9", token: "t" };
    expect(() => new NexudusClient({ ...base, callHistory: "calls" })).toThrow(NexudusConfigError);
    expect(() => new NexudusClient({ ...base, callHistory: "calls" })).toThrow(
      /callHistory.*must be an absolute folder path/,
    );
    expect(() => fromEnv({ NEXUDUS_CALL_HISTORY: "calls" }, base)).toThrow(
      /NEXUDUS_CALL_HISTORY must be an absolute folder path/,
    );
    expect(() => fromEnv({ NEXUDUS_MAX_THROTTLE_RETRIES: "many" }, base)).toThrow(
      /NEXUDUS_MAX_THROTTLE_RETRIES must be a whole number/,
    );
    expect(fromEnv({ NEXUDUS_CALL_HISTORY: "off" }, base)).toBeInstanceOf(NexudusClient);
  });
});
