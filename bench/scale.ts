/**
 * `npm run bench -- --scale`: the account of 3,000 webhooks, time-scaled. Every run
 * drives the REAL dynamic-provider host over gRPC against the emulator with the documented limits
 * on, each command in its own host process:
 * - `firstUp`: one `up` of N new webhooks at N/10 locations (one user); it crosses the hourly limit
 *   when creates need more than 5,000 calls. Bound: the write-limited schedule of N creates
 *   (bench/bound.ts), so the ratio shows what every call beyond the POSTs costs;
 * - `secondCommand`: right after it, in the same (scaled) hour and with the same user, a second
 *   command: `refresh` in `get` mode (one GET each, the heaviest refresh), which takes the account
 *   past 5,000 calls an hour. Counted: its calls, throttled answers, failed steps;
 * - `twoStacks`: two stacks of N/2 webhooks each refreshing at once in `get` mode, one user;
 * - `refresh`: `refresh` of the N webhooks in the default `account` mode (a new user);
 * - `rtt150`: converging 100 new webhooks with a 150 ms round trip (the emulator's `delay` fault
 *   on every request, scaled like every other wait), against the bound of the calls made;
 * - `programMemory`: a program of 300 `WebhookSet`s of 10 hooks under `setMocks`, in its own
 *   process (bench/programMemory.ts), ended as the language host ends a program; beside it the
 *   same hooks as standalone `WebHook`s, and the sets' program also waiting on every webhookId.
 *
 * @module
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startEmulator, type EmulatorHandle, type RequestLogEntry } from "../emulator";
import { withInputs, type CapturedResource } from "../testing/capture";
import { Engine } from "../testing/engine";
import { lowerBoundMs } from "./bound";
import type { ProgramEnd, ProgramMemoryResult } from "./programMemory";
import {
  boundOfCalls,
  callSpan,
  copyState,
  count,
  hostFor,
  log,
  newUser,
  now,
  ratio,
  seconds,
  type ConvergeResult,
} from "./common";

/** Options of {@link runScale}. */
export interface ScaleOptions {
  /** Webhooks (default 3000), 10 per location. */
  n: number;
  /** Time factor of the scale runs (default 0.02: an hour lasts 72 s). */
  timeFactor: number;
  /** Time factor of the round-trip run (default 0.1, as the converge runs). */
  rttTimeFactor: number;
  /** Sets of the program-memory run (default 300, 10 hooks each). */
  memorySets: number;
}

/** The `scale` object of bench/results.json. */
export interface ScaleResults {
  timeFactor: number;
  /** `boundSeconds`: the write-limited bound (N creates, nothing else, as early as allowed). */
  firstUp: Pick<
    ConvergeResult,
    | "n"
    | "calls"
    | "writes"
    | "reads"
    | "throttled"
    | "errors"
    | "seconds"
    | "boundSeconds"
    | "ratio"
    | "firstCallSeconds"
    | "callSpanSeconds"
  > & {
    locations: number;
    /** The bound of the calls this run made (writes and reads). */
    callsBoundSeconds: number;
  };
  refresh: { n: number; locations: number; calls: number; gets: number; seconds: number };
  secondCommand: {
    what: string;
    calls: number;
    throttled: number;
    failed: number;
    seconds: number;
    /** Calls of the user within the hour before the command started. */
    callsInHourBefore: number;
  };
  twoStacks: { n: number; calls: number; throttled: number; failed: number; seconds: number };
  rtt150: {
    n: number;
    rttMs: number;
    timeFactor: number;
    calls: number;
    throttled: number;
    seconds: number;
    /** From the `up`'s start to the first request, and from the first request to the last. */
    firstCallSeconds: number;
    callSpanSeconds: number;
    boundSeconds: number;
    ratio: number;
  };
  programMemory: {
    sets: number;
    hooksPerSet: number;
    peakMb: number;
    retainedMb: number | null;
    /** The same hooks as standalone WebHooks, for comparison. */
    webhooksPeakMb: number;
    webhooksRetainedMb: number | null;
    /** The sets' program also waiting on every hook's webhookId (one `pulumi.all`). */
    allOutputsPeakMb: number;
  };
}

