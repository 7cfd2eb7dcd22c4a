/**
 * Run a Pulumi program under `pulumi.runtime.setMocks` and record every resource registration
 * exactly as the engine would receive it (the `RegisterResource` request), `__provider` included.
 *
 * ```ts
 * const [rec] = await captureResources(() => {
 *   new FileRecord("one", { dir, content: "hello" });
 * });
 * rec.inputs.__provider; // the serialized provider, the exact string the engine would store
 * await engine.up([rec]); // or host.create(rec.urn, rec.inputs)
 * ```
 *
 * Serializing a dynamic provider's closure takes about 0.5 s per distinct provider: capture once
 * (e.g. in `beforeAll`) and reuse the result (see {@link withInputs} to derive variants).
 *
 * Why more than `setMocks`: its `newResource` sees the type, name and deserialized inputs only,
 * while the tests assert on the request itself (options, dependencies, secret wrappers, the exact
 * `__provider`), so the mock monitor's `registerResource` is wrapped (the monitor comes from the
 * public `pulumi.runtime.getMonitor()`). Two SDK internals remain: `waitForRPCs` (no public way to
 * wait for the registrations a program started) and, while a capture runs, the hooks that keep a
 * failed registration from also surfacing as an unhandled rejection, which kills the jest worker.
 *
 * @packageDocumentation
 */
import * as pulumi from "@pulumi/pulumi";
import type * as resproto from "@pulumi/pulumi/proto/resource_pb";

import { unwrapSecrets } from "./host";

export { UNKNOWN, SIG_KEY, SECRET_SIG, isSecretValue, secretValue, unwrapSecrets } from "./host";

/** Resource options as sent to the engine in the `RegisterResource` request. */
export interface CapturedOptions {
  protect?: boolean;
  /** `true`/`false` only when the option was given (`deleteBeforeReplaceDefined`). */
  deleteBeforeReplace?: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
  retainOnDelete?: boolean;
  /** URNs this resource depends on (`dependsOn`, parents' dependencies, input dependencies). */
  dependencies: string[];
  /** Per input key, the URNs it depends on. */
  propertyDependencies: Record<string, string[]>;
  /** Provider reference (`urn::id`) for non-default providers; "" for the default one. */
  provider: string;
  /** The `import` option, if any (does not work for dynamic resources, see PULUMI-DYNAMIC.md). */
  importId: string;
  deletedWith: string;
  customTimeouts?: { create: string; update: string; delete: string };
}

/** One resource registration recorded by {@link captureResources}. */
export interface CapturedResource {
  /** e.g. `pulumi-nodejs:dynamic/fixture:FileRecord` (`pulumi-nodejs:dynamic:Resource` by default). */
  type: string;
  name: string;
  /** `urn:pulumi:<stack>::<project>::<type>::<name>` (parent types prefixed like the engine does). */
  urn: string;
  /** true for custom resources (every dynamic resource), false for components. */
  custom: boolean;
  /** Parent URN, when the resource has a parent. */
  parent?: string;
  /**
   * Inputs as the provider receives them (the engine strips secrets before calling a provider
   * that answers `acceptSecrets: false`, as the dynamic host does): secret wrappers removed,
   * not-yet-known values as {@link UNKNOWN}. `__provider` is the exact serialized provider.
   */
  inputs: Record<string, unknown>;
  /** Inputs exactly as on the wire to the engine (secret wrappers kept). */
  rawInputs: Record<string, unknown>;
  /** Top-level input keys whose value is (or contains) a secret. */
  secretInputs: string[];
  /** Shortcut for `options.additionalSecretOutputs`. */
  additionalSecretOutputs: string[];
  /** Shortcut for `options.dependencies`. */
  dependencies: string[];
  /** The id the mock gave the resource (undefined in preview captures by default). */
  mockId?: string;
  options: CapturedOptions;
}

/** The arguments a mock resource factory receives (see {@link CaptureOptions.mockResource}). */
export type MockResourceArgs = pulumi.runtime.MockResourceArgs;
/** What a mock resource factory returns: an id and the resource's output state. */
export type MockResourceResult = { id: string | undefined; state: Record<string, unknown> };

