/**
 * `npm run bench`: how close the WebHook provider runs to the Nexudus API's rate limits.
 *
 * Starts the emulator in-process with the documented limits on and a time factor (a minute lasts
 * 60 s × factor), drives the REAL dynamic-provider host over gRPC (testing/: the engine's
 * calls in the engine's shapes), and prints one table:
 * - API calls per operation (check, diff, create, update, read, delete) and for a no-change `up`;
 * - converging N new webhooks (one `up`, parallel N, so the limiter is the bottleneck) for each N:
 *   calls, 409s, wall time, and the lower bound the limits allow for the calls made (bench/bound.ts);
 * - refresh of N webhooks at one location: one GET each (`get`) vs one shared search page
 *   (`search`), and `search` again after out-of-band edits and deletes;
 * - the serialized `__provider` size, the state size of one webhook (inputs + outputs), the host's
 *   check + diff time per resource, and the host's peak memory.
 *
 * Each measured phase runs as its own emulator user (the limits are per user) in its own host
 * process, so no phase inherits another's rate-limit windows.
 *
 * Writes the results as JSON (`--out`, default bench/results.json), the table as Markdown
 * (`--table`, default bench/results.md) and a chart of converge time against N with the bound
 * (`--chart`, default bench/converge.svg); a `--quick` run writes them to bench/quick/ instead, so it
 * never overwrites the committed results.
 *
 * Flags: `--n 10,100,500` (the sizes), `--quick` (N = 10 and no sweep unless given: for CI),
 * `--time-factor 0.1` (a minute lasts 6 s), `--sweep 0.02,0.05` (converge the middle N again at
 * these factors, to show what fixed costs do at small factors), `--out`, `--table`, `--chart`,
 * `--timeline <file>` (each converge run's request log, for a closer look), `--scale-only
 * rtt150[:runs]` (only the scale run's 150 ms round-trip converge, `runs` times: its figures are
 * printed, not written; with `--timeline`, its request logs).
 *
 * @module
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../emulator";
import { WebHook, type WebHookArgs } from "../sdk";
import { captureResources, withInputs, type CapturedResource } from "../testing/capture";
import { Engine, type StateEntry } from "../testing/engine";
import { API_LIMITS, lowerBoundMs } from "./bound";
import { convergeChartSvg } from "./chart";
import type { RefreshMode } from "../provider/readCache";
import type { ScaleOptions, ScaleResults } from "./scale";
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

export type { ConvergeResult };

/** The scale scenarios' defaults (kept here so that this module loads bench/scale.ts lazily). */
const DEFAULT_SCALE: ScaleOptions = {
  n: 3000,
  timeFactor: 0.02,
  rttTimeFactor: 0.1,
  memorySets: 300,
};
import { engineTable, runEngineBench, type EngineBench } from "./engine";

const REPO_ROOT = path.resolve(__dirname, "..");
const LOCATION = 1234;

// ---- options -------------------------------------------------------------------------------------

