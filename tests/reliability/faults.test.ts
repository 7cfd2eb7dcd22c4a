/**
 * Faults: every provider operation (create, read, update, delete, the adopt search) against every
 * fault the emulator injects (500, 502, 503, 409 with Retry-After, 200 with WasSuccessful:false, a
 * delay beyond the client timeout, a reset before the reply, a commit then a reset), on the first
 * attempt and on every attempt, through the REAL dynamic-provider host.
 *
 * Each case: the step either succeeds or fails with a clear error; once the emulator is done with
 * every request, it holds exactly the records the state says exist (no orphan, no duplicate, no
 * state id without a record); then, faults cleared, the next run converges to exactly one record
 * per declared webhook. Cases of one fault share an emulator and a host and run in sequence; the
 * eight faults run side by side.
 */
import type { FaultSpec, Route } from "../../emulator";
import type { CapturedResource } from "../../testing/capture";
import { Engine, type RunResult } from "../../testing/engine";
import { recordFigures } from "../../testing/figures";
import { HostCallError } from "../../testing/host";
import {
  audit,
  BEYOND_TIMEOUT_MS,
  captureTemplate,
  clean,
  hookFrom,
  HQ,
  inBatches,
  settle,
  startRig,
  unclearError,
  type Audit,
  type Rig,
} from "./helpers";

const OPS = ["create", "read", "update", "delete", "adopt"] as const;
type Op = (typeof OPS)[number];
const MODES = ["first", "every"] as const;
type Mode = (typeof MODES)[number];

/** The emulator route each operation's fault targets. */
const ROUTE: Record<Op, Route> = {
  create: "create",
  read: "get",
  update: "update",
  delete: "delete",
  adopt: "search",
};

const FAULTS = {
  "HTTP 500": { kind: "status", status: 500 },
  "HTTP 502": { kind: "status", status: 502 },
  "HTTP 503": { kind: "status", status: 503 },
  "409 Retry-After": { kind: "throttle" },
  "WasSuccessful:false": { kind: "wasSuccessfulFalse" },
  "delay > timeout": { kind: "delay", delayMs: BEYOND_TIMEOUT_MS },
  reset: { kind: "reset" },
  "commit, reset": { kind: "commitThenReset" },
} satisfies Record<string, Omit<FaultSpec, "route" | "times">>;
type FaultName = keyof typeof FAULTS;
const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

type Outcome = "recovered" | "failed cleanly";

/**
 * What each case must end in. Reads, updates, deletes and the adopt search are retried, so a
 * transient fault on the first attempt is recovered; a create is never sent twice, so it recovers
 * only when the record turns out to exist (the server committed) or after a throttle (the server
 * did nothing). A write that committed although every attempt failed is recognised by looking.
 * `WasSuccessful:false` is a definite refusal: never retried.
 */
function expected(op: Op, fault: FaultName, mode: Mode): Outcome {
  const committed = fault === "delay > timeout" || fault === "commit, reset";
  if (fault === "WasSuccessful:false") return "failed cleanly";
  if (mode === "every") {
    return committed && (op === "create" || op === "update" || op === "delete")
      ? "recovered"
      : "failed cleanly";
  }
  if (op === "create") {
    return committed || fault === "409 Retry-After" ? "recovered" : "failed cleanly";
  }
  return "recovered";
}

interface CaseResult {
  op: Op;
  fault: FaultName;
  mode: Mode;
  outcome: Outcome | "unclear failure";
  error?: string;
  /** Why the error is not clear, if it is not. */
  unclear?: string;
  afterStep: Audit;
  afterConverge: Audit;
  /** Records after the converging run, and how many the program declares. */
  convergedRecords: number;
  declared: number;
  /** The converging run's error, if it failed. */
  convergeError?: string;
  /** The record the state ends with is the declared one (name, URL, action, location). */
  convergedValues: boolean;
  ms: number;
}

