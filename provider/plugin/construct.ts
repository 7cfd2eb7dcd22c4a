/**
 * The multi-language `nexudus:index:WebhookSet` component: what the plugin answers to the
 * engine's `Construct` for it. The plugin registers the component and its children itself,
 * through the engine's resource monitor (the address the request gives), with the stubs of
 * `@pulumi/pulumi/proto` only: the SDK's runtime is not part of the plugin.
 *
 * The set is the TypeScript `WebhookSet`'s: the same validation (provider/setArgs.ts, every
 * problem named by its path), the same child names and aliases (provider/setNaming.ts) and the
 * same child arguments (provider/setPlan.ts). Children are `nexudus:index:WebHook`s under the
 * component, bound to the component's `nexudus` provider; with `exclusive: true`, a child
 * `nexudus:index:WebhookSetExclusion` keeps the set's hooks and `alsoKeep`.
 *
 * What cannot hold across languages: the plugin does not see the program's other resources, so
 * an exclusive set does not know the program's other sets or WebHooks at its location (the
 * TypeScript class does). It keeps only its own hooks and `alsoKeep`, says so in a warning on
 * the component, and, as always, the preview lists every webhook the `up` would delete.
 *
 * @module
 */
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as provTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as resTypes from "@pulumi/pulumi/proto/resource_pb";
import type * as resGrpcTypes from "@pulumi/pulumi/proto/resource_grpc_pb";
import type * as aliasTypes from "@pulumi/pulumi/proto/alias_pb";
import { UNKNOWN, urlSha256 } from "../inputs";
import { parseWebhookSetArgs, WebhookSetArgsError } from "../setArgs";
import { planValidSet } from "../setPlan";
import { isSecret, replaceSecrets, reveal, secret, type PropertyMap } from "./convert";
import { EXCLUSION_TOKEN, packageVersion, PACKAGE, SET_TOKEN, WEBHOOK_TOKEN } from "./schema";

/** The proto modules a construct needs (the copies @pulumi/pulumi loads). */
export interface ConstructModules {
  grpc: typeof grpcTypes;
  struct: typeof structTypes;
  prov: typeof provTypes;
  res: typeof resTypes;
  resGrpc: typeof resGrpcTypes;
  alias: typeof aliasTypes;
}

/** Logs a warning on a resource through the engine (shown by preview and up). */
export type Warn = (urn: string, message: string) => Promise<void>;

/** `v[key]` for a wire value: a key of a secret object is a secret. */
function field(v: unknown, key: string | number): unknown {
  if (isSecret(v)) {
    const inner = field(v.value, key);
    return inner === undefined ? undefined : secret(inner);
  }
  if (typeof v !== "object" || v === null) return undefined;
  return (v as Record<string | number, unknown>)[key];
}

/** The first of `values` that is given (not undefined or null). */
function given(...values: unknown[]): unknown {
  return values.find((v) => v !== undefined && v !== null);
}

/** A wire value's plain form (secrets revealed) when it is known, else undefined. */
function plainKnown(v: unknown): unknown {
  if (v === UNKNOWN || v === undefined) return undefined;
  const r = reveal(v);
  return JSON.stringify(r).includes(UNKNOWN) ? undefined : r;
}

/**
 * What an exclusive set keeps for a hook declared with `adopt`: the record it will take over
 * (`{action, urlSha256}`), unknown while `adopt` or the URL is, null without `adopt`.
 */
function adoptableEntry(action: number, adopt: unknown, url: unknown): unknown {
  const a = plainKnown(adopt);
  if (a === false) return null;
  const u = plainKnown(url);
  if (a !== true || typeof u !== "string") return UNKNOWN;
  return { action, urlSha256: urlSha256(u) };
}

/** The warning an exclusive multi-language set gives: what it cannot know. */
export function exclusiveWarning(name: string, businessId: unknown): string {
  const at = typeof businessId === "number" ? ` at location ${businessId}` : "";
  return (
    `WebhookSet ${JSON.stringify(name)} is exclusive: declared from a non-TypeScript program (a ` +
    `multi-language component), it knows only its own hooks and alsoKeep, not the program's other ` +
    `WebhookSets or WebHooks${at}. The preview lists every webhook the up would delete (the ` +
    `exclusion's unmanaged); keep the others with alsoKeep.ids or alsoKeep.namePrefixes (another ` +
    `set's namePrefix).`
  );
}