interface Options {
  sizes: number[];
  quick: boolean;
  timeFactor: number;
  /** Other time factors to converge the middle N at (shows what the factor does to the ratio). */
  sweep: number[];
  out: string;
  table: string;
  chart: string;
  /** Where to write each converge run's request log (time, method, route, status), if anywhere. */
  timeline?: string;
  /** Run the scale scenarios (bench/scale.ts) instead, and merge them into `out`. */
  scale: boolean;
  /**
   * Run only this scale scenario (`rtt150`), `runs` times, and print its figures (nothing is
   * written but the `--timeline`).
   */
  scaleOnly?: { scenario: "rtt150"; runs: number };
  scaleOptions: ScaleOptions;
  /** Run the three paths through the real engine (bench/paths.ts) instead, and merge them into `out`. */
  paths: boolean;
  pathsSizes: number[];
  pathsTimeFactor: number;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    sizes: [10, 100, 500],
    quick: false,
    timeFactor: 0.1,
    sweep: [0.02, 0.05],
    out: path.join(REPO_ROOT, "bench", "results.json"),
    table: path.join(REPO_ROOT, "bench", "results.md"),
    chart: path.join(REPO_ROOT, "bench", "converge.svg"),
    scale: false,
    scaleOptions: { ...DEFAULT_SCALE },
    paths: false,
    pathsSizes: [100, 3000],
    pathsTimeFactor: 0.01,
  };
  const positive = (flag: string, v: string, integer: boolean): number => {
    const x = Number(v);
    if (!(x > 0) || (integer && !Number.isInteger(x))) {
      throw new Error(
        `bench: ${flag} must be a ${integer ? "whole number" : "number"} > 0; got ${JSON.stringify(v)}`,
      );
    }
    return x;
  };
  let sizesGiven = false;
  let sweepGiven = false;
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`bench: ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--n":
        opts.sizes = value()
          .split(",")
          .map((s) => Number(s.trim()));
        if (opts.sizes.some((n) => !Number.isInteger(n) || n < 1)) {
          throw new Error(`bench: --n takes positive integers, e.g. --n 10,100,500`);
        }
        sizesGiven = true;
        break;
      case "--quick":
        opts.quick = true;
        break;
      case "--sweep":
        opts.sweep = value()
          .split(",")
          .filter((v) => v.trim() !== "")
          .map(Number);
        if (opts.sweep.some((v) => !(v > 0))) throw new Error("bench: --sweep takes factors > 0");
        sweepGiven = true;
        break;
      case "--time-factor":
        opts.timeFactor = Number(value());
        if (!(opts.timeFactor > 0)) throw new Error("bench: --time-factor must be a number > 0");
        break;
      case "--out":
        given.add(flag);
        opts.out = path.resolve(value());
        break;
      case "--table":
        given.add(flag);
        opts.table = path.resolve(value());
        break;
      case "--chart":
        given.add(flag);
        opts.chart = path.resolve(value());
        break;
      case "--timeline":
        opts.timeline = path.resolve(value());
        break;
      case "--paths":
        opts.paths = true;
        break;
      case "--paths-sizes": {
        const raw = value();
        opts.pathsSizes = raw.split(",").map((v) => positive(flag, v, true));
        if (opts.pathsSizes.some((n) => n % 10 !== 0)) {
          throw new Error(
            `bench: --paths-sizes must be multiples of 10; got ${JSON.stringify(raw)}`,
          );
        }
        break;
      }
      case "--paths-time-factor":
        opts.pathsTimeFactor = positive(flag, value(), false);
        break;
      case "--scale":
        opts.scale = true;
        break;
      case "--scale-n": {
        const n = positive(flag, value(), true);
        if (n % 20 !== 0) throw new Error(`bench: --scale-n must be a multiple of 20; got ${n}`);
        opts.scaleOptions.n = n;
        break;
      }
      case "--scale-time-factor":
        opts.scaleOptions.timeFactor = positive(flag, value(), false);
        break;
      case "--scale-only": {
        const [scenario, runs = "1"] = value().split(":");
        if (scenario !== "rtt150") {
          throw new Error(`bench: --scale-only takes rtt150 (or rtt150:<runs>); got ${scenario}`);
        }
        opts.scaleOnly = { scenario, runs: positive(flag, runs, true) };
        break;
      }
      case "--scale-memory-sets":
        opts.scaleOptions.memorySets = positive(flag, value(), true);
        break;
      case "--help":
        console.log(
          "usage: npm run bench -- [--n 10,100,500] [--quick] [--time-factor 0.1] [--sweep 0.02,0.05] [--out results.json] [--table results.md] [--chart converge.svg] [--timeline file]\n" +
            "       npm run bench -- --paths [--paths-sizes 100,3000] [--paths-time-factor 0.01]   (plugin vs dynamic vs trivial, real engine)\n" +
            "       npm run bench -- --scale [--scale-n 3000] [--scale-time-factor 0.02] [--scale-memory-sets 300] [--out results.json] [--table results.md]\n" +
            "       npm run bench -- --scale-only rtt150[:runs] [--timeline file]   (one scale scenario, printed only)",
        );
        process.exit(0);
        break;
      default:
        throw new Error(`bench: unknown flag ${arg} (see --help)`);
    }
  }
  if (opts.quick && !sizesGiven) opts.sizes = [10];
  if (opts.quick && !sweepGiven) opts.sweep = [];
  // A quick run never overwrites the committed results: it writes to bench/quick/ (git-ignored).
  const quickDir = path.join(REPO_ROOT, "bench", "quick");
  if (opts.quick && !given.has("--out")) opts.out = path.join(quickDir, "results.json");
  if (opts.quick && !given.has("--table")) opts.table = path.join(quickDir, "results.md");
  if (opts.quick && !given.has("--chart")) opts.chart = path.join(quickDir, "converge.svg");
  opts.sizes = [...new Set(opts.sizes)].sort((a, b) => a - b);
  return opts;
}

// ---- results -------------------------------------------------------------------------------------

/** Calls per provider operation, through the real host. */
export interface CallsPerOp {
  check: number;
  diff: number;
  create: number;
  update: number;
  read: number;
  delete: number;
  /** A no-change `up` of the largest N. */
  noChangeUp: { n: number; calls: number };
}

/** One refresh run. */
export interface RefreshResult {
  n: number;
  mode: RefreshMode;
  /** Out-of-band edits and deletes made before the refresh. */
  edited: number;
  deleted: number;
  calls: number;
  searches: number;
  gets: number;
  throttled: number;
  /** Resources that left the state (deleted out of band). */
  dropped: number;
  /** Resources whose managed values (location, name, action, URL, description, active) changed. */
  driftSeen: number;
  seconds: number;
  boundSeconds: number;
}

/** The whole benchmark result (bench/results.json). */
export interface BenchResults {
  generatedAt: string;
  timeFactor: number;
  limits: typeof API_LIMITS;
  environment: { node: string; platform: string; cpus: number; cpuModel: string };
  callsPerOp: CallsPerOp;
  converge: ConvergeResult[];
  /** The middle N converged again at other time factors (fixed costs do not scale). */
  convergeByTimeFactor: (ConvergeResult & { timeFactor: number })[];
  refresh: RefreshResult[];
  providerBytes: number;
  stateBytesPerWebhook: number;
  /** Time of one call at the sustained limit (60 s / 120 calls), unscaled, in ms. */
  sustainedCallMs: number;
  /** The scale scenarios (`--scale`, bench/scale.ts). */
  scale?: ScaleResults;
}

// ---- helpers -------------------------------------------------------------------------------------

/** Request logs of the converge runs, for `--timeline`: [ms from the first call, method, route, status]. */
const timelines: Record<string, [number, string, string, number][]> = {};

/** The host's peak resident memory (VmHWM) in MB, or null without /proc. */
function peakRssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** N webhooks at one location; every other one has a description. */
function fleet(template: CapturedResource, n: number, prefix = "hook"): CapturedResource[] {
  return Array.from({ length: n }, (_, i) =>
    withInputs(
      template,
      {
        name: `Bench webhook ${i}`,
        url: `https://hooks.example.com/nexudus/bench/${prefix}/${i}`,
        description: i % 2 === 0 ? `benchmark webhook number ${i}` : undefined,
      },
      `${prefix}-${i}`,
    ),
  );
}

