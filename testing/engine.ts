/**
 * A tiny in-memory Pulumi "engine" over a {@link Host}: it runs `preview` / `up` / `refresh` /
 * `destroy` for a list of DESIRED resources (usually from `captureResources`) and keeps a state
 * (`Map<urn, StateEntry>`) with the shapes the real engine stores and sends:
 *
 * - Check gets the old INPUTS and the new inputs ({} for a new resource, and again {} when the
 *   resource is being replaced);
 * - Diff / Update / Delete / Read get the old OUTPUTS; `__provider` lives in inputs and outputs,
 *   so Delete runs the code stored in state (the old one), create/update/diff the new one;
 * - Diff UNKNOWN falls back to comparing old and new inputs; a resource with init errors
 *   (half-created) is updated on the next `up` even without a diff;
 * - replacements are create-before-delete (the old copy is deleted in the final delete phase)
 *   unless Diff or the `deleteBeforeReplace` option says otherwise;
 * - independent resources run concurrently (`parallel`, default 10); dependents wait for their
 *   `dependencies`; deletes run dependents first; the first error halts the deployment (no new
 *   steps start, no delete phase), like `pulumi up` without `--continue-on-error`.
 *
 * ```ts
 * const host = await startHost();
 * const engine = new Engine(host, { config: { "nexudus:token": { secret: "t" } } });
 * const desired = await captureResources(program);
 * const plan = await engine.preview(desired);   // [{op: "create", urn, ...}]
 * await engine.up(desired);                     // creates
 * engine.find("hook-1")?.outputs;               // what is in state
 * await engine.up([withInputs(desired[0]!, { name: "renamed" })]); // update + delete the rest
 * await engine.refresh();
 * await engine.destroy();
 * ```
 *
 * @packageDocumentation
 */
import { isDeepStrictEqual } from "node:util";
import {
  HostCallError,
  UNKNOWN,
  unwrapSecrets,
  type CheckFailure,
  type ConfigValue,
  type DiffResult,
  type Host,
  type Props,
} from "./host";

/** What a resource in state looks like (the engine's checkpoint, simplified). */
export interface StateEntry {
  urn: string;
  type: string;
  id: string;
  /** The checked inputs (`__provider` included). */
  inputs: Props;
  /** The outputs (`__provider` included, unless a half-created resource's error left it out). */
  outputs: Props;
  /** URNs this resource depends on (deletes wait for dependents). */
  dependencies: string[];
  /** Input keys that were secret. */
  secretInputs: string[];
  /** Output keys the engine would store as secrets (same name as a secret input, or additionalSecretOutputs). */
  secretOutputs: string[];
  /** Set when Create/Update failed with an `id` (half-created): the next `up` updates it. */
  initErrors?: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
}

/** Context given to a desired resource whose `inputs` is a function (resolved just before its step). */
export interface ResolveContext {
  /** The state at that moment (dependencies already done in `up`). */
  readonly state: ReadonlyMap<string, StateEntry>;
  /** An output of another resource in state, or {@link UNKNOWN} if not known (e.g. in preview). */
  output(urn: string, key: string): unknown;
  /** The id of another resource in state, or {@link UNKNOWN}. */
  id(urn: string): string;
}

/**
 * A resource the program declares. `CapturedResource` (from `captureResources`) fits as is.
 * Resources with `custom: false` (components) are ignored: they have no provider.
 */
export interface DesiredResource {
  urn: string;
  /** Default: taken from the URN. */
  type?: string;
  name?: string;
  custom?: boolean;
  /**
   * Inputs, `__provider` included (secret wrappers are removed before the provider sees them), or
   * a function of the state to wire real outputs of dependencies (captured inputs hold mock ids).
   */
  inputs: Props | ((ctx: ResolveContext) => Props);
  /** Input keys that are secret (CapturedResource.secretInputs). */
  secretInputs?: string[];
  additionalSecretOutputs?: string[];
  /** URNs this resource depends on; `up` runs them first. */
  dependencies?: string[];
  options?: {
    deleteBeforeReplace?: boolean;
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    protect?: boolean;
    retainOnDelete?: boolean;
  };
}

/** Kinds of steps. `read` is a refresh step; `skip` a step not run because the deployment halted. */
export type StepOp = "create" | "update" | "replace" | "delete" | "same" | "read" | "skip";