const URL_OF = (op: Op, mode: Mode, fault: FaultName) =>
  `https://hooks.example.com/faults/${op}/${mode}/${encodeURIComponent(fault)}`;

let template: CapturedResource;
const results: CaseResult[] = [];
/** What each host printed (checked for the token). */
const printedByHosts: string[] = [];

async function runCase(rig: Rig, op: Op, fault: FaultName, mode: Mode): Promise<CaseResult> {
  const started = Date.now();
  const { emulator, host } = rig;
  emulator.clearFaults();
  for (const r of emulator.records()) emulator.remove(r.Id);
  emulator.clearRequests();

  const url = URL_OF(op, mode, fault);
  const name = `${op} ${fault} ${mode}`;
  const hook = hookFrom(template, "hook", { url, name, adopt: op === "adopt" });
  const renamed = hookFrom(template, "hook", { url, name: `${name} (renamed)` });
  const engine = new Engine(host);
  const baseline: number[] = [];

  // Set up the state the operation starts from, without faults.
  if (op === "read" || op === "update" || op === "delete") await engine.up([hook]);
  if (op === "adopt") {
    baseline.push(
      emulator.insert({ BusinessId: HQ, Action: 6, URL: url, Name: "made by hand" }).Id,
    );
  }

  // The step, with the fault armed.
  const spec = FAULTS[fault];
  emulator.injectFault({ route: ROUTE[op], ...spec, times: mode === "first" ? 1 : Infinity });
  let result: RunResult;
  const desired = op === "update" ? [renamed] : op === "delete" ? [] : [hook];
  if (op === "read") result = await engine.refresh({ throwOnError: false });
  else result = await engine.up(desired, { throwOnError: false });
  await settle(emulator);
  emulator.clearFaults();
  const afterStep = audit(emulator, [engine], baseline);

  const failed = result.errors[0]?.error;
  let outcome: CaseResult["outcome"] = "recovered";
  let unclear: string | undefined;
  let error: string | undefined;
  if (failed) {
    error = failed instanceof HostCallError ? failed.details : failed.message;
    unclear = unclearError(error, ["emulator-admin-token"]);
    outcome = unclear ? "unclear failure" : "failed cleanly";
  }

  // Converge: the same program again, no faults.
  let convergeError: string | undefined;
  try {
    if (op === "read") await engine.refresh();
    await engine.up(desired);
  } catch (e) {
    convergeError = e instanceof Error ? e.message : String(e);
  }
  await settle(emulator);
  const afterConverge = audit(emulator, [engine], op === "adopt" ? [] : baseline);
  const want = desired[0];
  const records = emulator.records();
  let convergedValues = !convergeError;
  if (want) {
    const entry = engine.state.get(want.urn);
    const record = entry ? emulator.record(Number(entry.id)) : undefined;
    convergedValues &&=
      engine.state.size === 1 &&
      record !== undefined &&
      record.Name === want.inputs.name &&
      record.URL === url &&
      record.Action === 6 &&
      record.BusinessId === HQ &&
      (op !== "adopt" || record.Id === baseline[0]);
  } else {
    convergedValues &&= engine.state.size === 0;
  }
  return {
    op,
    fault,
    mode,
    outcome,
    ...(error !== undefined ? { error } : {}),
    ...(unclear !== undefined ? { unclear } : {}),
    afterStep,
    afterConverge,
    convergedRecords: records.length,
    declared: desired.length,
    ...(convergeError !== undefined ? { convergeError } : {}),
    convergedValues,
    ms: Date.now() - started,
  };
}

beforeAll(async () => {
  template = await captureTemplate();
  // One emulator and one host per fault; the faults run side by side, four hosts at a time.
  await inBatches(FAULT_NAMES.length, 4, async (i) => {
    const fault = FAULT_NAMES[i]!;
    // `read` means the refresh GET here (the default `account` mode reads a page first).
    const rig = await startRig({
      config: (emulator) => ({
        "nexudus:baseUrl": emulator.url,
        "nexudus:token": { secret: "emulator-admin-token" },
        "nexudus:refreshMode": "get",
      }),
    });
    try {
      for (const op of OPS) {
        for (const mode of MODES) results.push(await runCase(rig, op, fault, mode));
      }
    } finally {
      printedByHosts.push(await rig.stop());
    }
  });
}, 170_000);