function stateBytes(e: StateEntry): number {
  return Buffer.byteLength(JSON.stringify({ inputs: e.inputs, outputs: e.outputs }), "utf8");
}

// ---- phases --------------------------------------------------------------------------------------

async function callsPerOp(
  emulator: EmulatorHandle,
  template: CapturedResource,
  timeFactor: number,
): Promise<Omit<CallsPerOp, "noChangeUp">> {
  const user = newUser(emulator, "ops");
  const host = await hostFor(timeFactor, user.config());
  try {
    const d = withInputs(template, { name: "Per-op webhook" }, "per-op");
    let mark = 0;
    const delta = (): number => {
      const n = user.requests().length - mark;
      mark = user.requests().length;
      return n;
    };
    const checked = await host.check(d.urn, {}, d.inputs);
    const check = delta();
    const created = await host.create(d.urn, checked.inputs);
    const create = delta();
    const renamed = withInputs(d, { name: "Per-op webhook (renamed)" });
    const rechecked = await host.check(d.urn, checked.inputs, renamed.inputs);
    delta();
    await host.diff(created.id, d.urn, created.properties, rechecked.inputs);
    const diff = delta();
    const updated = await host.update(created.id, d.urn, created.properties, rechecked.inputs);
    const update = delta();
    await host.read(created.id, d.urn, updated.properties, rechecked.inputs);
    const read = delta();
    await host.delete(created.id, d.urn, updated.properties);
    const del = delta();
    return { check, diff, create, update, read, delete: del };
  } finally {
    await host.stop();
  }
}