/** One planned or executed step. */
export interface Step {
  op: StepOp;
  urn: string;
  /** The resulting id (create/update/replace/read) or the deleted id (delete). */
  id?: string;
  /** replace: the id of the copy being replaced. */
  oldId?: string;
  /** Why a delete happens. */
  reason?: "removed" | "replaced" | "pending-delete" | "destroy";
  /** The checked inputs. */
  inputs?: Props;
  failures?: CheckFailure[];
  diff?: DiffResult;
  /** replace: whether the old copy was deleted first. */
  deleteBeforeReplace?: boolean;
  /** read: the resource is gone (Read returned no id) and left the state. */
  gone?: boolean;
  /** read: Read returned inputs, which replaced the stored ones. */
  inputsReplaced?: boolean;
  /** The error of a failed step (a {@link HostCallError} for a provider error). */
  error?: Error;
}

/** Result of an engine operation. */
export interface RunResult {
  /** Steps in the order they finished. */
  steps: Step[];
  /** Steps that failed. */
  errors: Step[];
  /** How many steps of each op (failed ones included). */
  summary: Partial<Record<StepOp, number>>;
  durationMs: number;
}

/** Thrown by an engine operation with failed steps (unless `throwOnError: false`). */
export class DeploymentError extends Error {
  override readonly name = "DeploymentError";
  constructor(
    readonly operation: string,
    readonly result: RunResult,
  ) {
    super(
      `${operation} failed: ` +
        result.errors.map((s) => `${s.op} ${s.urn}: ${s.error?.message ?? "?"}`).join("; "),
    );
  }
}

/** Options of engine operations. */
export interface RunOptions {
  /** Max concurrent steps (default: the engine's, 10). */
  parallel?: number;
  /** Throw a {@link DeploymentError} when a step failed (default true). */
  throwOnError?: boolean;
  /** Keep running independent steps after an error (`--continue-on-error`); default false. */
  continueOnError?: boolean;
}

/** Options of the {@link Engine}. */
export interface EngineOptions {
  /** Stack config sent with `Configure` if the host is not configured yet (default {}). */
  config?: Record<string, ConfigValue>;
  /** Default max concurrent steps (default 10, like the Pulumi CLI). */
  parallel?: number;
}

/** A state entry to delete, and why. */
type DeleteItem = { e: StateEntry; reason: NonNullable<Step["reason"]> };

function nameOf(urn: string): string {
  return urn.split("::").slice(3).join("::");
}
function typeOf(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}
function summarize(steps: Step[]): Partial<Record<StepOp, number>> {
  const out: Partial<Record<StepOp, number>> = {};
  for (const s of steps) out[s.op] = (out[s.op] ?? 0) + 1;
  return out;
}
function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** A counting semaphore. */
function limiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * Runs `work` for each key once all of `deps(key)` (among `keys`) are done, at most `max` at a
 * time. `work` returns false when it failed: dependents are then skipped (`onSkip`), and unless
 * `continueOnError`, nothing new starts after the first failure.
 */
async function runGraph(
  keys: string[],
  deps: (key: string) => string[],
  max: number,
  continueOnError: boolean,
  work: (key: string) => Promise<boolean>,
  onSkip: (key: string) => void,
): Promise<void> {
  const limit = limiter(max);
  const inSet = new Set(keys);
  const done = new Map<string, Promise<boolean>>();
  const visiting = new Set<string>();
  let halted = false;
  const run = (key: string): Promise<boolean> => {
    const existing = done.get(key);
    if (existing) return existing;
    if (visiting.has(key)) throw new Error(`dependency cycle through ${key}`);
    visiting.add(key);
    const before = deps(key)
      .filter((d) => d !== key && inSet.has(d))
      .map(run);
    visiting.delete(key);
    const p = Promise.all(before).then(async (oks) => {
      if (oks.some((ok) => !ok)) {
        onSkip(key);
        return false;
      }
      return limit(async () => {
        if (halted) {
          onSkip(key);
          return false;
        }
        const ok = await work(key);
        if (!ok && !continueOnError) halted = true;
        return ok;
      });
    });
    done.set(key, p);
    return p;
  };
  await Promise.all(keys.map(run));
}

