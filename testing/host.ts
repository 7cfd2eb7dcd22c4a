/**
 * Spawn the REAL Pulumi dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`) and drive
 * it over gRPC the way the Pulumi engine does, with plain JS objects in and out.
 *
 * ```ts
 * const host = await startHost();                       // cwd = repo root
 * await host.configure({ "nexudus:token": { secret: "t0k3n" } });
 * const { inputs, failures } = await host.check(rec.urn, {}, rec.inputs);
 * const { id, properties } = await host.create(rec.urn, inputs);
 * await host.delete(id, rec.urn, properties);           // Delete gets the OUTPUTS
 * await host.stop();                                    // always, e.g. in afterAll
 * ```
 *
 * Every call goes through the real serialized closure (`__provider`), the real host, the real
 * `google.protobuf.Struct` conversion and the real error mapping. Errors are thrown as
 * {@link HostCallError}; a half-created resource (an error carrying `id` and `properties`)
 * is decoded into `err.id`, `err.properties`, `err.reasons`.
 *
 * @packageDocumentation
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as provTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as provGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";

/** The sentinel for a value not known yet (preview), whatever the property's type. */
export { UNKNOWN } from "../provider/inputs";
/** Key marking a special value (secret, asset, ...) on the wire. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** Value of {@link SIG_KEY} that marks a secret: `{[SIG_KEY]: SECRET_SIG, value}`. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The repository root (where `package.json` and `node_modules` are). */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** True if `v` is a wire secret `{[SIG_KEY]: SECRET_SIG, value}`. */
export function isSecretValue(v: unknown): v is { value: unknown } {
  return (
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** Wraps a value as a wire secret, as the engine sends secret config (and secret inputs). */
export function secretValue(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/**
 * Removes every secret wrapper in `v` (deeply), as the engine does before calling a provider
 * that answers `acceptSecrets: false`. Returns the plain value and whether a secret was found.
 */
export function unwrapSecrets(v: unknown): [unknown, boolean] {
  if (isSecretValue(v)) return [unwrapSecrets(v.value)[0], true];
  if (Array.isArray(v)) {
    let any = false;
    const out = v.map((e) => {
      const [p, s] = unwrapSecrets(e);
      any ||= s;
      return p;
    });
    return [out, any];
  }
  if (typeof v === "object" && v !== null) {
    let any = false;
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) {
      const [p, s] = unwrapSecrets(e);
      any ||= s;
      out[k] = p;
    }
    return [out, any];
  }
  return [v, false];
}

/** A plain property bag, as converted to/from `google.protobuf.Struct`. */
export type Props = Record<string, unknown>;

/** A stack config value for {@link Host.configure}: a string, or a secret (sent wrapped). */
export type ConfigValue = string | { secret: string };

/** Options of {@link startHost}. */
export interface StartHostOptions {
  /**
   * Working directory of the host: `require()` inside a serialized provider resolves from its
   * `node_modules`. Default: the repo root. When `<cwd>/node_modules/@pulumi/pulumi` exists,
   * that copy of the host script runs (a project with the package installed as a user has it).
   */
  cwd?: string;
  /** Extra environment variables (a value `undefined` removes a variable). */
  env?: Record<string, string | undefined>;
  /** `PULUMI_NODEJS_PROJECT` (default "project", as `captureResources` uses). */
  project?: string;
  /** `PULUMI_NODEJS_STACK` (default "stack"). */
  stack?: string;
  /** How long to wait for the port line (default 30 s). */
  startTimeoutMs?: number;
  /** gRPC deadline of each call in ms (default: none). */
  callTimeoutMs?: number;
  /**
   * Another provider to run instead of the dynamic-provider host (e.g. the nexudus plugin's
   * `dist/provider/plugin/main.js`): a script run with node, or an executable (`sh` launcher).
   */
  script?: string;
}

/** Result of {@link Host.configure}. */
export interface ConfigureResult {
  acceptSecrets: boolean;
  supportsPreview: boolean;
  acceptResources: boolean;
  acceptOutputs: boolean;
}
/** A check failure, as the provider reported it. */
export interface CheckFailure {
  property: string;
  reason: string;
}
/** Result of {@link Host.check}: the checked inputs (`__provider` included) and failures. */
export interface CheckResult {
  inputs: Props;
  failures: CheckFailure[];
}
/** Result of {@link Host.diff}. The host maps `changes` true/false/undefined to SOME/NONE/UNKNOWN. */
export interface DiffResult {
  changes: "SOME" | "NONE" | "UNKNOWN";
  replaces: string[];
  stables: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
  /** The detailed diff, when the provider answered one (the dynamic host never does). */
  detailedDiff?: Record<string, { kind: DiffKind; inputDiff: boolean }>;
}

/** The kinds of a detailed diff entry, by their pulumirpc names. */
export type DiffKind =
  "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";
const DIFF_KINDS: readonly DiffKind[] = [
  "ADD",
  "ADD_REPLACE",
  "DELETE",
  "DELETE_REPLACE",
  "UPDATE",
  "UPDATE_REPLACE",
];
/** Result of {@link Host.create}: the new id and the outputs (`__provider` included). */
export interface CreateResult {
  id: string;
  properties: Props;
}
/** Result of {@link Host.read}: `id` "" means "gone" (the engine drops it from state). */
export interface ReadResult {
  id: string;
  properties: Props;
  /** Only when the provider's `read` returned `inputs` (the engine then replaces the stored inputs). */
  inputs?: Props;
}
/** Result of {@link Host.update}: the new outputs (`__provider` included). */
export interface UpdateResult {
  properties: Props;
}

/** The `ErrorResourceInitFailed` detail of a failed Create/Update: the resource exists anyway. */
export interface InitFailure {
  id: string;
  properties: Props;
  reasons: string[];
  inputs?: Props;
}

/**
 * Error thrown by a {@link Host} call. `details` is the gRPC details string (the provider's
 * error message, as the engine shows it). For a partial create/update, `initFailed` (and the
 * shortcuts `id`, `properties`, `reasons`) say what the engine records in state.
 */
export class HostCallError extends Error {
  override readonly name = "HostCallError";
  /** Which RPC failed, e.g. "create". */
  readonly method: string;
  /** gRPC status code (2 = UNKNOWN for provider errors, 14 = UNAVAILABLE if the host died...). */
  readonly code: number;
  /** The gRPC details string. */
  readonly details: string;
  /** Set when the host packed an `ErrorResourceInitFailed` detail (error with `id`). */
  readonly initFailed?: InitFailure;
  readonly id?: string;
  readonly properties?: Props;
  readonly reasons?: string[];

  constructor(method: string, code: number, details: string, initFailed?: InitFailure) {
    super(`${method}: ${details}`);
    this.method = method;
    this.code = code;
    this.details = details;
    if (initFailed) {
      this.initFailed = initFailed;
      this.id = initFailed.id;
      this.properties = initFailed.properties;
      this.reasons = initFailed.reasons;
    }
  }
}

/** How the host process ended. */
export interface HostExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options of {@link Host.check}. */
export interface CheckOptions {
  /** Old outputs (newer engines send them; the dynamic host ignores them). */
  oldOutputs?: Props;
}
/** Options of {@link Host.diff}. */
export interface DiffOptions {
  /** Old inputs (the engine sends them next to the old outputs; the dynamic host ignores them). */
  oldInputs?: Props;
  ignoreChanges?: string[];
}
/** Options of {@link Host.create}. */
export interface CreateOptions {
  /** Preview create (the engine never sends it to the dynamic host: `supportsPreview` is false). */
  preview?: boolean;
  /** Custom timeout in seconds. */
  timeout?: number;
}
/** Options of {@link Host.update}. */
export interface UpdateOptions extends CreateOptions {
  oldInputs?: Props;
  ignoreChanges?: string[];
}
/** Options of {@link Host.delete}. */
export interface DeleteOptions {
  oldInputs?: Props;
  timeout?: number;
}

/** A running dynamic-provider host with a connected gRPC client. Create with {@link startHost}. */
export interface Host {
  /** The gRPC port the host printed. */
  readonly port: number;
  /** The host's process id. */
  readonly pid: number;
  /** The host's working directory. */
  readonly cwd: string;
  /** The host script that runs (`.../@pulumi/pulumi/cmd/dynamic-provider/index.js`). */
  readonly script: string;
  /** True once {@link Host.configure} succeeded (the engine always configures first). */
  readonly configured: boolean;
  /** Resolves when the process exits (also if it crashes). */
  readonly exited: Promise<HostExit>;

  /**
   * `Configure` with the whole stack config, keys namespaced (`"nexudus:token"`). Secrets go as
   * `{secret: "..."}` and travel wrapped `{[SIG_KEY]: SECRET_SIG, value}` as the engine sends
   * them; the host unwraps them. No `__provider` key, as from the engine. Call once, first.
   */
  configure(config?: Record<string, ConfigValue>): Promise<ConfigureResult>;
  /** `Check(urn, olds = old INPUTS ({} for a new resource), news = new inputs)`. */
  check(urn: string, olds: Props, news: Props, opts?: CheckOptions): Promise<CheckResult>;
  /** `Diff(id, urn, olds = old OUTPUTS, news = checked inputs)`. */
  diff(id: string, urn: string, olds: Props, news: Props, opts?: DiffOptions): Promise<DiffResult>;
  /** `Create(urn, checked inputs)`; throws {@link HostCallError} (maybe with `id`) on failure. */
  create(urn: string, props: Props, opts?: CreateOptions): Promise<CreateResult>;
  /** `Read(id, urn, properties = old OUTPUTS, inputs = old inputs)` (refresh). */
  read(id: string, urn: string, props: Props, inputs?: Props): Promise<ReadResult>;
  /** `Update(id, urn, olds = old OUTPUTS, news = checked inputs)`. */
  update(
    id: string,
    urn: string,
    olds: Props,
    news: Props,
    opts?: UpdateOptions,
  ): Promise<UpdateResult>;
  /** `Delete(id, urn, properties = old OUTPUTS)`: runs the `__provider` found in them. */
  delete(id: string, urn: string, props: Props, opts?: DeleteOptions): Promise<void>;
  /** `GetPluginInfo`: the @pulumi/pulumi version of the host. */
  getPluginInfo(): Promise<{ version: string }>;
  /** `CheckConfig(urn, olds, news)` of a provider's own inputs (the dynamic host has none). */
  checkConfig(urn: string, olds: Props, news: Props): Promise<CheckResult>;
  /** `Invoke(tok, args)`: a function's answer and the failures of its arguments. */
  invoke(tok: string, args: Props): Promise<{ outputs: Props; failures: CheckFailure[] }>;
  /** `GetSchema(version 0)`: the package schema text. */
  getSchema(): Promise<string>;
  /** Everything the host printed on stdout so far (the first line is the port). */
  stdout(): string;
  /** Everything the host printed on stderr so far (errors of check/diff/read/delete land here). */
  stderr(): string;
  /** Closes the client, kills the host (SIGTERM, then SIGKILL after 5 s) and awaits its exit. */
  stop(): Promise<HostExit>;
}

interface GrpcModules {
  grpc: typeof grpcTypes;
  struct: typeof structTypes;
  prov: typeof provTypes;
  provGrpc: typeof provGrpcTypes;
  status: {
    Status: {
      deserializeBinary(b: Uint8Array): {
        getDetailsList(): Array<{ getTypeName(): string; getValue_asU8(): Uint8Array }>;
      };
    };
  };
  empty: { Empty: new () => unknown };
}

let modules: GrpcModules | undefined;

/**
 * The gRPC stubs shipped in @pulumi/pulumi and the SAME `@grpc/grpc-js` and `google-protobuf`
 * copies it uses (resolved relative to `require.resolve("@pulumi/pulumi")`).
 */
function grpcModules(): GrpcModules {
  if (!modules) {
    const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
    modules = {
      grpc: fromPulumi("@grpc/grpc-js") as typeof grpcTypes,
      struct: fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof structTypes,
      prov: fromPulumi("./proto/provider_pb") as typeof provTypes,
      provGrpc: fromPulumi("./proto/provider_grpc_pb") as typeof provGrpcTypes,
      status: fromPulumi("./proto/status_pb") as GrpcModules["status"],
      empty: fromPulumi("google-protobuf/google/protobuf/empty_pb") as GrpcModules["empty"],
    };
  }
  return modules;
}

/** Finds the host script: `<cwd>/node_modules/@pulumi/pulumi/...` if present, else the repo's. */
export function resolveHostScript(cwd: string = REPO_ROOT): string {
  const rel = path.join("node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
  const local = path.join(cwd, rel);
  if (fs.existsSync(local)) return local;
  return path.join(
    path.dirname(require.resolve("@pulumi/pulumi")),
    "cmd",
    "dynamic-provider",
    "index.js",
  );
}

/** Drops `undefined` (like the SDK's serializer) so `Struct.fromJavaScript` accepts the value. */
function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clean);
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) {
      if (e !== undefined) out[k] = clean(e);
    }
    return out;
  }
  return v;
}