async function converge(
  emulator: EmulatorHandle,
  template: CapturedResource,
  n: number,
  timeFactor: number,
): Promise<{
  result: ConvergeResult;
  engine: Engine;
  desired: CapturedResource[];
  stateMax: number;
}> {
  const user = newUser(emulator, `converge-${n}`);
  const host = await hostFor(timeFactor, user.config());
  try {
    const engine = new Engine(host, { parallel: n });
    const desired = fleet(template, n);
    const since = Date.now();
    const t0 = now();
    const up = await engine.up(desired, { parallel: n, throwOnError: false });
    const ms = now() - t0;
    const requests = user.requests(since);
    const c = count(requests);
    const bound = boundOfCalls(c, timeFactor);
    const { first, last } = callSpan(requests, since);
    timelines[`converge-${n}`] = requests.map((r) => [r.time - first, r.method, r.route, r.status]);

    const before = user.requests().length;
    await engine.up(desired, { parallel: n });
    const noChangeUpCalls = user.requests().length - before;

    const t1 = now();
    await engine.preview(desired, { parallel: 10 });
    const checkDiffMsPerResource = Math.round(((now() - t1) / n) * 1000) / 1000;

    const stateMax = Math.max(...[...engine.state.values()].map(stateBytes));
    const result: ConvergeResult = {
      n,
      calls: c.calls,
      writes: c.writes,
      reads: c.reads,
      throttled: c.throttled,
      errors: up.errors.length,
      seconds: seconds(ms),
      firstCallSeconds: seconds(first - since),
      callSpanSeconds: seconds(last - first),
      boundSeconds: seconds(bound),
      ratio: ratio(ms, bound),
      spanRatio: ratio(last - first, bound),
      checkDiffMsPerResource,
      noChangeUpCalls,
      hostPeakRssMb: peakRssMb(host.pid),
    };
    log(
      `converge N=${n}: ${c.calls} calls (${c.throttled} × 409, ${up.errors.length} errors) in ${result.seconds} s ` +
        `(first call after ${result.firstCallSeconds} s, calls span ${result.callSpanSeconds} s), bound ${result.boundSeconds} s, ratio ${result.ratio} (span ${result.spanRatio})`,
    );
    return { result, engine, desired, stateMax };
  } finally {
    await host.stop();
  }
}

async function refresh(
  emulator: EmulatorHandle,
  from: Engine,
  mode: RefreshMode,
  timeFactor: number,
  drift?: { edit: number; remove: number },
): Promise<RefreshResult> {
  const n = from.state.size;
  const user = newUser(emulator, `refresh-${mode}-${n}`);
  const host = await hostFor(timeFactor, user.config({ "nexudus:refreshMode": mode }));
  try {
    const engine = new Engine(host, { parallel: n });
    copyState(from, engine);
    let edited = 0;
    let deleted = 0;
    if (drift) {
      const entries = [...engine.state.values()];
      // Spread the edits and deletes over the fleet, with and without descriptions.
      const step = Math.max(1, Math.floor(entries.length / (drift.edit + drift.remove)));
      for (
        let i = 0;
        i < entries.length && edited + deleted < drift.edit + drift.remove;
        i += step
      ) {
        const id = Number(entries[i]!.id);
        if (edited < drift.edit) {
          // Alternate a managed field visible in search rows and the description, which is not.
          if (edited % 2 === 0) emulator.patch(id, { Name: `edited out of band ${i}` });
          else emulator.patch(id, { Description: `description edited out of band ${i}` });
          edited++;
        } else {
          emulator.remove(id);
          deleted++;
        }
      }
    }
    const since = Date.now();
    const t0 = now();
    const r = await engine.refresh({ parallel: n });
    const ms = now() - t0;
    const c = count(user.requests(since));
    const bound = lowerBoundMs({ writes: c.writes, reads: c.reads }, { timeFactor });
    const result: RefreshResult = {
      n,
      mode,
      edited,
      deleted,
      calls: c.calls,
      searches: c.searches,
      gets: c.gets,
      throttled: c.throttled,
      dropped: r.steps.filter((s) => s.gone).length,
      driftSeen: r.steps.filter(
        (s) =>
          s.inputsReplaced &&
          !isSameManaged(from.state.get(s.urn)?.outputs, engine.state.get(s.urn)?.outputs),
      ).length,
      seconds: seconds(ms),
      boundSeconds: seconds(bound),
    };
    log(
      `refresh N=${n} ${mode}${drift ? ` after ${plural(edited, "edit")} + ${plural(deleted, "delete")}` : ""}: ${c.calls} calls (${c.searches} search, ${c.gets} get) in ${result.seconds} s; ${result.dropped} dropped, ${result.driftSeen} drifted`,
    );
    return result;
  } finally {
    await host.stop();
  }
}

function isSameManaged(
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
): boolean {
  if (!a || !b) return false;
  return ["businessId", "name", "action", "url", "description", "active"].every(
    (k) => (a[k] ?? null) === (b[k] ?? null),
  );
}

// ---- the table -----------------------------------------------------------------------------------

const round = (v: number): number => Math.round(v * 1000) / 1000;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
/** `1/35 of` the reference time, or a percentage when the gain is small. */
const speedup = (reference: number, measured: number): string => {
  const x = reference / Math.max(measured, 0.001);
  return x >= 3 ? `1/${x.toFixed(0)} of` : `${Math.round((measured / reference) * 100)}% of`;
};
const kb = (b: number): string => `${(b / 1024).toFixed(1)} KB (${b} B)`;
const yes = (ok: boolean): string => (ok ? "yes" : "**no**");

