/**
 * The call history in a shared temp folder (client/ratelimit/callHistory.ts): what
 * another local user, a stepped clock or a broken file can put there must never delete our files,
 * hold our calls, hang a create or blow up memory. Real files and FIFOs in a temporary folder;
 * the last cases go through the real dynamic-provider host with the history enabled.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  FileCallHistory,
  MAX_LINE_BYTES,
  ROTATE_BYTES,
  defaultHistoryDir,
  historyKey,
} from "../../client/ratelimit/callHistory";
import { NexudusConfigError } from "../../client/errors";
import { RateLimiter, type LimiterStats } from "../../client/ratelimit/limiter";
import type { CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { startHost } from "../../testing/host";
import { FAST_ENV, NO_NEXUDUS_ENV, captureTemplate, hookFrom, startRig, type Rig } from "./helpers";

const KEY = historyKey("http://127.0.0.1:1", "user:hardening", 1);
const DAY_MS = 86_400_000;
const isRoot = process.getuid?.() === 0;
const figures = {
  "files outside the history deleted": 0,
  "unsafe folders refused": 0,
  "garbage lines counted": 0,
  "garbage files skipped": 0,
  "heap growth reading a 50 MB file (MB)": 0,
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-history-hard-"));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  recordFigures("call history hardening", figures);
});

const stats = (): LimiterStats => ({ acquired: 0, waits: 0, totalWaitMs: 0, maxWaitMs: 0 });

/** Files with an mtime two days ago (older than the longest window). */
function oldFiles(folder: string, names: string[]): void {
  fs.mkdirSync(folder, { recursive: true });
  const past = new Date(Date.now() - 2 * DAY_MS);
  for (const name of names) {
    fs.writeFileSync(path.join(folder, name), `secret ${name}\n`);
    fs.utimesSync(path.join(folder, name), past, past);
  }
}

