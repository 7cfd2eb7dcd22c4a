/**
 * The `nexudus` resource-provider plugin: a gRPC `ResourceProvider` server that the Pulumi engine
 * starts as `pulumi-resource-nexudus` and drives for any language. It holds no resource logic of
 * its own: every WebHook step is the dynamic provider's (provider/webhook.ts `webhookProvider`),
 * and this file only converts between the wire (secrets, Struct values, the detailed diff, error
 * details) and that provider (see ./convert).
 *
 * Written on the gRPC stubs that @pulumi/pulumi ships rather than on its `provider.main()`, whose
 * server drops the `Configure` request, answers no detailed diff and cannot fail a config check.
 *
 * The engine starts one process per provider instance (the default one and each explicit
 * `pulumi:providers:nexudus`), so the process-wide client, token cache and limiter of
 * provider/runtime.ts belong to one instance here.
 */
import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as provTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as provGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import { EXCLUSION_INPUT_KEYS, exclusionProvider } from "../exclusion";
import { WEBHOOK_INPUT_KEYS } from "../inputs";
import { setWarningSink } from "../runtime";
import { webhookProvider } from "../webhook";
import { readSettings } from "../../config/settings";
import { errorMessage, NexudusConfigError } from "../../client/errors";
import {
  configGetter,
  detailedDiff,
  isSecret,
  reveal,
  secret,
  unwrapMap,
  wrapMap,
  type DynamicDiff,
  type PropertyMap,
} from "./convert";
import { constructWebhookSet, type ConstructModules } from "./construct";
import { invokeFunction } from "./functions";
import type * as engineTypes from "@pulumi/pulumi/proto/engine_pb";
import type * as engineGrpcTypes from "@pulumi/pulumi/proto/engine_grpc_pb";
import { EXCLUSION_TOKEN, FUNCTIONS, packageVersion, schemaText, WEBHOOK_TOKEN } from "./schema";

interface Modules {
  grpc: typeof grpcTypes;
  struct: typeof structTypes;
  prov: typeof provTypes;
  provGrpc: typeof provGrpcTypes;
  plugin: { PluginInfo: new () => { setVersion(v: string): void } };
  empty: { Empty: new () => unknown };
  status: {
    Status: new () => {
      setCode(c: number): void;
      setMessage(m: string): void;
      addDetails(d: unknown): void;
      serializeBinary(): Uint8Array;
    };
  };
  any: { Any: new () => { pack(b: Uint8Array, name: string): void } };
  res: ConstructModules["res"];
  resGrpc: ConstructModules["resGrpc"];
  alias: ConstructModules["alias"];
  engine: typeof engineTypes;
  engineGrpc: typeof engineGrpcTypes;
}

/**
 * What {@link modules} loads, as @pulumi/pulumi resolves it (`./proto/...` is its own folder).
 * scripts/plugin-sea.js bundles the same list into the single executable.
 */
export const MODULE_PATHS: Record<keyof Modules, string> = {
  grpc: "@grpc/grpc-js",
  struct: "google-protobuf/google/protobuf/struct_pb",
  prov: "./proto/provider_pb",
  provGrpc: "./proto/provider_grpc_pb",
  plugin: "./proto/plugin_pb",
  empty: "google-protobuf/google/protobuf/empty_pb",
  status: "./proto/status_pb",
  any: "google-protobuf/google/protobuf/any_pb",
  res: "./proto/resource_pb",
  resGrpc: "./proto/resource_grpc_pb",
  alias: "./proto/alias_pb",
  engine: "./proto/engine_pb",
  engineGrpc: "./proto/engine_grpc_pb",
};

/**
 * The stubs and the same grpc-js and google-protobuf copies that @pulumi/pulumi uses. Resolved
 * from its `proto/` folder, the only part of @pulumi/pulumi the plugin loads (the plugin tarball
 * ships that folder and its package.json alone: scripts/plugin-pack.js).
 */
function modules(): Modules {
  // A single-executable build (scripts/plugin-sea.js) bundles them and hands them over here.
  const bundled = (globalThis as { __nexudusPluginModules?: Modules }).__nexudusPluginModules;
  if (bundled) return bundled;
  const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
  return Object.fromEntries(
    Object.entries(MODULE_PATHS).map(([key, spec]) => [key, fromPulumi(spec)]),
  ) as Modules;
}