/** The results as one Markdown table: measure, result, target, met. */
export function markdownTable(r: BenchResults): string {
  const rows: [string, string, string, string][] = [];
  const p = r.callsPerOp;
  rows.push([
    "API calls: check / diff / create / update / read / delete",
    `${p.check} / ${p.diff} / ${p.create} / ${p.update} / ${p.read} / ${p.delete}`,
    // A create is a POST and a GET, plus the pre-create snapshot (one search of the location,
    // shared by the creates that start together: here a lone create pays it alone).
    "0 / 0 / ≤ 2 + 1 snapshot search / ≤ 2 / 1 / 1",
    yes(
      p.check === 0 &&
        p.diff === 0 &&
        p.create <= 3 &&
        p.update <= 2 &&
        p.read === 1 &&
        p.delete === 1,
    ),
  ]);
  rows.push([
    `API calls: no-change up of ${p.noChangeUp.n} webhooks`,
    String(p.noChangeUp.calls),
    "0",
    yes(p.noChangeUp.calls === 0),
  ]);
  for (const c of r.converge) {
    rows.push([
      `Converge ${c.n} new webhooks: calls (writes + reads; 409s, errors)`,
      `${c.calls} (${c.writes} + ${c.reads}; ${c.throttled}, ${c.errors})`,
      "1 POST per webhook + shared search pages per location burst (snapshot, outputs) + ≤ 3 GETs learning descriptions, 0 errors",
      yes(c.writes === c.n && c.reads <= 2 * Math.ceil(c.n / 10) + 5 && c.errors === 0),
    ]);
    rows.push([
      `Converge ${c.n}: wall time / lower bound (calls span / bound)`,
      `${c.seconds.toFixed(3)} s / ${c.boundSeconds.toFixed(3)} s = **${c.ratio.toFixed(2)}×** (${c.spanRatio.toFixed(2)}×)`,
      c.n >= 100 ? "≤ 1.15×" : "(≤ 1.15× at N = 100)",
      c.n >= 100 ? yes(c.ratio <= 1.15) : "n/a",
    ]);
  }
  for (const c of r.convergeByTimeFactor) {
    if (c.timeFactor === r.timeFactor) continue;
    rows.push([
      `Converge ${c.n} at time factor ${c.timeFactor} (1 min = ${round(60 * c.timeFactor)} s): wall / bound (calls span / bound)`,
      `${c.seconds.toFixed(3)} s / ${c.boundSeconds.toFixed(3)} s = ${c.ratio.toFixed(2)}× (${c.spanRatio.toFixed(2)}×)`,
      "(sensitivity: start-up and round trips do not scale)",
      "n/a",
    ]);
  }
  for (const f of r.refresh) {
    const what =
      f.edited + f.deleted > 0
        ? `Refresh ${f.n} (${f.mode}) after ${plural(f.edited, "edit")} + ${plural(f.deleted, "delete")} out of band`
        : `Refresh ${f.n} (${f.mode})`;
    const naive = r.refresh.find(
      (g) => g.n === f.n && g.mode === "get" && g.edited + g.deleted === 0,
    );
    const target =
      f.mode === "get"
        ? "1 GET per webhook"
        : `${f.mode === "account" ? "1 search per 1,000 of the account" : "1 search per location"} + 1 GET per changed or deleted webhook (${1 + f.edited + f.deleted})`;
    const ok =
      f.mode === "get"
        ? f.gets === f.n
        : f.searches <= Math.ceil(f.n / 1000) &&
          f.gets <= f.edited + f.deleted &&
          f.dropped === f.deleted &&
          f.driftSeen === f.edited;
    rows.push([
      `${what}: calls, time (bound)`,
      `${f.calls} (${f.searches} search + ${f.gets} GET), ${f.seconds.toFixed(3)} s (${f.boundSeconds.toFixed(3)} s)` +
        (naive && f !== naive ? `; ${speedup(naive.seconds, f.seconds)} the time of get` : ""),
      target,
      yes(ok),
    ]);
  }
  rows.push([
    "Serialized `__provider`",
    kb(r.providerBytes),
    "≤ 8 KB",
    yes(r.providerBytes <= 8192),
  ]);
  rows.push([
    "State of one webhook (inputs + outputs, largest)",
    kb(r.stateBytesPerWebhook),
    "≤ 12 KB",
    yes(r.stateBytesPerWebhook <= 12 * 1024),
  ]);
  for (const c of r.converge) {
    rows.push([
      `Host check + diff per resource (${c.n} resources)`,
      `${c.checkDiffMsPerResource.toFixed(2)} ms`,
      `≪ ${r.sustainedCallMs} ms (one call at the sustained limit)`,
      yes(c.checkDiffMsPerResource * 10 < r.sustainedCallMs),
    ]);
  }
  for (const c of r.converge) {
    rows.push([
      `Host peak memory (${c.n} resources)`,
      c.hostPeakRssMb === null ? "n/a" : `${c.hostPeakRssMb} MB`,
      "",
      "",
    ]);
  }
  const lines = [
    "| Measure | Result | Target | Met |",
    "| --- | --- | --- | --- |",
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ];
  return lines.join("\n") + "\n";
}