const LOCATION_BASE = 5000;
const PER_LOCATION = 10;
const ACTIONS = [6, 7, 8, 3, 2, 21, 16, 10, 11, 57];

/** N webhooks, 10 per location. */
function accountFleet(template: CapturedResource, n: number, prefix: string): CapturedResource[] {
  return Array.from({ length: n }, (_, i) =>
    withInputs(
      template,
      {
        businessId: LOCATION_BASE + Math.floor(i / PER_LOCATION),
        action: ACTIONS[i % PER_LOCATION]!,
        name: `${prefix} ${i}`,
        url: `https://hooks.example.com/nexudus/${prefix}/${i}`,
        description: i % 2 === 0 ? `scale webhook ${i}` : undefined,
      },
      `${prefix}-${i}`,
    ),
  );
}

async function programMemory(
  kind: "sets" | "webhooks",
  sets: number,
  wait: ProgramEnd = "drain",
): Promise<ProgramMemoryResult> {
  const run = promisify(execFile);
  const { stdout } = await run(
    process.execPath,
    [
      "--expose-gc",
      "-r",
      "ts-node/register/transpile-only",
      path.join(__dirname, "programMemory.ts"),
      "--kind",
      kind,
      "--sets",
      String(sets),
      "--hooks",
      "10",
      "--wait",
      wait,
    ],
    { cwd: path.resolve(__dirname, ".."), maxBuffer: 1024 * 1024, timeout: 600_000 },
  );
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as ProgramMemoryResult;
}

