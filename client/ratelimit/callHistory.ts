/**
 * The call history shared by every process of one runner that calls one Nexudus API as one user:
 * a folder per (base URL, identity, time factor), keyed by a SHA-256 of them (the credential is
 * never written, only hashed with the rest), holding append-only files per process. A call
 * writes two lines: `s<seq>,<epoch ms sent>,<w|r>` when it is sent and `a<seq>,<epoch ms>` when
 * its answer comes back, so that another process counts it from the moment it is sent and, like
 * its own calls, by its answer once known (the server counts a call when it arrives).
 *
 * Nexudus counts a user's calls per sliding hour (5,000) and minute (120); a second command in the
 * same hour (`preview --refresh` then `up`, each its own host process) or a second stack running
 * at the same time with the same user spends the same budget. With the history, each process's
 * limiter (client/ratelimit/limiter.ts) counts the others' calls as its own, so it waits instead of
 * drawing throttled answers.
 *
 * Safety in a shared temp folder (docs/reliability.md): the default folder is per user
 * (`pulumi-nexudus-calls-<uid>`), made with mode 0700; the base folder and the key folder are
 * refused (a {@link NexudusConfigError} naming the folder and the rule) when either is a symlink,
 * not a folder, not owned by this user, or writable by group or others. Files are opened without
 * following links and without blocking (`O_NOFOLLOW | O_NONBLOCK`), and only regular files owned
 * by this user are read. Pruning removes only files whose names match what the writer makes,
 * regular and owned by this user, never following a link. Reading is bounded: lines of at most
 * {@link MAX_LINE_BYTES}, at most {@link MAX_READ_PER_POLL} bytes per file per poll, files larger
 * than {@link MAX_FILE_BYTES} skipped, at most {@link MAX_FILES} files and
 * {@link MAX_RECORDS_PER_POLL} records per poll; timestamps later than now plus
 * {@link FUTURE_SKEW_MS} or older than the longest window are skipped. Skipped lines and files are
 * counted ({@link FileCallHistory.garbage}, {@link callHistoryGarbage}). A process rotates its
 * own file past {@link ROTATE_BYTES}.
 *
 * Once the folder is accepted, every failure to read or write it is swallowed: the history makes
 * pacing better, never a call fail.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NexudusConfigError } from "../errors";

/** This user's id, or undefined where the platform has none (Windows). */
function uid(): number | undefined {
  return typeof process.getuid === "function" ? process.getuid() : undefined;
}

/** The default folder: per user, in the OS temp folder (`pulumi-nexudus-calls-<uid>`). */
export function defaultHistoryDir(): string {
  const id = uid() ?? safeName(os.userInfo().username);
  return path.join(os.tmpdir(), `pulumi-nexudus-calls-${id}`);
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, "_") || "user";
}

/** How often, at most, the other processes' files are looked at (ms, not scaled). */
export const POLL_EVERY_MS = 1;

/** The longest window a history serves: the writes-per-day window (ms before the time factor). */
const DAY_MS = 86_400_000;

/** A record stamped later than now plus this (ms) is skipped (a clock stepped back, or planted). */
export const FUTURE_SKEW_MS = 2_000;
/** The longest line accepted (bytes); our lines are at most about 35. */
export const MAX_LINE_BYTES = 64;
/** At most this many bytes are read from one file in one poll. */
export const MAX_READ_PER_POLL = 256 * 1024;
/** A process starts a new file of its own when its current one grows past this (bytes). */
export const ROTATE_BYTES = 256 * 1024;
/** A file larger than this was not written by a history: it is skipped, never read. */
export const MAX_FILE_BYTES = 2 * ROTATE_BYTES;
/** At most this many files are looked at in one poll. */
export const MAX_FILES = 256;
/** A poll stops reading further files once it holds this many records (the rest come next). */
export const MAX_RECORDS_PER_POLL = 50_000;

/** The names the writer makes: `<pid>-<8 hex>.calls`. Only these are read or pruned. */
const OWN_NAME = /^\d{1,10}-[0-9a-f]{8}\.calls$/;
const LINE = /^([sa])(\d{1,12}),(\d{1,15})(?:,([wr]))?$/;

const O_NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

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

/** What a history skipped: lines that are not records (or out of range), and files. */
export interface HistoryGarbage {
  /** Lines skipped: not a record, too long, or stamped in the future or before the window. */
  lines: number;
  /** Files skipped: not regular (FIFO, socket, device, link), not ours, or too large. */
  files: number;
}

