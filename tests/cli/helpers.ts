/**
 * Helpers for the CLI tests: run the CLI as a function with captured output, against an emulator.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { run } from "../../cli/main";

/** What one CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link cli}. */
export interface CliOptions {
  isTTY?: boolean;
  now?: number;
  cwd?: string;
}

/** Runs `nexudus-webhooks <argv>` in-process with this environment. */
export async function cli(
  argv: string[],
  env: Record<string, string | undefined>,
  opts: CliOptions = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    isTTY: opts.isTTY ?? false,
    ...(opts.now !== undefined ? { now: () => opts.now! } : {}),
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  return { code, stdout, stderr };
}

/** The admin's bearer token of every emulator. */
export const ADMIN_TOKEN = "emulator-admin-token";

/**
 * The environment of a CLI configured for `emu` with the admin token; the time factor shortens
 * the client's waits (rate limiter, Retry-After, backoff) so throttling tests stay quick.
 */
export function envFor(
  emu: Pick<EmulatorHandle, "url">,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    NEXUDUS_BASE_URL: emu.url,
    NEXUDUS_TOKEN: ADMIN_TOKEN,
    NEXUDUS_TIME_FACTOR: "0.01",
    ...extra,
  };
}

/**
 * The emulator most CLI suites run against, with two locations (HQ 1234, Annex 5678), and the
 * environment that points the CLI at it (see {@link envFor}).
 */
export async function startCliEmulator(): Promise<{
  emu: EmulatorHandle;
  env: Record<string, string | undefined>;
}> {
  const emu = await startEmulator({
    locations: [
      { id: 1234, name: "HQ" },
      { id: 5678, name: "Annex" },
    ],
  });
  return { emu, env: envFor(emu) };
}

/** The API requests of `route` in the emulator's log. */
export function requestsOf(emu: EmulatorHandle, route: string) {
  return emu.requests().filter((r) => r.route === route);
}

/** Splits a table into rows of cells (columns are separated by at least two spaces). */
export function tableRows(text: string): string[][] {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => line.trim().split(/\s{2,}/));
}