/** Options of {@link captureResources}. */
export interface CaptureOptions {
  /** Project name (default "project"). */
  project?: string;
  /** Stack name (default "stack"). */
  stack?: string;
  /** Stack config, keys namespaced: `{"nexudus:baseUrl": "http://..."}`. */
  config?: Record<string, string>;
  /** Config keys that are secret (`pulumi config set --secret`). */
  secretKeys?: string[];
  /**
   * Run as a preview (`pulumi.runtime.isDryRun()` is true). With the default mock, ids and outputs
   * that are not inputs are then unknown, so inputs computed from other resources' outputs
   * arrive as {@link UNKNOWN}, as in a real first preview.
   */
  preview?: boolean;
  /**
   * Mock factory for resource outputs. Return `undefined` to use the default: `state` = the
   * inputs, `id` = `<name>-id` (`undefined` in preview, i.e. unknown).
   */
  mockResource?: (args: MockResourceArgs) => MockResourceResult | undefined;
  /** Mock for `pulumi.runtime.invoke` calls (default: returns the args). */
  mockCall?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;
}

type RegisterCallback = (err: unknown, resp?: resproto.RegisterResourceResponse) => void;
interface MockMonitorLike {
  registerResource(req: resproto.RegisterResourceRequest, cb: RegisterCallback): unknown;
}
interface SettingsModule {
  waitForRPCs(): Promise<void>;
}
interface StateModule {
  failPendingRegistration(res: unknown, err: unknown): void;
}
interface DebuggableModule {
  debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` under `pulumi.runtime.setMocks` and returns every resource it registered, in
 * registration order, with the inputs the engine would receive (`__provider` included).
 *
 * `setMocks` is process-global: calls are queued so they never overlap, and each call installs
 * fresh mocks and config, so several captures in one jest file are safe. The promise rejects if
 * a resource failed to register (e.g. its provider could not be serialized); jest then also
 * reports the SDK's own rejected output promises against the test, so use
 * {@link serializeProvider} to test serializability on purpose.
 */
export function captureResources(
  program: () => void | Promise<void>,
  opts: CaptureOptions = {},
): Promise<CapturedResource[]> {
  const run = queue.then(() => captureNow(program, opts));
  queue = run.catch(() => undefined);
  return run;
}

async function captureNow(
  program: () => void | Promise<void>,
  opts: CaptureOptions,
): Promise<CapturedResource[]> {
  const settings = require("@pulumi/pulumi/runtime/settings") as SettingsModule;
  const state = require("@pulumi/pulumi/runtime/state") as StateModule;
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule;
  const preview = opts.preview ?? false;

  pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
  await pulumi.runtime.setMocks(
    {
      newResource(args: MockResourceArgs): MockResourceResult {
        const custom = opts.mockResource?.(args);
        if (custom) return custom;
        return {
          id: !args.custom || preview ? undefined : `${args.name}-id`,
          state: args.inputs as Record<string, unknown>,
        };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return opts.mockCall ? opts.mockCall(args) : (args.inputs as Record<string, unknown>);
      },
    },
    opts.project ?? "project",
    opts.stack ?? "stack",
    preview,
  );

  const captured: CapturedResource[] = [];
  const errors: unknown[] = [];
  // setMocks installed a MockMonitor, whose registerResource takes a callback.
  const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitorLike;
  const originalRegister = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const entry = fromRequest(req);
    captured.push(entry);
    return originalRegister(req, (err, resp) => {
      if (resp) {
        entry.urn = resp.getUrn();
        entry.mockId = resp.getId() || undefined;
      }
      if (err) errors.push(err);
      cb(err, resp);
    });
  };
  // A failed registration is reported by rejecting this call; keep the SDK's fire-and-forget
  // registration promise from also surfacing as an unhandled rejection (it kills the jest worker).
  const originalFail = state.failPendingRegistration;
  state.failPendingRegistration = (res, err) => {
    errors.push(err);
    originalFail(res, err);
  };
  const originalDebuggable = debuggable.debuggablePromise;
  debuggable.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
    const result = originalDebuggable(p, ctx);
    if (typeof ctx === "string" && ctx.startsWith("resource:")) result.catch(() => undefined);
    return result;
  };
  try {
    await program();
    await settings.waitForRPCs();
  } finally {
    state.failPendingRegistration = originalFail;
    debuggable.debuggablePromise = originalDebuggable;
  }
  if (errors.length > 0) {
    const first = errors[0];
    const message = first instanceof Error ? first.message : String(first);
    throw Object.assign(new Error(`captureResources: registration failed: ${message}`), {
      cause: first,
      errors,
    });
  }
  return captured;
}

function fromRequest(req: resproto.RegisterResourceRequest): CapturedResource {
  const rawInputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
  const inputs: Record<string, unknown> = {};
  const secretInputs: string[] = [];
  for (const [k, v] of Object.entries(rawInputs)) {
    const [plain, secret] = unwrapSecrets(v);
    inputs[k] = plain;
    if (secret) secretInputs.push(k);
  }
  const propertyDependencies: Record<string, string[]> = {};
  for (const [k, deps] of req.getPropertydependenciesMap().entries()) {
    propertyDependencies[k] = deps.getUrnsList();
  }
  const timeouts = req.getCustomtimeouts();
  const options: CapturedOptions = {
    protect: req.getProtect(),
    deleteBeforeReplace: req.getDeletebeforereplacedefined()
      ? req.getDeletebeforereplace()
      : undefined,
    ignoreChanges: req.getIgnorechangesList(),
    replaceOnChanges: req.getReplaceonchangesList(),
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    retainOnDelete: req.getRetainondelete(),
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    provider: req.getProvider(),
    importId: req.getImportid(),
    deletedWith: req.getDeletedwith(),
    customTimeouts: timeouts
      ? { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() }
      : undefined,
  };
  const parent = req.getParent();
  return {
    type: req.getType(),
    name: req.getName(),
    urn: "",
    custom: req.getCustom(),
    parent: parent === "" ? undefined : parent,
    inputs,
    rawInputs,
    secretInputs,
    additionalSecretOutputs: options.additionalSecretOutputs,
    dependencies: options.dependencies,
    options,
  };
}

/**
 * Serializes a dynamic provider object the way `pulumi.dynamic.Resource` does (the future
 * `__provider` string), without registering a resource. Rejects cleanly when the provider cannot
 * be serialized (native/bound functions, module-level zod schemas...): prefer this over
 * {@link captureResources} to assert that, since a failed registration also leaves the SDK's
 * internal promises rejected, which jest reports against the running test.
 */
export async function serializeProvider(
  provider: pulumi.dynamic.ResourceProvider,
): Promise<string> {
  const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return sf.text;
}

/**
 * Captures `program` and returns the `__provider` string of its first dynamic resource: the
 * serialized provider exactly as the engine would store it in state. Rejects if there is none.
 */
export async function captureProvider(
  program: () => void | Promise<void>,
  opts?: CaptureOptions,
): Promise<string> {
  const resources = await captureResources(program, opts);
  const dyn = resources.find((r) => typeof r.inputs.__provider === "string");
  if (!dyn) throw new Error("captureProvider: the program registered no dynamic resource");
  return dyn.inputs.__provider as string;
}

/**
 * A copy of a captured resource with some inputs changed (or removed with `undefined`; wrap a
 * value with {@link secretValue} to make it secret), keeping its `__provider`: the cheap way to describe "the same program, edited" without serializing
 * the provider again. `name` renames the resource (and its URN).
 */
export function withInputs(
  resource: CapturedResource,
  changes: Record<string, unknown>,
  name?: string,
): CapturedResource {
  const inputs: Record<string, unknown> = { ...resource.inputs };
  const rawInputs: Record<string, unknown> = { ...resource.rawInputs };
  const secretInputs = resource.secretInputs.filter((k) => !(k in changes));
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) {
      delete inputs[k];
      delete rawInputs[k];
      continue;
    }
    const [plain, secret] = unwrapSecrets(v);
    inputs[k] = plain;
    rawInputs[k] = v;
    if (secret) secretInputs.push(k);
  }
  if (name === undefined || name === resource.name) {
    return { ...resource, inputs, rawInputs, secretInputs };
  }
  const urn = resource.urn.slice(0, resource.urn.length - resource.name.length) + name;
  return { ...resource, name, urn, inputs, rawInputs, secretInputs };
}