const processGarbage: HistoryGarbage = { lines: 0, files: 0 };

/** What every history of this process skipped so far (a copy). */
export function callHistoryGarbage(): HistoryGarbage {
  return { ...processGarbage };
}

/** The folder name of a key: a SHA-256 of base URL, identity and time factor (no credential). */
export function historyKey(baseUrl: string, identity: string, timeFactor: number): string {
  return createHash("sha256")
    .update(`${baseUrl}\n${identity}\n${timeFactor}`)
    .digest("hex")
    .slice(0, 32);
}

function refuse(folder: string, rule: string): NexudusConfigError {
  return new NexudusConfigError(
    "NEXUDUS_CALL_HISTORY",
    `The call history folder ${JSON.stringify(folder)} is refused: ${rule}. ` +
      `Fix it, or set NEXUDUS_CALL_HISTORY to another absolute folder (one of yours, mode 0700) ` +
      `or to "off"`,
    {
      setting: "callHistory",
      envVar: "NEXUDUS_CALL_HISTORY",
      rule: `the call history folder ${rule}`,
    },
  );
}

/**
 * Makes `folder` (mode 0700) unless it exists, then checks it: a folder, not a symlink, owned by
 * this user, not writable by group or others.
 * @throws {@link NexudusConfigError} naming the folder and the rule broken.
 */
