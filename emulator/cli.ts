#!/usr/bin/env node
/**
 * `nexudus-emulator`: runs the local Nexudus WebHook API emulator until SIGINT/SIGTERM.
 *
 *   nexudus-emulator --port 4010 --location 1234:HQ --user ops@example.com:secret:WebHook-List,WebHook-Read
 */
import { parseArgs } from "node:util";
import { packageVersion } from "../client/version";
import { startEmulator } from "./server";
import {
  DEFAULT_ADMIN,
  ROLES,
  type EmulatorHandle,
  type EmulatorLocation,
  type EmulatorUser,
  type Role,
  type StartEmulatorOptions,
} from "./types";

/** The port the CLI listens on when `--port` is not given. */
export const DEFAULT_CLI_PORT = 4010;

/** The `--help` text. */
export const USAGE = `Usage: nexudus-emulator [options]

Runs a local emulator of the Nexudus WebHook API on 127.0.0.1.

Options:
  --port N               TCP port (default ${DEFAULT_CLI_PORT}; 0 picks a free one)
  --location ID[:NAME]   a location (BusinessId) webhooks may use; repeatable (default 1234:HQ)
  --user EMAIL:PASSWORD:ROLE[,ROLE...]
                         a user; repeatable; replaces the default admin
                         (roles: ${ROLES.join(", ")})
  --token TOKEN          a bearer API token of the first user (default admin: ${DEFAULT_ADMIN.apiTokens?.[0] ?? ""}); repeatable
  --rate-limits          enforce the documented rate limits (default: off)
  --time-factor F        scale the rate-limit windows and intervals by F > 0 (default 1)
  --shared-secret S      sign deliveries with X-Nexudus-Hook-Signature
  --state-file FILE      keep the records in FILE (loaded at start, written after each change)
  -v, --version          print the package version
  -h, --help             show this help

Admin endpoints (no auth): GET/DELETE /__emulator/requests, GET /__emulator/records,
POST/DELETE /__emulator/faults, POST /__emulator/fire, POST /__emulator/expire-tokens.
`;

/** A command-line error: the message names the flag; the process exits with code 2. */
export class CliUsageError extends Error {
  override readonly name = "CliUsageError";
}

/** What the command line asks for. */
export type CliCommand =
  { kind: "help" } | { kind: "version" } | { kind: "run"; options: StartEmulatorOptions };

function parseLocation(v: string): EmulatorLocation {
  const m = /^(\d+)(?::(.*))?$/.exec(v.trim());
  const id = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(id) || id <= 0) {
    throw new CliUsageError(
      `--location must be ID or ID:NAME with a positive integer ID (got "${v}")`,
    );
  }
  const name = (m[2] ?? "").trim();
  return { id, name: name === "" ? `Location ${id}` : name };
}

function parseUser(v: string): EmulatorUser {
  const first = v.indexOf(":");
  const last = v.lastIndexOf(":");
  if (first <= 0 || last === first) {
    throw new CliUsageError(`--user must be EMAIL:PASSWORD:ROLE[,ROLE...] (got "${v}")`);
  }
  const username = v.slice(0, first);
  const password = v.slice(first + 1, last);
  const roles = v
    .slice(last + 1)
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "");
  if (roles.length === 0) {
    throw new CliUsageError(`--user ${username}: give at least one role (${ROLES.join(", ")})`);
  }
  for (const r of roles) {
    if (!ROLES.includes(r as Role)) {
      throw new CliUsageError(
        `--user ${username}: unknown role "${r}" (known: ${ROLES.join(", ")})`,
      );
    }
  }
  return { username, password, roles: roles as Role[] };
}

function parseNumber(flag: string, v: string, ok: (n: number) => boolean, rule: string): number {
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || !ok(n)) {
    throw new CliUsageError(`--${flag} must be ${rule} (got "${v}")`);
  }
  return n;
}

