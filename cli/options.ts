/**
 * Command-line parsing shared by the commands: `node:util` `parseArgs` with strict checking, the
 * connection flags, and validation of the values (`--business`, `--action`, numbers).
 */
import { NexudusError } from "../client/errors";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { errorText } from "./io";
import { actionName, actionNumber, MAX_ACTION, MIN_ACTION, suggestAction } from "../client/actions";

/** A bad command line. `command` names the command whose `--help` the message points to. */
export class UsageError extends NexudusError {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

/** Flags every command that talks to Nexudus accepts. */
export const CONNECTION_OPTIONS = {
  "base-url": { type: "string" },
  token: { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** Values of the connection flags (all optional). */
export interface ConnectionFlags {
  "base-url"?: string;
  token?: string;
  username?: string;
  password?: string;
}

/** The flag values `parseArgs` returns for `options`. */
export type ParsedValues<O extends NonNullable<ParseArgsConfig["options"]>> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>["values"];

/** Largest id the API's 32-bit integer fields hold. */
const MAX_INT32 = 2_147_483_647;

/** Shortens a user-supplied value for an error message. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

/**
 * Parses `argv` with `options`, strictly: an unknown flag, a missing value or a positional
 * argument is a {@link UsageError} for `command`.
 */
export function parseCommand<O extends NonNullable<ParseArgsConfig["options"]>>(
  command: string,
  argv: string[],
  options: O,
): ParsedValues<O> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(parseArgsMessage(e), command);
  }
  const [extra] = parsed.positionals;
  if (extra !== undefined) {
    throw new UsageError(`${command} takes no argument ${quote(extra)}`, command);
  }
  return parsed.values;
}

/** `parseArgs`' own messages are clear but long; keep the first sentence. */
function parseArgsMessage(e: unknown): string {
  const text = errorText(e);
  const unknown = /^Unknown option '([^']+)'/.exec(text);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missing = /^Option '([^']+?)(?: <value>)?' argument missing/.exec(text);
  if (missing) return `${missing[1]} needs a value`;
  const firstSentence = text.split(/\.\s/)[0] ?? text;
  return firstSentence.replace(/\.$/, "");
}

/**
 * Location ids from repeated `--business` flags; each may also be a comma-separated list.
 * Duplicates are dropped; order is kept.
 */
export function parseBusinessIds(values: readonly string[] | undefined, command: string): number[] {
  const ids: number[] = [];
  for (const value of values ?? []) {
    for (const part of value.split(",")) {
      const text = part.trim();
      const n = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1 || n > MAX_INT32) {
        throw new UsageError(
          `--business must be a positive whole number (a Nexudus location id); got ${quote(part)}`,
          command,
        );
      }
      if (!ids.includes(n)) ids.push(n);
    }
  }
  return ids;
}

/**
 * An action given by name (`BookingCreate`, case-insensitive) or number (`6`), as its number. A
 * misspelt name is refused with the closest name.
 */
export function parseActionFlag(value: string, command: string): number {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (actionName(n) === undefined) {
      throw new UsageError(
        `--action ${text} is not a Nexudus webhook action; numbers run from ${MIN_ACTION} to ${MAX_ACTION}`,
        command,
      );
    }
    return n;
  }
  const exact = actionNumber(text);
  if (exact !== undefined) return exact;
  const suggestion = suggestAction(text);
  if (suggestion !== undefined && suggestion.toLowerCase() === text.toLowerCase()) {
    return actionNumber(suggestion)!;
  }
  throw new UsageError(
    `--action ${quote(value)} is not a Nexudus webhook action` +
      (suggestion
        ? `; did you mean ${suggestion}?`
        : " (give a name such as BookingCreate, or a number)"),
    command,
  );
}

/** A whole number of at least `min`. */
export function parseWholeNumber(
  flag: string,
  value: string,
  min: number,
  command: string,
): number {
  const text = value.trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(
      `${flag} must be a whole number of at least ${min}; got ${quote(value)}`,
      command,
    );
  }
  return n;
}

/** A number greater than zero (fractions allowed). */
export function parsePositiveNumber(flag: string, value: string, command: string): number {
  const text = value.trim();
  const n = Number(text);
  if (text === "" || !/^\d*\.?\d+$/.test(text) || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} must be a number greater than 0; got ${quote(value)}`, command);
  }
  return n;
}

/** The connection flags out of a parsed value bag. */
export function connectionFlags(values: Record<string, unknown>): ConnectionFlags {
  const flags: ConnectionFlags = {};
  for (const key of ["base-url", "token", "username", "password"] as const) {
    const v = values[key];
    if (typeof v === "string") flags[key] = v;
  }
  return flags;
}