/** The in-memory engine. See the module documentation for the semantics. */
export class Engine {
  /** Live resources by URN. */
  readonly state = new Map<string, StateEntry>();
  /** Old copies waiting for deletion (create-before-delete replacement not finished). */
  readonly pendingDeletes: StateEntry[] = [];
  private readonly parallel: number;
  private readonly config: Record<string, ConfigValue>;

  constructor(
    readonly host: Host,
    opts: EngineOptions = {},
  ) {
    this.parallel = opts.parallel ?? 10;
    this.config = opts.config ?? {};
  }

  /** The entry whose URN ends with `::<name>` (first match), or undefined. */
  find(name: string): StateEntry | undefined {
    for (const e of this.state.values()) if (nameOf(e.urn) === name) return e;
    return undefined;
  }

  /** A JSON-safe deep copy of the state (resources then pending deletes). */
  snapshot(): { resources: StateEntry[]; pendingDeletes: StateEntry[] } {
    return structuredClone({
      resources: [...this.state.values()],
      pendingDeletes: this.pendingDeletes,
    });
  }

  private async ensureConfigured(): Promise<void> {
    if (!this.host.configured) await this.host.configure(this.config);
  }

  private context(): ResolveContext {
    const state = this.state;
    return {
      state,
      output: (urn, key) => {
        const e = state.get(urn);
        return e && key in e.outputs ? e.outputs[key] : UNKNOWN;
      },
      id: (urn) => state.get(urn)?.id ?? UNKNOWN,
    };
  }

  private resolve(d: DesiredResource): { inputs: Props; secretInputs: string[] } {
    const raw = typeof d.inputs === "function" ? d.inputs(this.context()) : d.inputs;
    const inputs: Props = {};
    const secretInputs = new Set(d.secretInputs ?? []);
    for (const [k, v] of Object.entries(raw)) {
      const [plain, secret] = unwrapSecrets(v);
      inputs[k] = plain;
      if (secret) secretInputs.add(k);
    }
    return { inputs, secretInputs: [...secretInputs] };
  }

  private entry(
    d: DesiredResource,
    id: string,
    inputs: Props,
    outputs: Props,
    secretInputs: string[],
    initErrors?: string[],
  ): StateEntry {
    const extra = d.additionalSecretOutputs ?? [];
    const secretOutputs = Object.keys(outputs).filter(
      (k) => secretInputs.includes(k) || extra.includes(k),
    );
    return {
      urn: d.urn,
      type: d.type ?? typeOf(d.urn),
      id,
      inputs,
      outputs,
      dependencies: [...(d.dependencies ?? [])],
      secretInputs,
      secretOutputs,
      ...(initErrors && initErrors.length > 0 ? { initErrors } : {}),
      ...(d.options?.protect ? { protect: true } : {}),
      ...(d.options?.retainOnDelete ? { retainOnDelete: true } : {}),
    };
  }

  private managed(desired: DesiredResource[]): DesiredResource[] {
    const list = desired.filter((d) => d.custom !== false);
    const seen = new Set<string>();
    for (const d of list) {
      if (seen.has(d.urn)) throw new Error(`duplicate resource URN ${d.urn}`);
      seen.add(d.urn);
    }
    return list;
  }

  /** Check (and Diff for existing resources): the plan of one resource, without writing. */
  private async plan(
    d: DesiredResource,
    inputs: Props,
  ): Promise<{ checked: Props; failures: CheckFailure[]; diff?: DiffResult; op: StepOp }> {
    const old = this.state.get(d.urn);
    if (!old) {
      const c = await this.host.check(d.urn, {}, inputs);
      return { checked: c.inputs, failures: c.failures, op: "create" };
    }
    const c = await this.host.check(d.urn, old.inputs, inputs, { oldOutputs: old.outputs });
    if (c.failures.length > 0) return { checked: c.inputs, failures: c.failures, op: "update" };
    const checked = { ...c.inputs };
    const ignore = d.options?.ignoreChanges ?? [];
    for (const k of ignore) {
      if (k in old.inputs) checked[k] = old.inputs[k];
      else delete checked[k];
    }
    const diff = await this.host.diff(old.id, d.urn, old.outputs, checked, {
      oldInputs: old.inputs,
      ignoreChanges: ignore,
    });
    let changes = diff.changes;
    if (changes === "UNKNOWN") changes = isDeepStrictEqual(old.inputs, checked) ? "NONE" : "SOME";
    const replaces = [...diff.replaces];
    for (const k of d.options?.replaceOnChanges ?? []) {
      if (!isDeepStrictEqual(old.inputs[k], checked[k]) && !replaces.includes(k)) replaces.push(k);
    }
    const full: DiffResult = { ...diff, changes, replaces };
    let op: StepOp = "same";
    if (changes === "SOME" && replaces.length > 0) op = "replace";
    else if (changes === "SOME" || (old.initErrors?.length ?? 0) > 0) op = "update";
    return { checked, failures: [], diff: full, op };
  }