/** The check failures of a Check, CheckConfig or Invoke answer, as plain objects. */
function failuresOf(res: {
  getFailuresList(): { getProperty(): string; getReason(): string }[];
}): CheckFailure[] {
  return res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
}

/** Name and type from a URN (`urn:pulumi:stack::project::[parent$]type::name`), as the engine sends. */
function nameAndType(urn: string): { name: string; type: string } {
  const parts = urn.split("::");
  const qualified = parts[2] ?? "";
  return { name: parts.slice(3).join("::"), type: qualified.split("$").pop() ?? "" };
}

/** A request that names its resource, as every CRUD request of the provider protocol does. */
interface AddressedRequest {
  setUrn(v: string): unknown;
  setName(v: string): unknown;
  setType(v: string): unknown;
}

/** Fills in a request's URN and the name and type derived from it; returns the request. */
function addressed<R extends AddressedRequest>(req: R, urn: string): R {
  const nt = nameAndType(urn);
  req.setUrn(urn);
  req.setName(nt.name);
  req.setType(nt.type);
  return req;
}

const liveHosts = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Spawns `node <host script> 127.0.0.1:1` with `PULUMI_NODEJS_PROJECT`/`PULUMI_NODEJS_STACK` set
 * and `PULUMI_NODEJS_ENGINE` removed, reads the port from its first stdout line and connects a
 * `ResourceProvider` client. Remember to {@link Host.stop} it (e.g. in `afterAll`).
 */