function find(op: Op, fault: FaultName, mode: Mode): CaseResult {
  const r = results.find((x) => x.op === op && x.fault === fault && x.mode === mode);
  if (!r) throw new Error(`case ${op} / ${fault} / ${mode} did not run`);
  return r;
}

const CASES = OPS.flatMap((op) =>
  FAULT_NAMES.flatMap((fault) => MODES.map((mode) => [op, fault, mode] as const)),
);

it("ran every case, and no host printed the token", () => {
  expect(results).toHaveLength(CASES.length);
  expect(printedByHosts).toHaveLength(FAULT_NAMES.length);
  for (const printed of printedByHosts) expect(printed).not.toContain("emulator-admin-token");
});

describe("every operation × fault × attempt", () => {
  it.each(CASES)("%s with %s on the %s attempt", (op, fault, mode) => {
    const r = find(op, fault, mode);
    // The step: succeeded, or failed with a clear error; the expected one of the two.
    expect({ outcome: r.outcome, error: r.error, unclear: r.unclear }).toEqual({
      outcome: expected(op, fault, mode),
      error: r.error,
      unclear: undefined,
    });
    // Right after the step (the emulator done with every request): records = state.
    expect(r.afterStep).toEqual({ orphans: [], missing: [], duplicates: 0, shared: [] });
    // The next run converges: exactly one record per declared webhook, with its values.
    expect(r.convergeError).toBeUndefined();
    expect(r.afterConverge).toEqual({ orphans: [], missing: [], duplicates: 0, shared: [] });
    expect(r.convergedRecords).toBe(r.declared);
    expect(r.convergedValues).toBe(true);
  });
});

afterAll(() => {
  if (results.length === 0) return;
  const lost = results.reduce(
    (n, r) => n + r.afterStep.missing.length + r.afterConverge.missing.length,
    0,
  );
  const duplicated = results.reduce(
    (n, r) =>
      n +
      r.afterStep.duplicates +
      r.afterConverge.duplicates +
      r.afterStep.orphans.length +
      r.afterConverge.orphans.length,
    0,
  );
  const cell = (op: Op, fault: FaultName) =>
    MODES.map((mode) => {
      const r = results.find((x) => x.op === op && x.fault === fault && x.mode === mode);
      if (!r) return "-";
      const ok =
        clean(r.afterStep) &&
        clean(r.afterConverge) &&
        r.convergedRecords === r.declared &&
        r.convergedValues;
      return (
        (r.outcome === "recovered" ? "R" : r.outcome === "failed cleanly" ? "F" : "?") +
        (ok ? "" : "!")
      );
    }).join("/");
  recordFigures(
    "Faults: outcome per operation and fault, first attempt / every attempt (R = recovered, F = failed cleanly, ! = records wrong)",
    OPS.map((op) => ({
      operation: op,
      ...Object.fromEntries(FAULT_NAMES.map((f) => [f, cell(op, f)])),
    })),
  );
  recordFigures("Faults: totals", {
    "cases run": results.length,
    recovered: results.filter((r) => r.outcome === "recovered").length,
    "failed cleanly": results.filter((r) => r.outcome === "failed cleanly").length,
    "unclear failures": results.filter((r) => r.outcome === "unclear failure").length,
    "converged on the next run": results.filter(
      (r) => r.convergedRecords === r.declared && r.convergedValues && clean(r.afterConverge),
    ).length,
    "lost records": lost,
    "duplicated or orphaned records": duplicated,
    "slowest case (ms)": Math.max(...results.map((r) => r.ms)),
  });
});