/** Runs the scale scenarios (a few minutes at the defaults). */
export async function runScale(
  template: CapturedResource,
  opts: ScaleOptions,
): Promise<ScaleResults> {
  const f = opts.timeFactor;
  const n = opts.n;
  const locations = Math.ceil(n / PER_LOCATION);
  // A fresh call-history folder: no call of an earlier run counts.
  const historyDir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-nexudus-bench-calls-"));
  const previousHistory = process.env.NEXUDUS_CALL_HISTORY;
  process.env.NEXUDUS_CALL_HISTORY = historyDir;
  const emulator = await startEmulator({
    port: 0,
    locations: Array.from({ length: locations }, (_, i) => ({
      id: LOCATION_BASE + i,
      name: `Location ${i}`,
    })),
    rateLimits: {},
    timeFactor: f,
  });
  try {
    log(
      `scale: N = ${n} at ${locations} locations, time factor ${f} (an hour lasts ${3600 * f} s)`,
    );
    // ---- first up ------------------------------------------------------------------------------
    const owner = newUser(emulator, "scale-owner");
    const desired = accountFleet(template, n, "scale");
    const upHost = await hostFor(f, owner.config());
    const engine = new Engine(upHost, { parallel: n });
    const since = Date.now();
    const t0 = now();
    let up;
    try {
      up = await engine.up(desired, { parallel: n, throwOnError: false });
    } finally {
      await upHost.stop();
    }
    const upMs = now() - t0;
    const upLog = owner.requests(since);
    const upCalls = count(upLog);
    const { first: firstAt, last: lastAt } = callSpan(upLog, since);
    const firstUp: ScaleResults["firstUp"] = {
      n,
      locations,
      calls: upCalls.calls,
      writes: upCalls.writes,
      reads: upCalls.reads,
      throttled: upCalls.throttled,
      errors: up.errors.length,
      seconds: seconds(upMs),
      firstCallSeconds: seconds(firstAt - since),
      callSpanSeconds: seconds(lastAt - firstAt),
      boundSeconds: seconds(lowerBoundMs({ writes: n, reads: 0 }, { timeFactor: f })),
      ratio: 0,
      callsBoundSeconds: seconds(boundOfCalls(upCalls, f)),
    };
    firstUp.ratio = ratio(firstUp.seconds, firstUp.boundSeconds);
    log(
      `first up N=${n}: ${upCalls.calls} calls (${upCalls.writes} writes, ${upCalls.reads} reads, ` +
        `${upCalls.throttled} × 409, ${up.errors.length} errors) in ${firstUp.seconds} s ` +
        `(first call after ${firstUp.firstCallSeconds} s, calls span ${firstUp.callSpanSeconds} s); ` +
        `write-limited bound ${firstUp.boundSeconds} s: ${firstUp.ratio}×`,
    );

    // ---- a second command within the hour: refresh in get mode ---------------------------------
    const hourMs = 3_600_000 * f;
    const secondSince = Date.now();
    const callsInHourBefore = owner
      .requests(secondSince - hourMs)
      .filter((r) => r.status !== 409).length;
    const secondHost = await hostFor(f, owner.config({ "nexudus:refreshMode": "get" }));
    let secondCommand: ScaleResults["secondCommand"];
    try {
      const second = new Engine(secondHost, { parallel: n });
      copyState(engine, second);
      const t1 = now();
      const r = await second.refresh({ parallel: n, throwOnError: false });
      const c = count(owner.requests(secondSince));
      secondCommand = {
        what: `refresh of ${n} in get mode right after the first up, same user`,
        calls: c.calls,
        throttled: c.throttled,
        failed: r.errors.length,
        seconds: seconds(now() - t1),
        callsInHourBefore,
      };
    } finally {
      await secondHost.stop();
    }
    log(
      `second command: ${secondCommand.calls} calls, ${secondCommand.throttled} × 409, ` +
        `${secondCommand.failed} failed, ${secondCommand.seconds} s (${callsInHourBefore} calls in the hour before)`,
    );

    // ---- refresh in the default account mode -----------------------------------------------------
    const reader = newUser(emulator, "scale-reader");
    const refreshHost = await hostFor(f, reader.config());
    let refresh: ScaleResults["refresh"];
    try {
      const copy = new Engine(refreshHost, { parallel: n });
      copyState(engine, copy);
      const rSince = Date.now();
      const t2 = now();
      const r = await copy.refresh({ parallel: n, throwOnError: false });
      const c = count(reader.requests(rSince));
      refresh = { n, locations, calls: c.calls, gets: c.gets, seconds: seconds(now() - t2) };
      if (r.errors.length > 0) throw new Error(`scale refresh: ${r.errors.length} reads failed`);
    } finally {
      await refreshHost.stop();
    }
    log(
      `refresh N=${n} (account): ${refresh.calls} calls (${refresh.gets} GET), ${refresh.seconds} s`,
    );

    // ---- two stacks at once, one user ----------------------------------------------------------------
    const shared = newUser(emulator, "scale-two-stacks");
    const entries = engine.snapshot().resources;
    const halves = [entries.slice(0, entries.length / 2), entries.slice(entries.length / 2)];
    const hosts = await Promise.all(
      halves.map(() => hostFor(f, shared.config({ "nexudus:refreshMode": "get" }))),
    );
    let twoStacks: ScaleResults["twoStacks"];
    try {
      const tSince = Date.now();
      const t3 = now();
      const results = await Promise.all(
        hosts.map((h, i) => {
          const e = new Engine(h, { parallel: n });
          for (const entry of halves[i]!) e.state.set(entry.urn, entry);
          return e.refresh({ parallel: n, throwOnError: false });
        }),
      );
      const c = count(shared.requests(tSince));
      twoStacks = {
        n,
        calls: c.calls,
        throttled: c.throttled,
        failed: results.reduce((sum, r) => sum + r.errors.length, 0),
        seconds: seconds(now() - t3),
      };
    } finally {
      await Promise.all(hosts.map((h) => h.stop()));
    }
    log(
      `two stacks (refresh ${n / 2} each in get mode, one user): ${twoStacks.calls} calls, ` +
        `${twoStacks.throttled} × 409, ${twoStacks.failed} failed, ${twoStacks.seconds} s`,
    );

    // ---- converge 100 with a 150 ms round trip -------------------------------------------------------
    const rtt150 = await convergeWithRtt(template, 100, 150, opts.rttTimeFactor);

    // ---- program memory ----------------------------------------------------------------------------------
    const sets = await programMemory("sets", opts.memorySets);
    const hooks = await programMemory("webhooks", opts.memorySets);
    const allOutputs = await programMemory("sets", opts.memorySets, "outputs");
    log(
      `program memory: ${sets.sets} sets × ${sets.hooksPerSet}: peak ${sets.peakMb} MB ` +
        `(after GC ${sets.retainedMb} MB); as WebHooks: ${hooks.peakMb} MB (${hooks.retainedMb} MB); ` +
        `sets waiting on every webhookId: ${allOutputs.peakMb} MB`,
    );
    return {
      timeFactor: f,
      firstUp,
      refresh,
      secondCommand,
      twoStacks,
      rtt150,
      programMemory: {
        sets: sets.sets,
        hooksPerSet: sets.hooksPerSet,
        peakMb: sets.peakMb,
        retainedMb: sets.retainedMb,
        webhooksPeakMb: hooks.peakMb,
        webhooksRetainedMb: hooks.retainedMb,
        allOutputsPeakMb: allOutputs.peakMb,
      },
    };
  } finally {
    await emulator.stop();
    if (previousHistory === undefined) delete process.env.NEXUDUS_CALL_HISTORY;
    else process.env.NEXUDUS_CALL_HISTORY = previousHistory;
    fs.rmSync(historyDir, { recursive: true, force: true });
  }
}