  /**
   * `pulumi preview`: Check (olds = previous inputs) then Diff (olds = previous outputs) for
   * existing resources, Check only for new ones; deletes for resources no longer desired.
   * Nothing is written. Inputs may hold {@link UNKNOWN}.
   */
  async preview(desired: DesiredResource[], opts: RunOptions = {}): Promise<RunResult> {
    const start = Date.now();
    await this.ensureConfigured();
    const list = this.managed(desired);
    const limit = limiter(opts.parallel ?? this.parallel);
    const steps: Step[] = [];
    await Promise.all(
      list.map((d) =>
        limit(async () => {
          const { inputs } = this.resolve(d);
          try {
            const p = await this.plan(d, inputs);
            const step: Step = { op: p.op, urn: d.urn, inputs: p.checked };
            const old = this.state.get(d.urn);
            if (old) step.id = old.id;
            if (p.diff) step.diff = p.diff;
            if (p.op === "replace") {
              step.deleteBeforeReplace =
                (p.diff?.deleteBeforeReplace ?? false) || d.options?.deleteBeforeReplace === true;
            }
            if (p.failures.length > 0) {
              step.failures = p.failures;
              step.error = checkError(p.failures);
            }
            steps.push(step);
          } catch (e) {
            steps.push({
              op: this.state.has(d.urn) ? "update" : "create",
              urn: d.urn,
              error: asError(e),
            });
          }
        }),
      ),
    );
    const wanted = new Set(list.map((d) => d.urn));
    for (const old of this.pendingDeletes) {
      steps.push({ op: "delete", urn: old.urn, id: old.id, reason: "pending-delete" });
    }
    for (const old of this.state.values()) {
      if (!wanted.has(old.urn))
        steps.push({ op: "delete", urn: old.urn, id: old.id, reason: "removed" });
    }
    return this.finish("preview", steps, start, opts);
  }

  /**
   * `pulumi up`: pending deletes first, then Check/Diff and Create/Update/Replace for each
   * desired resource (dependencies first, `parallel` at a time), then (if nothing failed) the
   * delete phase: replaced copies and resources no longer desired, dependents first, each with
   * the OLD outputs (and so the old `__provider`). A half-created resource is kept in state.
   */
  async up(desired: DesiredResource[], opts: RunOptions = {}): Promise<RunResult> {
    const start = Date.now();
    await this.ensureConfigured();
    const list = this.managed(desired);
    const steps: Step[] = [];
    const parallel = opts.parallel ?? this.parallel;
    const continueOnError = opts.continueOnError ?? false;

    const pendingOk = await this.deletePhase(
      this.pendingDeletes.splice(0).map((e) => ({ e, reason: "pending-delete" as const })),
      steps,
      parallel,
      continueOnError,
    );
    const byUrn = new Map(list.map((d) => [d.urn, d]));
    let failed = !pendingOk;
    const replaced: StateEntry[] = [];
    if (!failed || continueOnError) {
      await runGraph(
        list.map((d) => d.urn),
        (urn) => byUrn.get(urn)?.dependencies ?? [],
        parallel,
        continueOnError,
        async (urn) => {
          const d = byUrn.get(urn);
          if (!d) return true;
          const step = await this.register(d, replaced);
          steps.push(step);
          if (step.error) failed = true;
          return !step.error;
        },
        (urn) => steps.push({ op: "skip", urn }),
      );
    }
    if (!failed || continueOnError) {
      const wanted = new Set(list.map((d) => d.urn));
      const removed = [...this.state.values()].filter((e) => !wanted.has(e.urn));
      // Deletions of replaced copies and removed resources share one dependency-ordered phase.
      const phase: DeleteItem[] = replaced.map((e) => ({ e, reason: "replaced" }));
      for (const e of removed) phase.push({ e, reason: "removed" });
      await this.deletePhase(phase, steps, parallel, continueOnError);
    } else {
      // The engine keeps replaced copies as pending deletes for the next run.
      this.pendingDeletes.push(...replaced);
    }
    return this.finish("up", steps, start, opts);
  }