/**
 * Answers a Construct of `nexudus:index:WebhookSet`: validates and plans the set, registers the
 * component, its WebHooks and (exclusive) its exclusion through the engine's monitor, and
 * returns the component's URN and outputs (`webhookIds`, `webhooks` (secret), `namePrefix`).
 */
export async function constructWebhookSet(
  req: provTypes.ConstructRequest,
  m: ConstructModules,
  warn: Warn,
): Promise<provTypes.ConstructResponse> {
  if (req.getType() !== SET_TOKEN) {
    throw new Error(
      `unknown component type ${JSON.stringify(req.getType())}; the nexudus plugin constructs ${SET_TOKEN}`,
    );
  }
  const name = req.getName();
  const wire = (req.getInputs()?.toJavaScript() ?? {}) as PropertyMap;
  const hooks = wire.hooks;
  if (hooks === UNKNOWN || isSecret(hooks)) {
    throw new WebhookSetArgsError(name, [
      `hooks must be known when the set is declared, not ${hooks === UNKNOWN ? "computed" : "a secret"}: ` +
        `each hook's resource name derives from it (make a hook's url secret instead)`,
    ]);
  }
  // Validated as the TypeScript set validates. A secret is checked as an Output is there: by
  // the WebHook's own check once declared, never quoted in a message of the set.
  const valid = parseWebhookSetArgs(name, replaceSecrets(wire, () => UNKNOWN) as never);
  const plan = planValidSet(name, valid);

  const monitor = new m.resGrpc.ResourceMonitorClient(
    req.getMonitorendpoint(),
    m.grpc.credentials.createInsecure(),
  );
  const toStruct = (p: PropertyMap) =>
    m.struct.Struct.fromJavaScript(p as Record<string, structTypes.JavaScriptValue>);
  const register = (r: resTypes.RegisterResourceRequest) =>
    new Promise<{ urn: string; outputs: PropertyMap }>((resolve, reject) =>
      monitor.registerResource(r, (err, res) =>
        err
          ? reject(err)
          : resolve({
              urn: res.getUrn(),
              outputs: (res.getObject()?.toJavaScript() ?? {}) as PropertyMap,
            }),
      ),
    );
  const aliasByName = (aliasName: string) => {
    const a = new m.alias.Alias();
    const spec = new m.alias.Alias.Spec();
    spec.setName(aliasName);
    a.setSpec(spec);
    return a;
  };
  const provider = req.getProvidersMap().get(PACKAGE);
  const protect = req.hasProtect() ? req.getProtect() : undefined;
  const retainOnDelete = req.hasRetainondelete() ? req.getRetainondelete() : undefined;

  try {
    // The component, with the options the program gave it.
    const component = new m.res.RegisterResourceRequest();
    component.setType(SET_TOKEN);
    component.setName(name);
    component.setParent(req.getParent());
    component.setCustom(false);
    component.setObject(toStruct({}));
    if (protect !== undefined) component.setProtect(protect);
    if (retainOnDelete !== undefined) component.setRetainondelete(retainOnDelete);
    component.setDependenciesList(req.getDependenciesList());
    // Alias specs from newer engines and SDKs; alias URNs from older ones (SDK 3.216's stubs).
    const aliases = req.getAliasesList() as unknown[];
    component.setAliasurnsList(aliases.filter((a): a is string => typeof a === "string"));
    component.setAliasesList(
      aliases.filter((a): a is aliasTypes.Alias => typeof a === "object" && a !== null),
    );
    component.setAliasspecs(true);
    component.setDeletedwith(req.getDeletedwith());
    component.setAcceptsecrets(true);
    for (const [pkg, ref] of req.getProvidersMap().entries()) {
      component.getProvidersMap().set(pkg, ref);
    }
    const set = await register(component);
    /** A custom resource of ours under the set, bound to the set's provider, protected as it is. */
    const childRequest = (type: string, childName: string, inputs: PropertyMap) => {
      const r = new m.res.RegisterResourceRequest();
      r.setType(type);
      r.setName(childName);
      r.setParent(set.urn);
      r.setCustom(true);
      r.setObject(toStruct(inputs));
      if (provider) r.setProvider(provider);
      r.setVersion(packageVersion());
      r.setAcceptsecrets(true);
      if (protect !== undefined) r.setProtect(protect);
      return r;
    };

    // Each hook as a nexudus:index:WebHook under it (secrets and unknown values kept as given).
    const wireHooks = field(wire, "hooks");
    const children = await Promise.all(
      plan.map(async (p) => {
        const rawHook = field(wireHooks, p.index);
        const hook = typeof rawHook === "object" && rawHook !== null ? rawHook : {};
        const inputs: PropertyMap = {
          businessId: field(wire, "businessId"),
          name: given(field(hook, "name")) ?? `${valid.namePrefix} ${p.actionName}`,
          action: p.actionName,
          url: secret(given(field(hook, "url"), field(wire, "url"))),
          active: given(field(hook, "active"), field(wire, "active")) ?? true,
          adopt: given(field(hook, "adopt"), field(wire, "adopt")) ?? false,
        };
        const description = given(field(hook, "description"));
        if (description !== undefined) inputs.description = description;
        const r = childRequest(WEBHOOK_TOKEN, p.childName, inputs);
        if (retainOnDelete !== undefined) r.setRetainondelete(retainOnDelete);
        r.setAliasesList(p.aliases.map(aliasByName));
        r.setAliasspecs(true);
        const { urn, outputs } = await register(r);
        const webhookId = outputs.webhookId;
        return {
          p,
          urn,
          webhookId: typeof webhookId === "number" ? webhookId : UNKNOWN,
          url: outputs.url ?? inputs.url,
          active: outputs.active ?? inputs.active,
          adoptable: adoptableEntry(p.action, p.args.adopt, inputs.url),
        };
      }),
    );

    if (valid.exclusive) {
      await warn(set.urn, exclusiveWarning(name, plainKnown(field(wire, "businessId"))));
      const adoptable = children.map((c) => c.adoptable).filter((a) => a !== null);
      const keep = field(wire, "alsoKeep");
      const inputs: PropertyMap = {
        businessId: field(wire, "businessId"),
        memberIds: children.map((c) => c.webhookId),
        keepIds: [],
        alsoKeepIds: reveal(given(field(keep, "ids")) ?? []),
        keepNamePrefixes: [...valid.alsoKeep.namePrefixes],
        adoptable,
      };
      const r = childRequest(EXCLUSION_TOKEN, `${name}-exclusive`, inputs);
      r.setDependenciesList(children.map((c) => c.urn));
      const deps = new m.res.RegisterResourceRequest.PropertyDependencies();
      deps.setUrnsList(children.map((c) => c.urn));
      r.getPropertydependenciesMap().set("memberIds", deps);
      await register(r);
    }

    const webhooks: PropertyMap = {};
    for (const c of children) {
      webhooks[c.p.childName] = {
        webhookId: c.webhookId,
        action: c.p.actionName,
        url: reveal(c.url),
        active: reveal(c.active),
      };
    }
    const outputs: PropertyMap = {
      namePrefix: valid.namePrefix,
      webhookIds: children.map((c) => c.webhookId),
      webhooks: secret(webhooks),
    };
    const done = new m.res.RegisterResourceOutputsRequest();
    done.setUrn(set.urn);
    done.setOutputs(toStruct(outputs));
    await new Promise<void>((resolve, reject) =>
      monitor.registerResourceOutputs(done, (err) => (err ? reject(err) : resolve())),
    );

    const res = new m.prov.ConstructResponse();
    res.setUrn(set.urn);
    res.setState(toStruct(outputs));
    const deps = new m.prov.ConstructResponse.PropertyDependencies();
    deps.setUrnsList(children.map((c) => c.urn));
    res.getStatedependenciesMap().set("webhookIds", deps);
    return res;
  } finally {
    (monitor as unknown as { close(): void }).close(); // a grpc.Client (older stubs do not type it)
  }
}