/**
 * One `up` of `n` new webhooks at one location with every request delayed `rttMs` × factor.
 * `onRequests` receives the user's request log of the `up` (for `--timeline`).
 */
export async function convergeWithRtt(
  template: CapturedResource,
  n: number,
  rttMs: number,
  f: number,
  onRequests?: (requests: RequestLogEntry[]) => void,
): Promise<ScaleResults["rtt150"]> {
  const emulator: EmulatorHandle = await startEmulator({
    port: 0,
    locations: [{ id: LOCATION_BASE, name: "RTT" }],
    rateLimits: {},
    timeFactor: f,
  });
  try {
    emulator.injectFault({ route: "*", kind: "delay", delayMs: rttMs * f, times: Infinity });
    const user = newUser(emulator, "rtt");
    const host = await hostFor(f, user.config());
    try {
      const engine = new Engine(host, { parallel: n });
      const desired = accountFleet(template, n, "rtt").map((d) =>
        withInputs(d, { businessId: LOCATION_BASE }),
      );
      const since = Date.now();
      const t0 = now();
      const up = await engine.up(desired, { parallel: n, throwOnError: false });
      const ms = now() - t0;
      const requests = user.requests(since);
      const c = count(requests);
      onRequests?.(requests);
      if (up.errors.length > 0) throw new Error(`rtt converge: ${up.errors.length} errors`);
      const { first: firstAt, last: lastAt } = callSpan(requests, since);
      const bound = boundOfCalls(c, f);
      const result = {
        n,
        rttMs,
        timeFactor: f,
        calls: c.calls,
        throttled: c.throttled,
        seconds: seconds(ms),
        firstCallSeconds: seconds(firstAt - since),
        callSpanSeconds: seconds(lastAt - firstAt),
        boundSeconds: seconds(bound),
        ratio: ratio(ms, bound),
      };
      log(
        `converge ${n} with a ${rttMs} ms round trip (× ${f}): ${c.calls} calls (${c.throttled} × 409) ` +
          `in ${result.seconds} s (first call after ${result.firstCallSeconds} s, calls span ${result.callSpanSeconds} s), ` +
          `bound ${result.boundSeconds} s: ${result.ratio}×`,
      );
      return result;
    } finally {
      await host.stop();
    }
  } finally {
    await emulator.stop();
  }
}