export async function startHost(opts: StartHostOptions = {}): Promise<Host> {
  const m = grpcModules();
  const cwd = path.resolve(opts.cwd ?? REPO_ROOT);
  const script = opts.script ?? resolveHostScript(cwd);
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.PULUMI_NODEJS_ENGINE;
  delete env.PULUMI_NODEJS_MONITOR;
  env.PULUMI_NODEJS_PROJECT = opts.project ?? "project";
  env.PULUMI_NODEJS_STACK = opts.stack ?? "stack";
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const [command, args] = script.endsWith(".js")
    ? [process.execPath, [script, "127.0.0.1:1"]]
    : [script, ["127.0.0.1:1"]];
  const child = spawn(command, args, {
    cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  liveHosts.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of liveHosts) c.kill("SIGKILL");
    });
  }
  let out = "";
  let err = "";
  const exited = new Promise<HostExit>((resolve) => {
    child.once("exit", (code, signal) => {
      liveHosts.delete(child);
      resolve({ code, signal });
    });
  });
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (d: string) => (err += d));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`dynamic-provider host printed no port in time; stderr:\n${err}`));
    }, opts.startTimeoutMs ?? 30_000);
    let seen = false;
    child.stdout?.on("data", (d: string) => {
      out += d;
      const nl = out.indexOf("\n");
      if (!seen && nl >= 0) {
        seen = true;
        clearTimeout(timer);
        const p = Number.parseInt(out.slice(0, nl).trim(), 10);
        if (Number.isFinite(p) && p > 0) resolve(p);
        else reject(new Error(`unexpected first line from the host: ${out.slice(0, nl)}`));
      }
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(
        new Error(
          `dynamic-provider host exited (${e.code ?? e.signal}) before printing a port; stderr:\n${err}`,
        ),
      );
    });
  });

  const client = new m.provGrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    m.grpc.credentials.createInsecure(),
    {
      "grpc.max_receive_message_length": 400 * 1024 * 1024,
      "grpc.max_send_message_length": 400 * 1024 * 1024,
    },
  );
  const toStruct = (p: Props): structTypes.Struct =>
    m.struct.Struct.fromJavaScript(clean(p) as Record<string, structTypes.JavaScriptValue>);
  const fromStruct = (s: structTypes.Struct | undefined): Props =>
    (s?.toJavaScript() ?? {}) as Props;

  const decodeError = (method: string, e: unknown): HostCallError => {
    const se = e as Partial<grpcTypes.ServiceError>;
    const code = typeof se.code === "number" ? se.code : -1;
    const details = se.details ?? (e instanceof Error ? e.message : String(e));
    let initFailed: InitFailure | undefined;
    for (const bin of se.metadata?.get("grpc-status-details-bin") ?? []) {
      const status = m.status.Status.deserializeBinary(
        typeof bin === "string" ? Buffer.from(bin, "base64") : bin,
      );
      for (const any of status.getDetailsList()) {
        if (any.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
        const d = m.prov.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
        initFailed = {
          id: d.getId(),
          properties: fromStruct(d.getProperties()),
          reasons: d.getReasonsList(),
          ...(d.hasInputs() ? { inputs: fromStruct(d.getInputs()) } : {}),
        };
      }
    }
    return new HostCallError(method, code, details, initFailed);
  };

  const call = <Res>(method: string, req: unknown): Promise<Res> =>
    new Promise<Res>((resolve, reject) => {
      const callOpts: grpcTypes.CallOptions = opts.callTimeoutMs
        ? { deadline: Date.now() + opts.callTimeoutMs }
        : {};
      const fn = (client as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
      if (!fn) throw new Error(`no such RPC: ${method}`);
      fn.call(client, req, new m.grpc.Metadata(), callOpts, (e: unknown, res: Res) => {
        if (e) reject(decodeError(method, e));
        else resolve(res);
      });
    });

  let configured = false;
  const requireConfigured = (method: string): void => {
    if (!configured) {
      throw new Error(
        `host.${method}() before host.configure(): the engine always configures first`,
      );
    }
  };

  const host: Host = {
    port,
    pid: child.pid ?? -1,
    cwd,
    script,
    get configured() {
      return configured;
    },
    exited,

    async configure(config = {}) {
      const req = new m.prov.ConfigureRequest();
      const args: Props = {};
      const vars = req.getVariablesMap();
      for (const [k, v] of Object.entries(config)) {
        if (typeof v === "string") {
          args[k] = v;
          vars.set(k, v);
        } else {
          args[k] = secretValue(v.secret);
          vars.set(k, v.secret);
        }
      }
      req.setArgs(toStruct(args));
      req.setAcceptsecrets(true);
      req.setAcceptresources(true);
      req.setSendsOldInputs(true);
      req.setSendsOldInputsToDelete(true);
      const res = await call<provTypes.ConfigureResponse>("configure", req);
      configured = true;
      return {
        acceptSecrets: res.getAcceptsecrets(),
        supportsPreview: res.getSupportspreview(),
        acceptResources: res.getAcceptresources(),
        acceptOutputs: res.getAcceptoutputs(),
      };
    },

    async check(urn, olds, news, o = {}) {
      requireConfigured("check");
      const req = addressed(new m.prov.CheckRequest(), urn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      req.setRandomseed(randomBytes(32));
      // Newer protocol versions also send the old outputs to Check; older stubs have no field.
      const withOutputs = req as unknown as { setOldOutputs?: (v: unknown) => void };
      if (o.oldOutputs && typeof withOutputs.setOldOutputs === "function") {
        withOutputs.setOldOutputs(toStruct(o.oldOutputs));
      }
      const res = await call<provTypes.CheckResponse>("check", req);
      return {
        inputs: fromStruct(res.getInputs()),
        failures: failuresOf(res),
      };
    },

    async diff(id, urn, olds, news, o = {}) {
      requireConfigured("diff");
      const req = addressed(new m.prov.DiffRequest(), urn);
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      if (o.oldInputs) req.setOldInputs(toStruct(o.oldInputs));
      req.setIgnorechangesList(o.ignoreChanges ?? []);
      const res = await call<provTypes.DiffResponse>("diff", req);
      const C = m.prov.DiffResponse.DiffChanges;
      const ch = res.getChanges();
      return {
        changes: ch === C.DIFF_SOME ? "SOME" : ch === C.DIFF_NONE ? "NONE" : "UNKNOWN",
        replaces: res.getReplacesList(),
        stables: res.getStablesList(),
        deleteBeforeReplace: res.getDeletebeforereplace(),
        diffs: res.getDiffsList(),
        ...(res.getHasdetaileddiff()
          ? {
              detailedDiff: Object.fromEntries(
                res
                  .getDetaileddiffMap()
                  .getEntryList()
                  .map(([k]) => {
                    const v = res.getDetaileddiffMap().get(k)!;
                    return [k, { kind: DIFF_KINDS[v.getKind()]!, inputDiff: v.getInputdiff() }];
                  }),
              ),
            }
          : {}),
      };
    },

    async create(urn, props, o = {}) {
      requireConfigured("create");
      const req = addressed(new m.prov.CreateRequest(), urn);
      req.setProperties(toStruct(props));
      req.setPreview(o.preview ?? false);
      if (o.timeout !== undefined) req.setTimeout(o.timeout);
      const res = await call<provTypes.CreateResponse>("create", req);
      return { id: res.getId(), properties: fromStruct(res.getProperties()) };
    },

    async read(id, urn, props, inputs) {
      requireConfigured("read");
      const req = addressed(new m.prov.ReadRequest(), urn);
      req.setId(id);
      req.setProperties(toStruct(props));
      if (inputs) req.setInputs(toStruct(inputs));
      const res = await call<provTypes.ReadResponse>("read", req);
      return {
        id: res.getId(),
        properties: fromStruct(res.getProperties()),
        ...(res.hasInputs() ? { inputs: fromStruct(res.getInputs()) } : {}),
      };
    },

    async update(id, urn, olds, news, o = {}) {
      requireConfigured("update");
      const req = addressed(new m.prov.UpdateRequest(), urn);
      req.setId(id);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      if (o.oldInputs) req.setOldInputs(toStruct(o.oldInputs));
      req.setIgnorechangesList(o.ignoreChanges ?? []);
      req.setPreview(o.preview ?? false);
      if (o.timeout !== undefined) req.setTimeout(o.timeout);
      const res = await call<provTypes.UpdateResponse>("update", req);
      return { properties: fromStruct(res.getProperties()) };
    },

    async delete(id, urn, props, o = {}) {
      requireConfigured("delete");
      const req = addressed(new m.prov.DeleteRequest(), urn);
      req.setId(id);
      req.setProperties(toStruct(props));
      if (o.oldInputs) req.setOldInputs(toStruct(o.oldInputs));
      if (o.timeout !== undefined) req.setTimeout(o.timeout);
      await call<unknown>("delete", req);
    },

    async getPluginInfo() {
      const res = await call<{ getVersion(): string }>("getPluginInfo", new m.empty.Empty());
      return { version: res.getVersion() };
    },

    async checkConfig(urn, olds, news) {
      const req = addressed(new m.prov.CheckRequest(), urn);
      req.setOlds(toStruct(olds));
      req.setNews(toStruct(news));
      const res = await call<provTypes.CheckResponse>("checkConfig", req);
      return {
        inputs: fromStruct(res.getInputs()),
        failures: failuresOf(res),
      };
    },

    async invoke(tok, args) {
      const req = new m.prov.InvokeRequest();
      req.setTok(tok);
      req.setArgs(toStruct(args));
      const res = await call<provTypes.InvokeResponse>("invoke", req);
      return {
        outputs: fromStruct(res.getReturn()),
        failures: failuresOf(res),
      };
    },

    async getSchema() {
      const req = new m.prov.GetSchemaRequest();
      req.setVersion(0);
      const res = await call<provTypes.GetSchemaResponse>("getSchema", req);
      return res.getSchema();
    },

    stdout: () => out,
    stderr: () => err,

    async stop() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        const e = await exited;
        clearTimeout(timer);
        return e;
      }
      return exited;
    },
  };
  return host;
}