// ---- main ----------------------------------------------------------------------------------------

export async function runBench(opts: Options): Promise<BenchResults> {
  const f = opts.timeFactor;
  const emulator = await startEmulator({
    port: 0,
    locations: [{ id: LOCATION, name: "HQ" }],
    rateLimits: {},
    timeFactor: f,
  });
  try {
    const base: WebHookArgs = {
      businessId: LOCATION,
      name: "Bench webhook",
      action: "BookingCreate",
      url: "https://hooks.example.com/nexudus/bench",
    };
    const [template] = await captureResources(() => {
      new WebHook("bench", base);
    });
    if (!template) throw new Error("bench: the program registered no resource");
    const providerBytes = Buffer.byteLength(String(template.inputs.__provider), "utf8");

    log(`bench: time factor ${f} (a minute lasts ${60 * f} s), N = ${opts.sizes.join(", ")}`);
    const perOp = await callsPerOp(emulator, template, f);
    log(`calls per op: ${JSON.stringify(perOp)}`);

    const convergeResults: ConvergeResult[] = [];
    const refreshResults: RefreshResult[] = [];
    let stateBytesPerWebhook = 0;
    let noChangeUp = { n: 0, calls: 0 };
    for (const n of opts.sizes) {
      const c = await converge(emulator, template, n, f);
      convergeResults.push(c.result);
      stateBytesPerWebhook = Math.max(stateBytesPerWebhook, c.stateMax);
      noChangeUp = { n, calls: c.result.noChangeUpCalls };
      refreshResults.push(await refresh(emulator, c.engine, "get", f));
      refreshResults.push(await refresh(emulator, c.engine, "search", f));
      const edit = Math.max(1, Math.round(n / 20));
      const remove = Math.max(1, Math.round(n / 50));
      refreshResults.push(await refresh(emulator, c.engine, "account", f));
      refreshResults.push(await refresh(emulator, c.engine, "account", f, { edit, remove }));
      // Give the emulator's records back (the next N starts from an empty location).
      for (const r of emulator.records()) emulator.remove(r.Id);
      await sleep(10);
    }
    const convergeByTimeFactor: BenchResults["convergeByTimeFactor"] = [];
    const middle = opts.sizes[Math.floor(opts.sizes.length / 2)]!;
    const atMain = convergeResults.find((c) => c.n === middle);
    if (opts.sweep.length > 0 && atMain) convergeByTimeFactor.push({ ...atMain, timeFactor: f });
    for (const factor of opts.sweep.filter((x) => x !== f)) {
      const other = await startEmulator({
        port: 0,
        locations: [{ id: LOCATION, name: "HQ" }],
        rateLimits: {},
        timeFactor: factor,
      });
      try {
        const c = await converge(other, template, middle, factor);
        convergeByTimeFactor.push({ ...c.result, timeFactor: factor });
      } finally {
        await other.stop();
      }
    }
    convergeByTimeFactor.sort((a, b) => a.timeFactor - b.timeFactor);
    return {
      generatedAt: new Date().toISOString(),
      timeFactor: f,
      limits: API_LIMITS,
      environment: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? "unknown",
      },
      callsPerOp: { ...perOp, noChangeUp },
      converge: convergeResults,
      convergeByTimeFactor,
      refresh: refreshResults,
      providerBytes,
      stateBytesPerWebhook,
      sustainedCallMs: 60_000 / API_LIMITS.perMinute,
    };
  } finally {
    await emulator.stop();
  }
}

/** The table with its columns aligned, as Prettier (the repo's formatter) writes Markdown. */
async function aligned(markdown: string): Promise<string> {
  try {
    const prettier = (await import("prettier")) as {
      format(text: string, opts: { parser: string }): Promise<string>;
    };
    return await prettier.format(markdown, { parser: "markdown" });
  } catch {
    return markdown; // a formatter is a nicety, not a requirement
  }
}

