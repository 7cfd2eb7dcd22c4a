/**
 * The call history shared by every process of one runner that calls one Nexudus API as one user:
 * a folder per (base URL, identity, time factor), keyed by a SHA-256 of them (the credential is
 * never written, only hashed with the rest), holding one append-only file per process. A call
 * writes two lines: `s<seq>,<epoch ms sent>,<w|r>` when it is sent and `a<seq>,<epoch ms>` when
 * its answer comes back, so that another process counts it from the moment it is sent and, like
 * its own calls, by its answer once known (the server counts a call when it arrives).
 *
 * Nexudus counts a user's calls per sliding hour (5,000) and minute (120); a second command in the
 * same hour (`preview --refresh` then `up`, each its own host process) or a second stack running
 * at the same time with the same user spends the same budget. With the history, each process's
 * limiter (provider/limiter.ts) counts the others' calls as its own, so it waits instead of
 * drawing throttled answers.
 *
 * Reading is incremental (only the bytes appended since the last look) and cheap: one `readdir`
 * and one `fstat` per file, at most once per {@link POLL_EVERY_MS}. Files older than the longest
 * window (a day, times the time factor) are removed when a process starts. Every failure to read
 * or write the folder is swallowed: the history makes pacing better, never a call fail.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The default folder: runner-local, shared by the commands of one CI job or one workstation. */
export function defaultHistoryDir(): string {
  return path.join(os.tmpdir(), "pulumi-nexudus-calls");
}

/** How often, at most, the other processes' files are looked at (ms, not scaled). */
export const POLL_EVERY_MS = 1;

/** The longest window a history serves: the writes-per-day window (ms before the time factor). */
const DAY_MS = 86_400_000;

/**
 * One event of another process's call: sent at `at` (epoch ms), or (`answered`) answered at `at`.
 * `id` tells the events of one call apart from another's.
 */
export interface ForeignCall {
  readonly id: string;
  readonly at: number;
  readonly write: boolean;
  readonly answered?: boolean;
}

/** What the limiter needs from a history. */
export interface CallHistory {
  /** Records one call of this process, sent at `at` (epoch ms); returns its number. */
  record(at: number, write: boolean): number;
  /** Records the answer (at `at`, epoch ms) of the call {@link record} numbered `seq`. */
  answered(seq: number, at: number): void;
  /** Calls of other processes recorded since the last poll (all of them on the first). */
  poll(now?: number): ForeignCall[];
}

/** The folder name of a key: a SHA-256 of base URL, identity and time factor (no credential). */
export function historyKey(baseUrl: string, identity: string, timeFactor: number): string {
  return createHash("sha256")
    .update(`${baseUrl}\n${identity}\n${timeFactor}`)
    .digest("hex")
    .slice(0, 32);
}

interface Reader {
  offset: number;
  rest: string;
}

/** A history kept in files under `dir/<key>/`. */
export class FileCallHistory implements CallHistory {
  private readonly folder: string;
  private readonly own: string;
  private fd: number | undefined;
  private readonly readers = new Map<string, Reader>();
  private lastPoll = -Infinity;
  private seq = 0;
  private broken = false;

  constructor(dir: string, key: string, timeFactor: number, now: number = Date.now()) {
    this.folder = path.join(dir, key);
    this.own = `${process.pid}-${randomBytes(4).toString("hex")}.calls`;
    try {
      fs.mkdirSync(this.folder, { recursive: true, mode: 0o700 });
      const maxAge = DAY_MS * timeFactor;
      for (const name of fs.readdirSync(this.folder)) {
        const file = path.join(this.folder, name);
        try {
          if (now - fs.statSync(file).mtimeMs > maxAge) fs.unlinkSync(file);
        } catch {
          // another process removed it first
        }
      }
    } catch {
      this.broken = true;
    }
  }

  record(at: number, write: boolean): number {
    const seq = ++this.seq;
    this.append(`s${seq},${Math.round(at)},${write ? "w" : "r"}\n`);
    return seq;
  }

  answered(seq: number, at: number): void {
    this.append(`a${seq},${Math.round(at)}\n`);
  }

  private append(line: string): void {
    if (this.broken) return;
    try {
      this.fd ??= fs.openSync(path.join(this.folder, this.own), "a", 0o600);
      fs.writeSync(this.fd, line);
    } catch {
      this.broken = true;
    }
  }

  poll(now: number = Date.now()): ForeignCall[] {
    if (this.broken || now - this.lastPoll < POLL_EVERY_MS) return [];
    this.lastPoll = now;
    const out: ForeignCall[] = [];
    let names: string[];
    try {
      names = fs.readdirSync(this.folder);
    } catch {
      return out;
    }
    for (const name of names) {
      if (name === this.own || !name.endsWith(".calls")) continue;
      const reader = this.readers.get(name) ?? { offset: 0, rest: "" };
      this.readers.set(name, reader);
      let fd: number | undefined;
      try {
        fd = fs.openSync(path.join(this.folder, name), "r");
        const size = fs.fstatSync(fd).size;
        if (size <= reader.offset) continue;
        // Bounded: at most 4 MB a look (about 250,000 calls).
        const length = Math.min(size - reader.offset, 4 * 1024 * 1024);
        const buf = Buffer.alloc(length);
        const got = fs.readSync(fd, buf, 0, length, reader.offset);
        reader.offset += got;
        const text = reader.rest + buf.subarray(0, got).toString("utf8");
        const lines = text.split("\n");
        reader.rest = lines.pop() ?? "";
        for (const line of lines) {
          const m = /^([sa])(\d+),(\d+)(?:,([wr]))?$/.exec(line);
          if (!m) continue;
          const id = `${name}:${m[2]}`;
          if (m[1] === "s") out.push({ id, at: Number(m[3]), write: m[4] === "w" });
          else out.push({ id, at: Number(m[3]), write: false, answered: true });
        }
      } catch {
        // the file went away between readdir and open: nothing to read
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    }
    return out;
  }

  /** Closes this process's file (tests). */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
