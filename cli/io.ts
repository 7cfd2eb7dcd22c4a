/**
 * What a command reads and writes: streams, environment, clock. `run()` takes it as an argument
 * so tests call the CLI as a function; the bin wrapper passes the real process streams.
 */

/** A stream the CLI writes text to. */
export interface TextSink {
  write(chunk: string): unknown;
}

/** The CLI's view of the outside world. */
export interface CliIO {
  /** Results: tables, JSON, generated code. */
  stdout: TextSink;
  /** Errors, warnings, progress and summaries meant for a person. */
  stderr: TextSink;
  /** The environment (`NEXUDUS_*`). */
  env: Record<string, string | undefined>;
  /** Whether stderr is a terminal: progress lines are drawn only then. */
  isTTY?: boolean;
  /** The clock, ms since the epoch (default `Date.now`), for `health --stale`. */
  now?: () => number;
  /** Directory `--out` paths are relative to (default `process.cwd()`). */
  cwd?: string;
}

/** Exit codes, as documented in `--help` and the README (Operator CLI). */
export const EXIT = {
  /** Success (for `health`: nothing flagged). */
  ok: 0,
  /** `health` flagged at least one webhook. */
  flagged: 1,
  /** Bad command line: unknown command or flag, bad value. */
  usage: 2,
  /** Configuration: missing or invalid credentials or base URL. */
  config: 3,
  /** The API failed: refused credential or role, throttling, network, server error. */
  api: 4,
} as const;

const CLEAR_LINE = "\r\x1b[2K";

/**
 * A one-line progress indicator on stderr, redrawn in place. Silent when stderr is not a terminal,
 * so logs and pipes never see it.
 */
export class Progress {
  private shown = false;

  constructor(private readonly io: CliIO) {}

  /** Replaces the progress line with `text` (terminal only). */
  update(text: string): void {
    if (!this.io.isTTY) return;
    this.io.stderr.write(`${CLEAR_LINE}${text}`);
    this.shown = true;
  }

  /** Erases the progress line, if one is shown. */
  done(): void {
    if (!this.shown) return;
    this.io.stderr.write(CLEAR_LINE);
    this.shown = false;
  }
}

/**
 * The message of any thrown value. Not `instanceof Error`: under some runners (jest) node's own
 * errors come from another realm.
 */
export function errorText(e: unknown): string {
  const message = (e as { message?: unknown } | null)?.message;
  return typeof message === "string" ? message : String(e);
}