/** The scale results as a Markdown table, beside their targets (docs/performance.md). */
export function scaleTable(s: ScaleResults): string {
  const u = s.firstUp;
  const rows: [string, string, string, string][] = [
    [
      `First up of ${u.n} at ${u.locations} locations: calls (writes, reads; 409s, errors)`,
      `${u.calls} (${u.writes}, ${u.reads}; ${u.throttled}, ${u.errors})`,
      "0 errors",
      yes(u.errors === 0),
    ],
    [
      `First up of ${u.n}: wall time / write-limited bound (time factor ${s.timeFactor})`,
      `${u.seconds.toFixed(1)} s / ${u.boundSeconds.toFixed(1)} s = **${u.ratio.toFixed(2)}×** (first call after ${u.firstCallSeconds.toFixed(1)} s, calls span ${u.callSpanSeconds.toFixed(1)} s = ${(u.callSpanSeconds / u.boundSeconds).toFixed(2)}×; bound of the calls made ${u.callsBoundSeconds.toFixed(1)} s)`,
      "≤ 1.10×",
      yes(u.ratio <= 1.1),
    ],
    [
      `Refresh of ${s.refresh.n} (${s.refresh.locations} locations, default account mode): calls`,
      `${s.refresh.calls} (${s.refresh.gets} GET), ${s.refresh.seconds.toFixed(2)} s`,
      "≤ 10",
      yes(s.refresh.calls <= 10),
    ],
    [
      `Second command in the same hour (${s.secondCommand.what}; ${s.secondCommand.callsInHourBefore} calls in the hour before): failed, 409s / calls`,
      `${s.secondCommand.failed}, ${s.secondCommand.throttled} / ${s.secondCommand.calls} (${((100 * s.secondCommand.throttled) / Math.max(1, s.secondCommand.calls)).toFixed(2)}%), ${s.secondCommand.seconds.toFixed(1)} s`,
      "0 failed, ≤ 1%",
      yes(
        s.secondCommand.failed === 0 && s.secondCommand.throttled <= 0.01 * s.secondCommand.calls,
      ),
    ],
    [
      `Two stacks at once, one user (refresh ${s.twoStacks.n / 2} each in get mode): failed, 409s / calls`,
      `${s.twoStacks.failed}, ${s.twoStacks.throttled} / ${s.twoStacks.calls}, ${s.twoStacks.seconds.toFixed(1)} s`,
      "0 failed",
      yes(s.twoStacks.failed === 0),
    ],
    [
      `Converge ${s.rtt150.n} with a ${s.rtt150.rttMs} ms round trip (time factor ${s.rtt150.timeFactor}): wall / bound`,
      `${s.rtt150.seconds.toFixed(3)} s / ${s.rtt150.boundSeconds.toFixed(3)} s = **${s.rtt150.ratio.toFixed(2)}×** (${s.rtt150.calls} calls, ${s.rtt150.throttled} × 409)`,
      "≤ 1.15×",
      yes(s.rtt150.ratio <= 1.15),
    ],
    [
      `Program memory: ${s.programMemory.sets} sets × ${s.programMemory.hooksPerSet} hooks under setMocks, peak (heap after GC)`,
      `${s.programMemory.peakMb} MB (${s.programMemory.retainedMb ?? "n/a"} MB); the same hooks as WebHooks: ${s.programMemory.webhooksPeakMb} MB (${s.programMemory.webhooksRetainedMb ?? "n/a"} MB); waiting on every webhookId: ${s.programMemory.allOutputsPeakMb} MB`,
      "≤ 700 MB",
      yes(s.programMemory.peakMb <= 700),
    ],
  ];
  return (
    [
      "| Scale measure | Result | Target | Met |",
      "| --- | --- | --- | --- |",
      ...rows.map((cells) => `| ${cells.join(" | ")} |`),
    ].join("\n") + "\n"
  );
}

/** One captured WebHook, the template of every scale resource. */
async function benchTemplate(): Promise<CapturedResource> {
  const [template] = await captureResources(() => {
    new WebHook("bench", {
      businessId: LOCATION,
      name: "Bench webhook",
      action: "BookingCreate",
      url: "https://hooks.example.com/nexudus/bench",
    });
  });
  if (!template) throw new Error("bench: the program registered no resource");
  return template;
}