export function ensureSafeFolder(folder: string, parents: boolean): void {
  try {
    fs.mkdirSync(folder, { recursive: parents, mode: 0o700 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EEXIST") throw refuse(folder, `cannot be made (${code ?? "error"})`);
  }
  let st: fs.Stats;
  try {
    st = fs.lstatSync(folder);
  } catch (e) {
    throw refuse(folder, `cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (st.isSymbolicLink()) throw refuse(folder, "is a symbolic link (it must be a real folder)");
  if (!st.isDirectory()) throw refuse(folder, "is not a folder");
  const me = uid();
  if (me === undefined) return; // no POSIX owners or modes (Windows)
  if (st.uid !== me) {
    throw refuse(folder, `is owned by uid ${st.uid}, not by this user (uid ${me})`);
  }
  if ((st.mode & 0o022) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, "0");
    throw refuse(folder, `is writable by group or others (mode ${mode}; it must be 0700 or 0755)`);
  }
}

interface Reader {
  offset: number;
  /** The start of a line not yet ended. */
  rest: string;
  /** Inside a line longer than {@link MAX_LINE_BYTES}: skip to its end. */
  skipping: boolean;
  /** Skipped for good (not regular, not ours, too large). */
  dead: boolean;
}

/** A history kept in files under `dir/<key>/`. */
export class FileCallHistory implements CallHistory {
  private readonly folder: string;
  private own: string;
  private ownBytes = 0;
  private fd: number | undefined;
  private readonly readers = new Map<string, Reader>();
  private readonly maxAgeMs: number;
  private lastPoll = -Infinity;
  private seq = 0;
  private broken = false;
  /** What this history skipped so far. */
  readonly garbage: HistoryGarbage = { lines: 0, files: 0 };
  /** The names of this process's own files (the current one last). */
  readonly ownFiles: string[] = [];

  /**
   * @param dir the base folder (made if missing; refused if unsafe, see {@link ensureSafeFolder})
   * @throws {@link NexudusConfigError} when the base or key folder is unsafe.
   */
  constructor(dir: string, key: string, timeFactor: number, now: number = Date.now()) {
    if (!/^[0-9a-zA-Z_-]{1,64}$/.test(key)) throw refuse(key, "is not a history key");
    this.folder = path.join(dir, key);
    this.maxAgeMs = DAY_MS * timeFactor;
    this.own = this.newName();
    ensureSafeFolder(dir, true);
    ensureSafeFolder(this.folder, false);
    this.prune(now);
  }

  private newName(): string {
    const name = `${process.pid}-${randomBytes(4).toString("hex")}.calls`;
    this.ownFiles.push(name);
    return name;
  }

  /** Removes the files this history's writer made that are older than the longest window. */
  private prune(now: number): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.folder);
    } catch {
      return;
    }
    const me = uid();
    for (const name of names) {
      if (!OWN_NAME.test(name)) continue;
      const file = path.join(this.folder, name);
      try {
        const st = fs.lstatSync(file); // never follows a link
        if (!st.isFile() || (me !== undefined && st.uid !== me)) continue;
        if (now - st.mtimeMs > this.maxAgeMs) fs.unlinkSync(file);
      } catch {
        // another process removed it first
      }
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
      if (this.fd !== undefined && this.ownBytes >= ROTATE_BYTES) {
        fs.closeSync(this.fd);
        this.fd = undefined;
        this.own = this.newName();
        this.ownBytes = 0;
        this.prune(Date.now());
      }
      this.fd ??= fs.openSync(
        path.join(this.folder, this.own),
        fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | O_NOFOLLOW,
        0o600,
      );
      this.ownBytes += fs.writeSync(this.fd, line);
    } catch {
      this.broken = true;
    }
  }

  private skipLine(): void {
    this.garbage.lines++;
    processGarbage.lines++;
  }

  private skipFile(reader: Reader): void {
    reader.dead = true;
    this.garbage.files++;
    processGarbage.files++;
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
    const mine = new Set(this.ownFiles);
    const seen = new Set<string>();
    const me = uid();
    let complete = true;
    for (const name of names) {
      if (seen.size >= MAX_FILES || out.length >= MAX_RECORDS_PER_POLL) {
        complete = false; // the rest next time, from where each file was left
        break;
      }
      if (mine.has(name) || !name.endsWith(".calls")) continue;
      seen.add(name);
      let reader = this.readers.get(name);
      if (!reader) {
        reader = { offset: 0, rest: "", skipping: false, dead: false };
        this.readers.set(name, reader);
        if (!OWN_NAME.test(name)) this.skipFile(reader);
      }
      if (reader.dead) continue;
      let fd: number | undefined;
      try {
        // Never follows a link, never blocks on a FIFO; fstat then tells what was opened.
        fd = fs.openSync(
          path.join(this.folder, name),
          fs.constants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK,
        );
        const st = fs.fstatSync(fd);
        if (!st.isFile() || (me !== undefined && st.uid !== me) || st.size > MAX_FILE_BYTES) {
          this.skipFile(reader);
          continue;
        }
        if (st.size < reader.offset) reader.offset = st.size; // truncated: only what comes next
        if (st.size <= reader.offset) continue;
        const length = Math.min(st.size - reader.offset, MAX_READ_PER_POLL);
        const buf = Buffer.alloc(length);
        const got = fs.readSync(fd, buf, 0, length, reader.offset);
        reader.offset += got;
        this.parse(name, reader, buf.subarray(0, got).toString("latin1"), now, out);
      } catch (e) {
        // ELOOP: a symlink; ENXIO and the like: not a file to read. ENOENT: it went away.
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") this.skipFile(reader);
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    }
    // Forget the files that went away (only after a look at every name: a file not reached
    // this time keeps its offset, so that no record is counted twice).
    if (complete) {
      for (const name of this.readers.keys()) if (!seen.has(name)) this.readers.delete(name);
    }
    return out;
  }

  private parse(name: string, reader: Reader, chunk: string, now: number, out: ForeignCall[]) {
    const lines = chunk.split("\n");
    const last = lines.pop() ?? "";
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i]!;
      if (i === 0) {
        if (reader.skipping) {
          reader.skipping = false;
          reader.rest = "";
          continue; // the end of a line already counted as garbage
        }
        line = reader.rest + line;
        reader.rest = "";
      }
      this.accept(name, line, now, out);
    }
    if (lines.length === 0 && reader.skipping) return;
    const open = (lines.length === 0 ? reader.rest : "") + last;
    if (open.length > MAX_LINE_BYTES) {
      this.skipLine();
      reader.rest = "";
      reader.skipping = true;
    } else {
      reader.rest = open;
    }
  }

  private accept(name: string, line: string, now: number, out: ForeignCall[]): void {
    const m = line.length <= MAX_LINE_BYTES ? LINE.exec(line) : null;
    if (!m) return this.skipLine();
    const at = Number(m[3]);
    if (at > now + FUTURE_SKEW_MS || at < now - this.maxAgeMs) return this.skipLine();
    if ((m[1] === "s") !== (m[4] !== undefined)) return this.skipLine();
    const id = `${name}:${m[2]}`;
    if (m[1] === "s") out.push({ id, at, write: m[4] === "w" });
    else out.push({ id, at, write: false, answered: true });
  }

  /** Closes this process's file (tests). */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