  /** One desired resource's registration step (create / update / replace / same). */
  private async register(d: DesiredResource, replaced: StateEntry[]): Promise<Step> {
    const { inputs, secretInputs } = this.resolve(d);
    const old = this.state.get(d.urn);
    let p: Awaited<ReturnType<Engine["plan"]>>;
    try {
      p = await this.plan(d, inputs);
    } catch (e) {
      return { op: old ? "update" : "create", urn: d.urn, error: asError(e) };
    }
    const step: Step = { op: p.op, urn: d.urn, inputs: p.checked };
    if (p.diff) step.diff = p.diff;
    if (p.failures.length > 0) {
      step.failures = p.failures;
      step.error = checkError(p.failures);
      return step;
    }
    try {
      if (p.op === "create") {
        step.id = await this.create(d, p.checked, secretInputs);
      } else if (p.op === "same" && old) {
        step.id = old.id;
        // A same step stores the new inputs (new __provider) with the old outputs.
        this.state.set(d.urn, {
          ...old,
          inputs: p.checked,
          dependencies: [...(d.dependencies ?? [])],
        });
      } else if (p.op === "update" && old) {
        step.id = old.id;
        try {
          const r = await this.host.update(old.id, d.urn, old.outputs, p.checked, {
            oldInputs: old.inputs,
            ignoreChanges: d.options?.ignoreChanges ?? [],
          });
          this.state.set(d.urn, this.entry(d, old.id, p.checked, r.properties, secretInputs));
        } catch (e) {
          if (e instanceof HostCallError && e.initFailed) {
            const f = e.initFailed;
            this.state.set(
              d.urn,
              this.entry(d, f.id || old.id, p.checked, f.properties, secretInputs, f.reasons),
            );
          }
          throw e;
        }
      } else if (p.op === "replace" && old) {
        step.oldId = old.id;
        const dbr =
          (p.diff?.deleteBeforeReplace ?? false) || d.options?.deleteBeforeReplace === true;
        step.deleteBeforeReplace = dbr;
        // The engine checks the replacement again, as a new resource (no olds).
        const c = await this.host.check(d.urn, {}, inputs);
        if (c.failures.length > 0) {
          step.failures = c.failures;
          step.error = checkError(c.failures);
          return step;
        }
        step.inputs = c.inputs;
        if (dbr) {
          await this.deleteEntry(old);
          this.state.delete(d.urn);
        }
        step.id = await this.create(d, c.inputs, secretInputs);
        if (!dbr) replaced.push(old);
      }
    } catch (e) {
      step.error = asError(e);
      if (e instanceof HostCallError && e.initFailed) step.id = e.initFailed.id;
    }
    return step;
  }

  /** Create + record in state; a half-created resource is recorded too, then the error rethrown. */
  private async create(
    d: DesiredResource,
    checked: Props,
    secretInputs: string[],
  ): Promise<string> {
    try {
      const r = await this.host.create(d.urn, checked);
      this.state.set(d.urn, this.entry(d, r.id, checked, r.properties, secretInputs));
      return r.id;
    } catch (e) {
      if (e instanceof HostCallError && e.initFailed && e.initFailed.id) {
        const f = e.initFailed;
        this.state.set(d.urn, this.entry(d, f.id, checked, f.properties, secretInputs, f.reasons));
      }
      throw e;
    }
  }

  private async deleteEntry(e: StateEntry): Promise<void> {
    if (e.protect) throw new Error(`resource ${e.urn} is protected`);
    if (e.retainOnDelete) return;
    await this.host.delete(e.id, e.urn, e.outputs, { oldInputs: e.inputs });
  }