/** `--scale`: runs bench/scale.ts and merges its `scale` object into the results file. */
async function mainScale(opts: Options): Promise<void> {
  const { runScale } = require("./scale") as typeof import("./scale");
  const template = await benchTemplate();
  const scale = await runScale(template, opts.scaleOptions);
  const previous = fs.existsSync(opts.out)
    ? (JSON.parse(fs.readFileSync(opts.out, "utf8")) as Partial<BenchResults>)
    : {};
  const merged = { ...previous, scale };
  const table = await aligned(scaleTable(scale));
  console.log(table);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(merged, null, 2) + "\n");
  const scaleMd = opts.table.replace(/\.md$/, "") + "-scale.md";
  fs.writeFileSync(scaleMd, table);
  log(
    `wrote ${path.relative(process.cwd(), opts.out)} (scale), ${path.relative(process.cwd(), scaleMd)}`,
  );
}

/** `--scale-only rtt150[:runs]`: the round-trip converge alone, printed (a quick look). */
async function mainScaleOnly(opts: Options, only: NonNullable<Options["scaleOnly"]>) {
  const { convergeWithRtt } = require("./scale") as typeof import("./scale");
  const template = await benchTemplate();
  const { n, rttMs } = { n: 100, rttMs: 150 };
  for (let i = 0; i < only.runs; i++) {
    const result = await convergeWithRtt(
      template,
      n,
      rttMs,
      opts.scaleOptions.rttTimeFactor,
      (r) => {
        const first = r[0]?.time ?? 0;
        timelines[`rtt150-${i + 1}`] = r.map((e) => [e.time - first, e.method, e.route, e.status]);
      },
    );
    console.log(JSON.stringify(result));
  }
  if (opts.timeline) fs.writeFileSync(opts.timeline, JSON.stringify(timelines) + "\n");
}

/** `--paths`: plugin vs dynamic provider vs trivial resources through the real engine. */
async function mainPaths(opts: Options): Promise<void> {
  const { runPathsBench, pathsTable } = require("./paths") as typeof import("./paths");
  const paths = await runPathsBench(
    { sizes: opts.pathsSizes, timeFactor: opts.pathsTimeFactor },
    log,
  );
  if (!paths) throw new Error("bench --paths needs the Pulumi CLI (npm run pulumi:install)");
  const table = await aligned(pathsTable(paths));
  console.log(table);
  const previous = fs.existsSync(opts.out)
    ? (JSON.parse(fs.readFileSync(opts.out, "utf8")) as Record<string, unknown>)
    : {};
  fs.writeFileSync(opts.out, JSON.stringify({ ...previous, paths }, null, 2) + "\n");
  const file = path.join(path.dirname(opts.table), "results-paths.md");
  fs.writeFileSync(file, table);
  log(
    `wrote ${path.relative(process.cwd(), opts.out)} (paths), ${path.relative(process.cwd(), file)}`,
  );
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.paths) return mainPaths(opts);
  if (opts.scaleOnly) return mainScaleOnly(opts, opts.scaleOnly);
  if (opts.scale) return mainScale(opts);
  const results: BenchResults & { engine?: EngineBench } = await runBench(opts);
  // The real engine's share (skipped with --quick, and where no Pulumi CLI is installed).
  const engine = opts.quick
    ? undefined
    : await runEngineBench({ n: 100, timeFactor: opts.timeFactor }, log);
  if (engine) results.engine = engine;
  const table = await aligned(markdownTable(results) + (engine ? engineTable(engine) : ""));
  console.log(table);
  for (const file of [opts.out, opts.table, opts.chart])
    fs.mkdirSync(path.dirname(file), { recursive: true });
  // The scale figures (`--scale`, a separate run of several minutes) stay until that run redoes them.
  const previous = fs.existsSync(opts.out)
    ? (JSON.parse(fs.readFileSync(opts.out, "utf8")) as { scale?: unknown })
    : {};
  const written = {
    ...results,
    ...(previous.scale !== undefined ? { scale: previous.scale } : {}),
    ...((previous as { paths?: unknown }).paths !== undefined
      ? { paths: (previous as { paths?: unknown }).paths }
      : {}),
  };
  fs.writeFileSync(opts.out, JSON.stringify(written, null, 2) + "\n");
  fs.writeFileSync(opts.table, table);
  fs.writeFileSync(
    opts.chart,
    convergeChartSvg(results.converge, {
      subtitle: `Emulator with the documented limits, time factor ${results.timeFactor} (1 min = ${60 * results.timeFactor} s); dashed: ideal schedule of the same calls`,
    }),
  );
  if (opts.timeline) fs.writeFileSync(opts.timeline, JSON.stringify(timelines) + "\n");
  log(
    `wrote ${path.relative(process.cwd(), opts.out)}, ${path.relative(process.cwd(), opts.table)}, ${path.relative(process.cwd(), opts.chart)}`,
  );
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    },
  );
}
