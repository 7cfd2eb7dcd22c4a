/**
 * Every wait bounded and said, through real HTTP against the emulator: a
 * `Retry-After` of a day or an HTTP date an hour ahead holds a minute at most (× time factor); a
 * rate budget spent for longer than `maxWaitMs` (the day's writes, the hour's calls, counted from
 * another process's call history) fails the call at once, before anything is sent, naming the
 * limit, the count and when it frees; a shorter wait happens and is said through `onNotice`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EmulatorHandle } from "../../emulator";
import { sha256 } from "../../client/auth";
import { historyKey } from "../../client/ratelimit/callHistory";
import { NexudusClient } from "../../client/client";
import { NexudusRateBudgetError } from "../../client/errors";
import { MAX_RETRY_AFTER_MS } from "../../client/retry";
import { clientOptions, readSettings } from "../../config/settings";
import { recordFigures } from "../../testing/figures";
import { ADMIN, body, rejection, startTestEmulator, tokenClient } from "./helpers";

/** The time factor of the budget cases: a day lasts 86.4 s, an hour 3.6 s, a minute 60 ms. */
const BUDGET_TF = 0.001;
/** The time factor of the throttle cases: a minute's cap lasts 600 ms. */
const THROTTLE_TF = 0.01;

const figures: Record<string, number | string> = {};
let emu: EmulatorHandle;
let dir: string;