/** Resolves with `p`, or rejects when it takes longer than `ms` (a hang becomes a failure). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function expectRefused(make: () => unknown, rule: RegExp): void {
  let error: unknown;
  try {
    make();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(NexudusConfigError);
  const message = (error as Error).message;
  expect(message).toMatch(rule);
  expect(message).toMatch(/call history folder ".+" is refused/);
  expect(message).toMatch(/NEXUDUS_CALL_HISTORY to another absolute folder .* or to "off"/);
  figures["unsafe folders refused"]++;
}

describe("the folder", () => {
  it("by default is per user and made with mode 0700", () => {
    const folder = defaultHistoryDir();
    expect(path.dirname(folder)).toBe(os.tmpdir());
    expect(path.basename(folder)).toBe(`pulumi-nexudus-calls-${process.getuid!()}`);
    const base = path.join(dir, "fresh", "calls");
    new FileCallHistory(base, KEY, 1).close();
    expect(fs.statSync(base).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(base, KEY)).mode & 0o777).toBe(0o700);
  });

  it("refuses a symlinked key folder: nothing in the link's target is deleted", () => {
    const target = path.join(dir, "home-ssh");
    const names = ["id_ed25519", "notes.txt", "Pulumi.prod.yaml", "123-0badc0de.calls"];
    oldFiles(target, names);
    const base = path.join(dir, "base");
    fs.mkdirSync(base, { mode: 0o700 });
    fs.symlinkSync(target, path.join(base, KEY));
    expectRefused(() => new FileCallHistory(base, KEY, 1), /is a symbolic link/);
    const left = fs.readdirSync(target);
    figures["files outside the history deleted"] += names.length - left.length;
    expect(left.sort()).toEqual([...names].sort());
  });

  it("refuses a symlinked base folder (NEXUDUS_CALL_HISTORY or the default)", () => {
    const target = path.join(dir, "elsewhere");
    fs.mkdirSync(target, { mode: 0o700 });
    fs.symlinkSync(target, path.join(dir, "link"));
    expectRefused(() => new FileCallHistory(path.join(dir, "link"), KEY, 1), /symbolic link/);
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it("refuses a folder writable by group or others (mode 0777)", () => {
    const base = path.join(dir, "open");
    fs.mkdirSync(base);
    fs.chmodSync(base, 0o777);
    expectRefused(
      () => new FileCallHistory(base, KEY, 1),
      /writable by group or others \(mode 0777/,
    );
    // and a key folder another process opened up
    const ours = path.join(dir, "ours");
    fs.mkdirSync(path.join(ours, KEY), { recursive: true, mode: 0o700 });
    fs.chmodSync(path.join(ours, KEY), 0o770);
    expectRefused(() => new FileCallHistory(ours, KEY, 1), /mode 0770/);
  });

  (isRoot ? it : it.skip)("refuses a folder owned by another user (uid 1)", () => {
    const base = path.join(dir, "theirs");
    fs.mkdirSync(path.join(base, KEY), { recursive: true, mode: 0o700 });
    fs.chownSync(path.join(base, KEY), 1, 1);
    expectRefused(() => new FileCallHistory(base, KEY, 1), /owned by uid 1, not by this user/);
    fs.chownSync(base, 1, 1);
    expectRefused(() => new FileCallHistory(base, KEY, 1), /owned by uid 1/);
  });

  it("prunes only old regular files its writer made, never a link or another name", () => {
    const base = path.join(dir, "base");
    const folder = path.join(base, KEY);
    fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
    fs.chmodSync(base, 0o700);
    oldFiles(folder, ["1-00000001.calls", "notes.txt", "x.calls"]);
    const outside = path.join(dir, "outside");
    oldFiles(outside, ["id_ed25519"]);
    fs.symlinkSync(path.join(outside, "id_ed25519"), path.join(folder, "2-00000002.calls"));
    execFileSync("mkfifo", [path.join(folder, "3-00000003.calls")]);
    new FileCallHistory(base, KEY, 1).close();
    expect(fs.readdirSync(folder).sort()).toEqual([
      "2-00000002.calls",
      "3-00000003.calls",
      "notes.txt",
      "x.calls",
    ]);
    expect(fs.readdirSync(outside)).toEqual(["id_ed25519"]);
    figures["files outside the history deleted"] += 1 - fs.readdirSync(outside).length;
  });
});

describe("reading other processes' files", () => {
  const folder = (): string => path.join(dir, KEY);

  it("skips and counts garbage: binary, non-numbers, too long, no 's' before 'a', a truncated last line", () => {
    const h = new FileCallHistory(dir, KEY, 1);
    const now = Date.now();
    const lines = [
      `s1,${now - 10},w`,
      "\u0000\u0001\u00ff\u00fe binary",
      "sX,notanumber,w",
      `s2,${now - 5},q`,
      `a1,${now - 4},w`,
      "s3," + "9".repeat(MAX_LINE_BYTES) + ",r",
      `a1,${now - 3}`,
    ];
    fs.writeFileSync(path.join(folder(), "7-0000beef.calls"), lines.join("\n") + `\ns4,${now}`);
    const seen = h.poll(now);
    expect(seen).toEqual([
      { id: "7-0000beef.calls:1", at: now - 10, write: true },
      { id: "7-0000beef.calls:1", at: now - 3, write: false, answered: true },
    ]);
    expect(h.garbage.lines).toBe(5);
    figures["garbage lines counted"] += h.garbage.lines;
    // The truncated line is not garbage yet: it ends in the next look.
    fs.appendFileSync(path.join(folder(), "7-0000beef.calls"), ",r\n");
    expect(h.poll(now + 10)).toEqual([{ id: "7-0000beef.calls:4", at: now, write: false }]);
    h.close();
  });

  it("skips records stamped in the future or before the longest window", () => {
    const h = new FileCallHistory(dir, KEY, 1);
    const now = Date.now();
    fs.writeFileSync(
      path.join(folder(), "8-0000cafe.calls"),
      `s1,${now + 3_600_000},w\ns2,${now - 2 * DAY_MS},w\ns3,${now + 1_000},r\n`,
    );
    expect(h.poll(now)).toEqual([{ id: "8-0000cafe.calls:3", at: now + 1_000, write: false }]);
    expect(h.garbage.lines).toBe(2);
    h.close();
  });

  it("a record stamped an hour ahead holds no call", async () => {
    // A minute lasts 300 ms; at most 3 calls in it. Planted: 3 calls stamped an hour ahead.
    const tf = 0.005;
    const history = new FileCallHistory(dir, KEY, tf);
    const ahead = Date.now() + 3_600_000;
    fs.writeFileSync(
      path.join(folder(), "9-0000f00d.calls"),
      [1, 2, 3].map((i) => `s${i},${ahead},w\na${i},${ahead}\n`).join(""),
    );
    const limiter = new RateLimiter({
      timeFactor: tf,
      limits: { perMinute: 3 },
      slackMs: 0,
      stats: stats(),
      history,
    });
    const permit = await within(
      limiter.acquire(true),
      5_000,
      "a call after future-stamped records",
    );
    permit.done();
    expect(history.garbage.lines).toBe(6);
    history.close();
  });

  it("skips a FIFO, a socket-like special file and a symlink without blocking", () => {
    const h = new FileCallHistory(dir, KEY, 1);
    execFileSync("mkfifo", [
      path.join(folder(), "x.calls"),
      path.join(folder(), "4-00000004.calls"),
    ]);
    fs.writeFileSync(path.join(dir, "elsewhere"), `s1,${Date.now()},w\n`);
    fs.symlinkSync(path.join(dir, "elsewhere"), path.join(folder(), "5-00000005.calls"));
    // In a child process, so that a blocking open fails the test instead of hanging jest.
    const script = `
      const { FileCallHistory } = require(${JSON.stringify(path.resolve(__dirname, "../../client/ratelimit/callHistory.ts"))});
      const h = new FileCallHistory(${JSON.stringify(dir)}, ${JSON.stringify(KEY)}, 1);
      const seen = h.poll();
      process.stdout.write(JSON.stringify({ seen, garbage: h.garbage }));`;
    const out = execFileSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "-e", script],
      {
        timeout: 20_000,
        encoding: "utf8",
      },
    );
    const { seen, garbage } = JSON.parse(out) as { seen: unknown[]; garbage: { files: number } };
    expect(seen).toEqual([]);
    expect(garbage.files).toBe(3);
    expect(h.poll()).toEqual([]);
    h.close();
  });

  it("a 50 MB garbage file: polls finish, memory stays bounded, the file is skipped", () => {
    const h = new FileCallHistory(dir, KEY, 1);
    const big = path.join(folder(), "6-00000006.calls");
    const chunk = Buffer.from("garbage \u0000\u00ff no newline ".repeat(4096), "latin1");
    const fd = fs.openSync(big, "w");
    for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length)
      fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    const before = process.memoryUsage();
    let seen = 0;
    for (let i = 0; i < 30; i++) seen += h.poll(Date.now() + i * 10).length;
    const after = process.memoryUsage();
    const growthMb =
      (after.heapUsed + after.external - before.heapUsed - before.external) / (1024 * 1024);
    expect(seen).toBe(0);
    expect(h.garbage.files).toBe(1);
    expect(growthMb).toBeLessThan(20);
    figures["garbage files skipped"] += h.garbage.files;
    figures["heap growth reading a 50 MB file (MB)"] = Math.max(0, Math.round(growthMb * 10) / 10);
    h.close();
  });

  it("rotates its own file past the bound; another process still reads every call", () => {
    const writer = new FileCallHistory(dir, KEY, 1);
    const reader = new FileCallHistory(dir, KEY, 1);
    const now = Date.now();
    const calls = 120_000; // more than one poll returns (MAX_RECORDS_PER_POLL)
    for (let i = 0; i < calls; i++) writer.record(now - 1_000, i % 2 === 0);
    writer.close();
    expect(writer.ownFiles.length).toBeGreaterThanOrEqual(2);
    for (const name of writer.ownFiles) {
      expect(fs.statSync(path.join(folder(), name)).size).toBeLessThanOrEqual(
        ROTATE_BYTES + MAX_LINE_BYTES,
      );
    }
    let seen = 0;
    for (let i = 0; i < 50; i++) seen += reader.poll(now + i * 10).length;
    expect(seen).toBe(calls);
    expect(reader.garbage).toEqual({ lines: 0, files: 0 });
    reader.close();
  });
});

describe("through the real dynamic-provider host, history enabled", () => {
  let rig: Rig | undefined;
  let template: CapturedResource;
  let base: string;

  beforeAll(async () => {
    template = await captureTemplate();
    base = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-history-host-"));
    rig = await startRig({ host: { env: { NEXUDUS_CALL_HISTORY: base } } });
  });
  afterAll(async () => {
    await rig?.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it("a FIFO, future-stamped records and garbage in the folder: a create still completes", async () => {
    const engine = new Engine(rig!.host);
    const first = await within(engine.up([hookFrom(template, "first")]), 30_000, "the first up");
    expect(first.errors).toEqual([]);
    const [key] = fs.readdirSync(base);
    const folder = path.join(base, key!);
    execFileSync("mkfifo", [path.join(folder, "x.calls")]);
    const ahead = Date.now() + 3_600_000;
    const planted = Array.from({ length: 200 }, (_, i) => `s${i + 1},${ahead},w\n`).join("");
    fs.writeFileSync(path.join(folder, "1-00000001.calls"), planted + "\u0000garbage\nsX,1,w\n");
    const second = await within(
      engine.up([hookFrom(template, "first"), hookFrom(template, "second", { name: "Second" })]),
      30_000,
      "a create with a FIFO and future records in the history folder",
    );
    expect(second.errors).toEqual([]);
    expect(second.summary.create).toBe(1);
  });

  it("a symlinked key folder: the create fails with the clear error, nothing deleted", async () => {
    const [key] = fs.readdirSync(base);
    const target = path.join(os.tmpdir(), `nexudus-history-target-${process.pid}`);
    oldFiles(target, ["id_ed25519", "notes.txt", "Pulumi.prod.yaml"]);
    const linked = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-history-linked-"));
    fs.symlinkSync(target, path.join(linked, key!));
    const other = await startHost({
      env: { ...NO_NEXUDUS_ENV, ...FAST_ENV, NEXUDUS_CALL_HISTORY: linked },
    });
    try {
      await other.configure({
        "nexudus:baseUrl": rig!.emulator.url,
        "nexudus:token": { secret: "emulator-admin-token" },
      });
      const posts = (): number =>
        rig!.emulator.requests().filter((r) => r.method === "POST").length;
      const postsBefore = posts();
      const engine = new Engine(other);
      const up = await within(
        engine.up([hookFrom(template, "linked")], { throwOnError: false }),
        30_000,
        "an up with a symlinked history folder",
      );
      expect(up.errors).toHaveLength(1);
      const printed = JSON.stringify(up.errors) + other.stderr();
      expect(printed).toMatch(/is a symbolic link/);
      expect(printed).toMatch(/NEXUDUS_CALL_HISTORY/);
      expect(posts()).toBe(postsBefore); // refused before any write
    } finally {
      await other.stop();
    }
    const left = fs.readdirSync(target);
    figures["files outside the history deleted"] += 3 - left.length;
    expect(left).toHaveLength(3);
    fs.rmSync(target, { recursive: true, force: true });
    fs.rmSync(linked, { recursive: true, force: true });
  });
});
