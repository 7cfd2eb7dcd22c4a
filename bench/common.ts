/**
 * Helpers shared by the benchmark's phases (bench/run.ts) and its scale phases (bench/scale.ts):
 * emulator users, hosts, call counts and ratios, state copies, the progress log.
 */
import type { EmulatorHandle, RequestLogEntry } from "../emulator";
import type { Engine } from "../testing/engine";
import { startHost, type ConfigValue, type Host } from "../testing/host";
import { lowerBoundMs } from "./bound";

/** One converge run. */
export interface ConvergeResult {
  n: number;
  /** API calls answered (not throttled). */
  calls: number;
  writes: number;
  reads: number;
  /** 409 answers (throttled requests the client retried). */
  throttled: number;
  /** Steps that failed (surfaced errors). */
  errors: number;
  /** Wall time of the `up`, from the engine's first Check to the last step's end. */
  seconds: number;
  /** From the `up`'s start to the first API request (host and provider start-up). */
  firstCallSeconds: number;
  /** From the first API request to the last one, as the emulator saw them arrive. */
  callSpanSeconds: number;
  /** The ideal schedule of the same calls, first call to last (bench/bound.ts). */
  boundSeconds: number;
  /** seconds / boundSeconds. */
  ratio: number;
  /** callSpanSeconds / boundSeconds: the pacing alone, without start-up and the last answer. */
  spanRatio: number;
  /** Host check + diff time per resource (a no-change preview at parallel 10), in ms. */
  checkDiffMsPerResource: number;
  /** Calls of a no-change `up` right after. */
  noChangeUpCalls: number;
  /** Peak resident memory of the host process (VmHWM), in MB; null where /proc is missing. */
  hostPeakRssMb: number | null;
}

let userSeq = 0;

/** A fresh emulator user (own rate-limit windows) and its stack config. */
export function newUser(emulator: EmulatorHandle, label: string) {
  userSeq++;
  const username = `bench-${userSeq}-${label}@example.com`;
  const token = `bench-token-${userSeq}-${label}`;
  emulator.addUser({
    username,
    password: `pw-${userSeq}`,
    roles: ["Administrator"],
    apiTokens: [token],
  });
  const config = (extra: Record<string, ConfigValue> = {}): Record<string, ConfigValue> => ({
    "nexudus:baseUrl": emulator.url,
    "nexudus:token": { secret: token },
    ...extra,
  });
  const requests = (since = 0): RequestLogEntry[] =>
    emulator.requests().filter((r) => r.client === username && r.time >= since);
  return { username, config, requests };
}

export async function hostFor(
  timeFactor: number,
  config: Record<string, ConfigValue>,
): Promise<Host> {
  const host = await startHost({ env: { NEXUDUS_TIME_FACTOR: String(timeFactor) } });
  await host.configure(config);
  return host;
}

export function count(log: RequestLogEntry[]) {
  const answered = log.filter((r) => r.status !== 409);
  return {
    calls: answered.length,
    writes: answered.filter((r) => r.method !== "GET").length,
    reads: answered.filter((r) => r.method === "GET").length,
    searches: answered.filter((r) => r.route === "search").length,
    gets: answered.filter((r) => r.route === "get").length,
    throttled: log.length - answered.length,
  };
}

export const seconds = (ms: number): number => Math.round(ms) / 1000;
/** `a / b` rounded to 3 decimals (a bound is never 0; guarded anyway). */
export const ratio = (a: number, b: number): number =>
  Math.round((a / Math.max(b, 1e-9)) * 1000) / 1000;

/**
 * The lower bound of the calls a converge made (bench/bound.ts): each of its reads (a search
 * page, a GET) waits for a write.
 */
export const boundOfCalls = (c: { writes: number; reads: number }, timeFactor: number): number =>
  lowerBoundMs({ writes: c.writes, reads: c.reads, dependentReads: c.reads }, { timeFactor });

/** When a run's first and last calls reached the server (both `since` when it made none). */
export function callSpan(requests: RequestLogEntry[], since: number) {
  const first = requests[0]?.time ?? since;
  return { first, last: requests[requests.length - 1]?.time ?? first };
}
export const now = (): number => performance.now();

export function copyState(from: Engine, to: Engine): void {
  for (const e of from.snapshot().resources) to.state.set(e.urn, e);
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