/** The steps of a resource the plugin serves: the dynamic provider's own methods. */
interface ServedProvider {
  check(
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<{ inputs?: unknown; failures?: CheckFailureLike[] }>;
  diff(id: string, olds: PropertyMap, news: PropertyMap): Promise<DynamicDiff>;
  create(news: PropertyMap): Promise<{ id: string; outs?: object }>;
  read(id: string, props: PropertyMap): Promise<{ id?: string; props?: object; inputs?: object }>;
  update(id: string, olds: PropertyMap, news: PropertyMap): Promise<{ outs?: object }>;
  delete(id: string, props: PropertyMap): Promise<void>;
}
interface CheckFailureLike {
  property: string;
  reason: string;
}
interface Served {
  provider: ServedProvider;
  /** The input keys, for the detailed diff. */
  keys: readonly string[];
}

/**
 * The resources the plugin serves: the WebHook, and the exclusion a multi-language exclusive
 * WebhookSet declares. One implementation each, the dynamic provider's.
 */
const SERVED: Record<string, Served> = {
  [WEBHOOK_TOKEN]: { provider: webhookProvider as ServedProvider, keys: WEBHOOK_INPUT_KEYS },
  [EXCLUSION_TOKEN]: { provider: exclusionProvider as ServedProvider, keys: EXCLUSION_INPUT_KEYS },
};

/** Provider inputs that are the engine's, not settings (`version`, `pluginDownloadURL`, ...). */
const ENGINE_PROVIDER_KEYS = new Set(["version", "pluginDownloadURL"]);

/** Provider inputs kept secret in state whatever the program gave. */
const SECRET_CONFIG = ["token", "password"];

/** The settings of a provider's inputs (the engine's own keys left out), as the config reader reads them. */
function providerSettings(args: PropertyMap): PropertyMap {
  return Object.fromEntries(
    Object.entries(args).filter(([k]) => !ENGINE_PROVIDER_KEYS.has(k) && !k.startsWith("__")),
  );
}

/** The stack config keys (`nexudus:<name>`) of a Configure request, for the unknown-key check. */
function configKeys(args: PropertyMap, variables: ReadonlyMap<string, string>): string[] {
  const keys = new Set<string>(
    Object.keys(providerSettings(args)).map((k) => (k.includes(":") ? k : `nexudus:${k}`)),
  );
  for (const k of variables.keys()) keys.add(k.replace(/^nexudus:config:/, "nexudus:"));
  return [...keys];
}

/**
 * Starts the server on a loopback port; resolves with the port (printed by `main`). `engine` is
 * the engine's address (the plugin's first argument): warnings go there; without it they go to
 * stderr.
 */
export async function serve(engine?: string): Promise<{ port: number; stop(): Promise<void> }> {
  const m = modules();
  let engineClient: engineGrpcTypes.EngineClient | undefined;
  const warn = async (urn: string, message: string): Promise<void> => {
    if (!engine) {
      process.stderr.write(`warning: ${message}\n`);
      return;
    }
    engineClient ??= new m.engineGrpc.EngineClient(engine, m.grpc.credentials.createInsecure());
    const req = new m.engine.LogRequest();
    req.setSeverity(m.engine.LogSeverity.WARNING);
    req.setMessage(message);
    req.setUrn(urn);
    await new Promise<void>((resolve) => engineClient!.log(req, () => resolve()));
  };
  const toStruct = (p: PropertyMap): structTypes.Struct =>
    m.struct.Struct.fromJavaScript(dropUndefined(p) as Record<string, structTypes.JavaScriptValue>);
  const fromStruct = (s: structTypes.Struct | undefined): PropertyMap =>
    (s?.toJavaScript() ?? {}) as PropertyMap;

  /** The gRPC error of a failed step; a partial create carries the record (ErrorResourceInitFailed). */
  const grpcError = (e: unknown): Partial<grpcTypes.StatusObject> => {
    const message = errorMessage(e);
    const partial = e as { id?: unknown; properties?: unknown; reasons?: unknown };
    const metadata = new m.grpc.Metadata();
    if (typeof partial.id === "string" && partial.id !== "") {
      const detail = new m.prov.ErrorResourceInitFailed();
      detail.setId(partial.id);
      const props = (partial.properties ?? {}) as PropertyMap;
      detail.setProperties(toStruct(wrapMap(withoutProvider(props))));
      detail.setReasonsList(Array.isArray(partial.reasons) ? partial.reasons.map(String) : []);
      const any = new m.any.Any();
      any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
      const status = new m.status.Status();
      status.setCode(m.grpc.status.UNKNOWN);
      status.setMessage(message);
      status.addDetails(any);
      metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
    }
    return { code: m.grpc.status.UNKNOWN, details: message, metadata };
  };

  /** A unary handler: `run` answers the response, or throws the step's error. */
  function unary<Req, Res>(
    run: (req: Req) => Promise<Res>,
  ): (call: { request: Req }, cb: (err: unknown, res?: Res | null) => void) => void {
    return (call, cb) => {
      run(call.request).then(
        (res) => cb(null, res),
        (e: unknown) => {
          const err = grpcError(e);
          cb(err, null);
        },
      );
    };
  }

  const checkConfig = async (req: provTypes.CheckRequest) => {
    const news = fromStruct(req.getNews());
    const settings = providerSettings(reveal(news) as PropertyMap);
    const failures: { property: string; reason: string }[] = [];
    try {
      // The same reader and rules as the dynamic provider's configure() (with the environment as
      // fallback), so a bad setting fails here, before any resource step, naming its key.
      readSettings({
        config: (key) => configGetter(settings, {}).get(key),
        env: process.env,
        configKeys: Object.keys(settings).map((k) => `nexudus:${k}`),
      });
    } catch (e) {
      if (!(e instanceof NexudusConfigError)) throw e;
      // No property: the engine would print the property's value beside the failure ("property
      // token value {...} has a problem"), in clear for a token, a password or a base URL with a
      // password given without --secret. The reason names the key (nexudus:token) instead.
      failures.push({ property: "", reason: errorMessage(e) });
    }
    const res = new m.prov.CheckResponse();
    // Credentials stay secret in the provider's state even when the program gave them in clear.
    const inputs: PropertyMap = {};
    for (const [k, v] of Object.entries(news)) {
      inputs[k] = SECRET_CONFIG.includes(k) && v !== null && v !== "" ? secret(v) : v;
    }
    res.setInputs(toStruct(inputs));
    res.setFailuresList(failures.map((f) => checkFailure(f)));
    return res;
  };

  const checkFailure = (f: { property: string; reason: string }): provTypes.CheckFailure => {
    const cf = new m.prov.CheckFailure();
    cf.setProperty(f.property);
    cf.setReason(f.reason);
    return cf;
  };

  const diffConfig = async (req: provTypes.DiffRequest) => {
    const olds = providerSettings(reveal(fromStruct(req.getOlds())) as PropertyMap);
    const news = providerSettings(reveal(fromStruct(req.getNews())) as PropertyMap);
    const res = new m.prov.DiffResponse();
    const C = m.prov.DiffResponse.DiffChanges;
    const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
      (k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
    );
    // A new address or credential applies to the next step; no resource is replaced for it.
    res.setChanges(keys.length > 0 ? C.DIFF_SOME : C.DIFF_NONE);
    res.setDiffsList(keys);
    return res;
  };

  const configure = async (req: provTypes.ConfigureRequest) => {
    const args = providerSettings(fromStruct(req.getArgs()));
    const variables = new Map(req.getVariablesMap().toArray() as [string, string][]);
    const getter = configGetter(args, variables);
    const keys = configKeys(args, variables);
    await webhookProvider.configure({
      config: {
        get: getter.get,
        rawConfig: Object.fromEntries(keys.map((k) => [k, true])),
      },
    });
    const res = new m.prov.ConfigureResponse();
    res.setAcceptsecrets(true);
    res.setSupportspreview(false);
    res.setAcceptresources(false);
    res.setAcceptoutputs(false);
    return res;
  };

  /** The provider of the resource a request is about (by its URN's type), and its input keys. */
  const servedBy = (urn: string): Served => {
    const type = (urn.split("::")[2] ?? "").split("$").pop() ?? "";
    const served = SERVED[type];
    if (!served) {
      throw new Error(
        `unknown resource type ${JSON.stringify(type)}; the nexudus plugin serves ${Object.keys(SERVED).join(", ")}`,
      );
    }
    return served;
  };

  const check = async (req: provTypes.CheckRequest) => {
    const { provider } = servedBy(req.getUrn());
    const olds = unwrapMap(fromStruct(req.getOlds()));
    const news = unwrapMap(fromStruct(req.getNews()));
    const result = await provider.check(olds.plain, news.plain);
    const res = new m.prov.CheckResponse();
    res.setInputs(toStruct(wrapMap((result.inputs ?? {}) as PropertyMap, news.secretKeys)));
    res.setFailuresList((result.failures ?? []).map(checkFailure));
    return res;
  };

  const diff = async (req: provTypes.DiffRequest) => {
    const { provider, keys } = servedBy(req.getUrn());
    const id = req.getId();
    const olds = unwrapMap(fromStruct(req.getOlds())).plain;
    const news = unwrapMap(fromStruct(req.getNews())).plain;
    const d = await detailedDiff((o, n) => provider.diff(id, o, n), olds, news, keys);
    const res = new m.prov.DiffResponse();
    const C = m.prov.DiffResponse.DiffChanges;
    res.setChanges(d.changes === true ? C.DIFF_SOME : C.DIFF_NONE);
    res.setReplacesList(d.replaces ?? []);
    res.setDeletebeforereplace(d.deleteBeforeReplace === true);
    res.setDiffsList(d.diffs);
    res.setHasdetaileddiff(true);
    const map = res.getDetaileddiffMap();
    for (const [key, pd] of Object.entries(d.detailedDiff)) {
      const p = new m.prov.PropertyDiff();
      p.setKind(pd.kind as unknown as provTypes.PropertyDiff.Kind);
      p.setInputdiff(pd.inputDiff);
      map.set(key, p);
    }
    return res;
  };

  const create = async (req: provTypes.CreateRequest) => {
    const { provider } = servedBy(req.getUrn());
    const news = unwrapMap(fromStruct(req.getProperties()));
    const result = await provider.create(news.plain);
    const res = new m.prov.CreateResponse();
    res.setId(result.id);
    res.setProperties(toStruct(wrapMap(withoutProvider(result.outs ?? {}), news.secretKeys)));
    return res;
  };

  const read = async (req: provTypes.ReadRequest) => {
    const { provider } = servedBy(req.getUrn());
    const props = unwrapMap(fromStruct(req.getProperties()));
    const result = await provider.read(req.getId(), props.plain);
    const res = new m.prov.ReadResponse();
    // No id: the record is gone, and the engine drops the resource from state.
    res.setId(result.id ?? "");
    if (result.props) {
      res.setProperties(toStruct(wrapMap(withoutProvider(result.props), props.secretKeys)));
    }
    if (result.inputs) {
      res.setInputs(toStruct(wrapMap(withoutProvider(result.inputs), props.secretKeys)));
    }
    return res;
  };

  const update = async (req: provTypes.UpdateRequest) => {
    const { provider } = servedBy(req.getUrn());
    const olds = unwrapMap(fromStruct(req.getOlds()));
    const news = unwrapMap(fromStruct(req.getNews()));
    const result = await provider.update(req.getId(), olds.plain, news.plain);
    const res = new m.prov.UpdateResponse();
    res.setProperties(toStruct(wrapMap(withoutProvider(result.outs ?? {}), news.secretKeys)));
    return res;
  };

  const del = async (req: provTypes.DeleteRequest) => {
    const { provider } = servedBy(req.getUrn());
    await provider.delete(req.getId(), unwrapMap(fromStruct(req.getProperties())).plain);
    return new m.empty.Empty();
  };

  const invoke = async (req: provTypes.InvokeRequest) => {
    const args = unwrapMap(fromStruct(req.getArgs())).plain;
    const answer = await invokeFunction(req.getTok(), args);
    const res = new m.prov.InvokeResponse();
    if (answer.outputs) res.setReturn(toStruct(secretWebhooks(req.getTok(), answer.outputs)));
    res.setFailuresList((answer.failures ?? []).map(checkFailure));
    return res;
  };

  const getSchema = async (req: provTypes.GetSchemaRequest) => {
    if (req.getVersion() !== 0) throw new Error(`unsupported schema version ${req.getVersion()}`);
    const res = new m.prov.GetSchemaResponse();
    res.setSchema(schemaText());
    return res;
  };

  const getPluginInfo = async () => {
    const info = new m.plugin.PluginInfo();
    info.setVersion(packageVersion());
    return info;
  };

  // A check's warnings (a plain http:// target) go to the engine too: no SDK log in the plugin.
  setWarningSink((message) => warn("", message));
  const construct = (req: provTypes.ConstructRequest) => constructWebhookSet(req, m, warn);

  const empty = async () => new m.empty.Empty();

  const impl = {
    getSchema: unary(getSchema),
    checkConfig: unary(checkConfig),
    diffConfig: unary(diffConfig),
    configure: unary(configure),
    invoke: unary(invoke),
    construct: unary(construct),
    check: unary(check),
    diff: unary(diff),
    create: unary(create),
    read: unary(read),
    update: unary(update),
    delete: unary(del),
    cancel: unary(empty),
    attach: unary(empty),
    getPluginInfo: unary(getPluginInfo),
  };

  const server = new m.grpc.Server({
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
  server.addService(
    m.provGrpc.ResourceProviderService,
    impl as unknown as grpcTypes.UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", m.grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

/** The `__provider` of the dynamic provider's answers has no place in the plugin's state. */
function withoutProvider(props: object): PropertyMap {
  const { __provider: _p, ...rest } = props as PropertyMap;
  return rest;
}

/** A function's answer with each webhook's `url` and `lastError` wrapped as secrets. */
function secretWebhooks(token: string, outputs: PropertyMap): PropertyMap {
  if (token === FUNCTIONS.getWebhook) return wrapMap(outputs);
  if (token === FUNCTIONS.getWebhooks && Array.isArray(outputs.webhooks)) {
    return { ...outputs, webhooks: outputs.webhooks.map((w) => wrapMap(w as PropertyMap)) };
  }
  return outputs;
}

/** `v` without `undefined` anywhere (a Struct cannot hold it). */
function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropUndefined);
  if (typeof v === "object" && v !== null && !isSecret(v)) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, e]) => e !== undefined)
        .map(([k, e]) => [k, dropUndefined(e)]),
    );
  }
  if (isSecret(v)) return { ...v, value: dropUndefined(v.value) };
  return v;
}
