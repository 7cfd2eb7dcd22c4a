#!/usr/bin/env node
/**
 * `nexudus-webhooks`: the operator CLI. `list`, `health` and `export` the webhooks of a Nexudus
 * account, configured like the provider (flags, then `NEXUDUS_*` environment variables).
 *
 * `run()` is the whole program as a function (tests call it); the bin wrapper at the bottom
 * hands it the process' arguments, streams and environment and exits with its code.
 *
 * @module
 */
import { packageVersion } from "../client/version";
import { levenshtein } from "../client/levenshtein";
import { describeFailure, PROGRAM } from "./errors";
import { exportCommand } from "./export";
import { healthCommand } from "./health";
import { MAIN_HELP } from "./help";
import { EXIT, type CliIO } from "./io";
import { listCommand } from "./list";
import { pendingCommand } from "./pending";
import { UsageError } from "./options";

export { EXIT, type CliIO } from "./io";

const COMMANDS: Record<string, (argv: string[], io: CliIO) => Promise<number>> = {
  list: listCommand,
  health: healthCommand,
  export: exportCommand,
  pending: pendingCommand,
};

/** The command a typo most likely meant (`lst` → `list`), if one is close. */
function closestCommand(input: string): string | undefined {
  const lower = input.toLowerCase();
  const scored = Object.keys(COMMANDS).map((c) => ({ c, d: levenshtein(lower, c) }));
  scored.sort((x, y) => x.d - y.d);
  const best = scored[0];
  return best && best.d <= 2 ? best.c : undefined;
}

/**
 * Runs the CLI with `argv` (the arguments after the program name) and returns the exit code.
 * Never throws: every failure is one line on `io.stderr` and a code (see {@link EXIT}).
 */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  let command: string | undefined;
  try {
    if (first === undefined) {
      io.stderr.write(MAIN_HELP); // asked for nothing: the usage, as an error
      return EXIT.usage;
    }
    if (first === "--version" || first === "-v") {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    if (first === "--help" || first === "-h") {
      io.stdout.write(MAIN_HELP);
      return EXIT.ok;
    }
    if (first === "help") {
      const topic = rest[0];
      if (topic === undefined) {
        io.stdout.write(MAIN_HELP);
        return EXIT.ok;
      }
      if (!Object.hasOwn(COMMANDS, topic))
        throw new UsageError(`unknown command ${JSON.stringify(topic)}`);
      return await COMMANDS[topic]!(["--help"], io);
    }
    if (first.startsWith("-")) {
      throw new UsageError(`expected a command (list, health, export, pending) before ${first}`);
    }
    if (!Object.hasOwn(COMMANDS, first)) {
      const known = closestCommand(first);
      throw new UsageError(
        `unknown command ${JSON.stringify(first)}` +
          (known
            ? `; did you mean ${known}?`
            : "; the commands are list, health, export and pending"),
      );
    }
    command = first;
    return await COMMANDS[first]!(rest, io);
  } catch (e) {
    const { message, code } = describeFailure(e, command);
    io.stderr.write(`${PROGRAM}: ${message}\n`);
    return code;
  }
}

/** The bin: real streams and environment; exits with run()'s code. */
function main(): void {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    // `nexudus-webhooks list | head`: the reader went away; that is not an error.
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  void run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stderr.isTTY === true,
  }).then((code) => {
    process.exitCode = code;
  });
}

if (require.main === module) main();