beforeEach(async () => {
  // A fresh emulator per case: a new base URL, so a new process-wide limiter (and history).
  emu = await startTestEmulator({ timeFactor: BUDGET_TF });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-waits-test-"));
});
afterEach(async () => {
  await emu.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
/** The longest wait the server asked for and the client did not agree to (Retry-After cases). */
let longestUnasked = 0;
afterAll(() =>
  recordFigures("bounded waits", { "longest unasked wait (ms)": longestUnasked, ...figures }),
);

/**
 * Writes another process's call history: `count` calls (`write` or reads), the oldest `agoMs`
 * before now and the rest spread over the next `spreadMs`, each answered 5 ms after it was sent.
 */
function otherProcess(count: number, write: boolean, agoMs: number, spreadMs = 100): number {
  const key = historyKey(emu.url, `token:${sha256(ADMIN.apiToken)}`, BUDGET_TF);
  fs.mkdirSync(path.join(dir, key), { recursive: true });
  const oldest = Date.now() - agoMs;
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const at = Math.round(oldest + (spreadMs * (i - 1)) / count);
    lines.push(`s${i},${at},${write ? "w" : "r"}`, `a${i},${at + 5}`);
  }
  fs.writeFileSync(path.join(dir, key, "424242-0000abcd.calls"), lines.join("\n") + "\n");
  return oldest;
}

const posts = () => emu.requests().filter((r) => r.method === "POST").length;

describe("a Retry-After is capped at a minute (× time factor)", () => {
  const cap = MAX_RETRY_AFTER_MS * THROTTLE_TF;
  /**
   * What a measured wait may exceed the hold by: the timer firing late on a loaded machine. The
   * uncapped waits are 864 s and 36 s (× 0.01), far beyond it.
   */
  const TIMER_LATENESS_MS = 100;

  it.each([
    ["86400 (a day)", () => "86400"],
    ["an HTTP date an hour ahead", () => new Date(Date.now() + 3_600_000).toUTCString()],
    ["a value that is neither (the documented 1 s)", () => "later, please"],
  ])(
    "Retry-After %s: the retries wait at most the cap, then succeed",
    async (what, header) => {
      const client = tokenClient(emu, {
        rateLimit: true,
        timeFactor: THROTTLE_TF,
        callHistory: false,
      });
      const id = emu.insert(body("throttled")).Id;
      emu.injectFault({ route: "get", kind: "throttle", retryAfter: header(), times: 2 });
      const record = await client.get(id);
      expect(record.Id).toBe(id);
      const gets = emu.requests().filter((r) => r.route === "get");
      expect(gets.map((r) => r.status)).toEqual([409, 409, 200]);
      const longest = client.share.limiterStats().maxWaitMs;
      expect(longest).toBeGreaterThan(0);
      expect(longest).toBeLessThanOrEqual(cap + TIMER_LATENESS_MS);
      longestUnasked = Math.max(longestUnasked, Math.round(longest));
      figures[`longest wait after Retry-After ${what} (ms, cap ${cap})`] = Math.round(longest);
    },
    15_000,
  );
});

describe("a rate budget spent for longer than maxWaitMs fails at once, before sending", () => {
  it("the day's 5,000 writes spent by another process: a create fails with 0 POSTs", async () => {
    const oldest = otherProcess(5000, true, 10_000);
    const client = tokenClient(emu, { rateLimit: true, timeFactor: BUDGET_TF, callHistory: dir });
    const started = performance.now();
    const e = await rejection(client.create(body("one-too-many")));
    const tookMs = performance.now() - started;
    expect(e).toBeInstanceOf(NexudusRateBudgetError);
    const err = e as NexudusRateBudgetError;
    expect(err.message).toContain("POST /api/sys/webhooks was not sent");
    expect(err.message).toContain("the 5,000 writes per day limit is spent (5,000 counted");
    // It frees when the oldest of those writes leaves the (scaled) day: 86.4 s after it.
    const freesAt = oldest + 86_400_000 * BUDGET_TF;
    expect(Math.abs(err.freesAt - freesAt)).toBeLessThan(1_000);
    expect(err.message).toContain(`frees at ${new Date(err.freesAt).toISOString()}`);
    expect(err.message).toMatch(/in about 1 min 1\d s/);
    expect(err.message).toContain("nexudus:maxWaitMs");
    expect(posts()).toBe(0);
    expect(emu.records()).toHaveLength(0);
    figures["day's writes spent: POSTs sent"] = posts();
    figures["day's writes spent: time to fail (ms)"] = Math.round(tookMs);
    figures["day's writes spent: wait refused (s)"] = Math.round(err.waitMs / 1000);
  }, 15_000);

  it("the day's writes spent by this process's own limiter: the next create fails, 0 POSTs", async () => {
    // The documented 5,000 cannot be spent quickly here: another process spends 4,999, this one
    // the last, and its own count refuses the next.
    otherProcess(4999, true, 10_000);
    const client = tokenClient(emu, { rateLimit: true, timeFactor: BUDGET_TF, callHistory: dir });
    await client.create(body("the-last"));
    const before = posts();
    const e = await rejection(client.create(body("over")));
    expect(e).toBeInstanceOf(NexudusRateBudgetError);
    expect(e.message).toContain("the 5,000 writes per day limit is spent (5,000 counted");
    expect(posts()).toBe(before);
    expect(before).toBe(1);
  }, 15_000);

  it("the hour's 5,000 calls spent, freeing later than maxWaitMs: a get fails at once", async () => {
    otherProcess(5000, false, 1_000);
    const client = tokenClient(emu, {
      rateLimit: true,
      timeFactor: BUDGET_TF,
      callHistory: dir,
      maxWaitMs: 1_000_000, // × 0.001: 1 s, shorter than the hour's remaining 2.6 s
    });
    const id = emu.insert(body("read-me")).Id;
    const e = await rejection(client.get(id));
    expect(e).toBeInstanceOf(NexudusRateBudgetError);
    expect(e.message).toContain(`GET /api/sys/webhooks/${id} was not sent`);
    expect(e.message).toContain("the 5,000 requests per hour limit is spent (5,000 counted");
    expect(e.message).toContain("1000000 ms");
    expect(emu.requests()).toHaveLength(0);
  }, 15_000);

  it("the hour's calls spent, freeing within maxWaitMs: the get waits, says so once, succeeds", async () => {
    otherProcess(5000, false, 2_800);
    const notices: string[] = [];
    const client = tokenClient(emu, {
      rateLimit: true,
      timeFactor: BUDGET_TF,
      callHistory: dir,
      maxWaitMs: 3_600_000, // × 0.001: 3.6 s, longer than the hour's remaining 0.8 s
      onNotice: (m) => notices.push(m),
    });
    const id = emu.insert(body("read-me")).Id;
    const record = await client.get(id);
    expect(record.Id).toBe(id);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^pulumi-nexudus: holding 1 request for about .+ \(until \d{4}-\d\d-\d\dT[\d:.]+Z\): the 5,000 requests per hour limit is reached \(5,000 counted/,
    );
    const waited = client.share.limiterStats().maxWaitMs;
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThanOrEqual(3_600_000 * BUDGET_TF);
    figures["hour spent, within the bound: wait said and waited (ms)"] = Math.round(waited);
  }, 15_000);
});

describe("maxWaitMs is checked", () => {
  it.each([-1, 1.5, 86_400_001])("maxWaitMs %p is refused naming the option", (v) => {
    expect(() => tokenClient(emu, { maxWaitMs: v })).toThrow(/option "maxWaitMs" must be/);
  });

  it("NEXUDUS_MAX_WAIT_MS that is not a number is refused naming the variable", () => {
    expect(
      () =>
        new NexudusClient(
          clientOptions(
            readSettings({ env: { NEXUDUS_TOKEN: "t", NEXUDUS_MAX_WAIT_MS: "five minutes" } }),
          ),
        ),
    ).toThrow(/NEXUDUS_MAX_WAIT_MS\) must be a whole number/);
  });
});