  /** Deletes entries dependents-first; removes each from state (or pending list) once deleted. */
  private async deletePhase(
    items: DeleteItem[],
    steps: Step[],
    parallel: number,
    continueOnError: boolean,
  ): Promise<boolean> {
    const keyOf = (i: number): string => `${i}`;
    const keys = items.map((_, i) => keyOf(i));
    const urnKeys = new Map<string, string[]>();
    items.forEach((it, i) => urnKeys.set(it.e.urn, [...(urnKeys.get(it.e.urn) ?? []), keyOf(i)]));
    // X waits for every item that depends on X.
    const dependents = new Map<string, string[]>();
    items.forEach((it, i) => {
      for (const dep of it.e.dependencies) {
        for (const k of urnKeys.get(dep) ?? []) {
          dependents.set(k, [...(dependents.get(k) ?? []), keyOf(i)]);
        }
      }
    });
    let ok = true;
    await runGraph(
      keys,
      (k) => dependents.get(k) ?? [],
      parallel,
      continueOnError,
      async (k) => {
        const it = items[Number(k)];
        if (!it) return true;
        const step: Step = { op: "delete", urn: it.e.urn, id: it.e.id, reason: it.reason };
        try {
          await this.deleteEntry(it.e);
          if (this.state.get(it.e.urn) === it.e) this.state.delete(it.e.urn);
        } catch (err) {
          step.error = asError(err);
          ok = false;
          if (it.reason === "replaced" || it.reason === "pending-delete") {
            this.pendingDeletes.push(it.e);
          }
        }
        steps.push(step);
        return !step.error;
      },
      (k) => {
        const it = items[Number(k)];
        if (!it) return;
        steps.push({ op: "skip", urn: it.e.urn, id: it.e.id, reason: it.reason });
        if (it.reason === "replaced" || it.reason === "pending-delete")
          this.pendingDeletes.push(it.e);
      },
    );
    return ok;
  }

  /**
   * `pulumi refresh`: Read(id, outputs, inputs) for each resource; outputs are replaced; inputs
   * too when Read returns them; a resource Read returns without id leaves the state.
   */
  async refresh(opts: RunOptions = {}): Promise<RunResult> {
    const start = Date.now();
    await this.ensureConfigured();
    const limit = limiter(opts.parallel ?? this.parallel);
    const steps: Step[] = [];
    await Promise.all(
      [...this.state.values()].map((e) =>
        limit(async () => {
          const step: Step = { op: "read", urn: e.urn, id: e.id };
          try {
            const r = await this.host.read(e.id, e.urn, e.outputs, e.inputs);
            if (!r.id) {
              step.gone = true;
              this.state.delete(e.urn);
            } else {
              const next: StateEntry = { ...e, id: r.id, outputs: r.properties };
              next.secretOutputs = Object.keys(r.properties).filter(
                (k) => e.secretOutputs.includes(k) || e.secretInputs.includes(k),
              );
              if (r.inputs) {
                next.inputs = r.inputs;
                step.inputsReplaced = true;
              }
              step.id = r.id;
              this.state.set(e.urn, next);
            }
          } catch (err) {
            step.error = asError(err);
          }
          steps.push(step);
        }),
      ),
    );
    return this.finish("refresh", steps, start, opts);
  }

  /** `pulumi destroy`: deletes everything (pending deletes too), dependents first. */
  async destroy(opts: RunOptions = {}): Promise<RunResult> {
    const start = Date.now();
    await this.ensureConfigured();
    const steps: Step[] = [];
    const items = [
      ...this.pendingDeletes.splice(0).map((e) => ({ e, reason: "pending-delete" as const })),
      ...[...this.state.values()].map((e) => ({ e, reason: "destroy" as const })),
    ];
    await this.deletePhase(
      items,
      steps,
      opts.parallel ?? this.parallel,
      opts.continueOnError ?? false,
    );
    return this.finish("destroy", steps, start, opts);
  }

  private finish(operation: string, steps: Step[], start: number, opts: RunOptions): RunResult {
    const result: RunResult = {
      steps,
      errors: steps.filter((s) => s.error),
      summary: summarize(steps),
      durationMs: Date.now() - start,
    };
    if (result.errors.length > 0 && (opts.throwOnError ?? true)) {
      throw new DeploymentError(operation, result);
    }
    return result;
  }
}

function checkError(failures: CheckFailure[]): Error {
  return new Error("check failed: " + failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
}