/** Parses the command line (without `node` and the script). Throws {@link CliUsageError}. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        location: { type: "string", multiple: true },
        user: { type: "string", multiple: true },
        token: { type: "string", multiple: true },
        "rate-limits": { type: "boolean" },
        "time-factor": { type: "string" },
        "shared-secret": { type: "string" },
        "state-file": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    }));
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };

  const options: StartEmulatorOptions = {
    port:
      values.port === undefined
        ? DEFAULT_CLI_PORT
        : parseNumber(
            "port",
            values.port,
            (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
            "an integer in 0..65535",
          ),
  };
  if (values.location) {
    options.locations = values.location.map(parseLocation);
    const ids = options.locations.map((l) => l.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new CliUsageError(`--location ${dup} is given twice`);
  }
  const users: EmulatorUser[] = values.user
    ? values.user.map(parseUser)
    : [{ ...DEFAULT_ADMIN, roles: [...DEFAULT_ADMIN.roles] }];
  const first = users[0];
  if (first) {
    if (values.token) {
      for (const t of values.token) {
        if (t.trim() === "") throw new CliUsageError("--token must not be empty");
      }
      first.apiTokens = [...values.token];
    } else if (!values.user) {
      first.apiTokens = [...(DEFAULT_ADMIN.apiTokens ?? [])];
    }
  }
  const names = users.map((u) => u.username.toLowerCase());
  const dupUser = names.find((n, i) => names.indexOf(n) !== i);
  if (dupUser !== undefined) throw new CliUsageError(`--user ${dupUser} is given twice`);
  options.users = users;
  if (values["rate-limits"]) options.rateLimits = {};
  if (values["time-factor"] !== undefined) {
    options.timeFactor = parseNumber(
      "time-factor",
      values["time-factor"],
      (n) => n > 0,
      "a number > 0",
    );
  }
  if (values["shared-secret"] !== undefined) {
    if (values["shared-secret"] === "")
      throw new CliUsageError("--shared-secret must not be empty");
    options.sharedSecret = values["shared-secret"];
  }
  if (values["state-file"] !== undefined) {
    if (values["state-file"] === "") throw new CliUsageError("--state-file must not be empty");
    options.stateFile = values["state-file"];
  }
  return { kind: "run", options };
}

/** The start-up banner: the URL and every user's credentials. */
export function banner(emu: EmulatorHandle, options: StartEmulatorOptions): string {
  const lines = [`Nexudus emulator listening on ${emu.url}`];
  const locations = options.locations ?? [{ id: 1234, name: "HQ" }];
  lines.push(`  locations: ${locations.map((l) => `${l.id} (${l.name})`).join(", ")}`);
  for (const u of options.users ?? []) {
    const tokens =
      u.apiTokens && u.apiTokens.length > 0 ? `  token: ${u.apiTokens.join(", ")}` : "";
    lines.push(
      `  user: ${u.username}  password: ${u.password}  roles: ${u.roles.join(",")}${tokens}`,
    );
  }
  const tf = options.timeFactor ?? 1;
  lines.push(
    `  rate limits: ${options.rateLimits === undefined ? "off" : "on"}  time factor: ${tf}`,
  );
  lines.push(`  deliveries signed: ${options.sharedSecret === undefined ? "no" : "yes"}`);
  if (options.stateFile !== undefined) lines.push(`  state file: ${options.stateFile}`);
  lines.push("Press Ctrl+C to stop.");
  return lines.join("\n");
}

/**
 * Runs the CLI; resolves with the process exit code once the emulator has stopped (or at once on
 * `--help` and errors).
 */
export async function main(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void } = {
    out: (s) => process.stdout.write(s + "\n"),
    err: (s) => process.stderr.write(s + "\n"),
  },
): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArgs(argv);
  } catch (e) {
    if (e instanceof CliUsageError) {
      io.err(`nexudus-emulator: ${e.message}\nRun nexudus-emulator --help for the options.`);
      return 2;
    }
    throw e;
  }
  if (command.kind === "help") {
    io.out(USAGE);
    return 0;
  }
  if (command.kind === "version") {
    io.out(packageVersion());
    return 0;
  }
  let emu: EmulatorHandle;
  try {
    emu = await startEmulator(command.options);
  } catch (e) {
    io.err(`nexudus-emulator: cannot start: ${(e as Error).message}`);
    return 1;
  }
  io.out(banner(emu, command.options));
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      io.out(`Received ${signal}, stopping.`);
      emu.stop().then(
        () => resolve(0),
        (e: unknown) => {
          io.err(`nexudus-emulator: error while stopping: ${String(e)}`);
          resolve(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      // Exit at once: idle keep-alive sockets of past deliveries must not hold the process.
      process.exit(code);
    },
    (e: unknown) => {
      process.stderr.write(`nexudus-emulator: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
