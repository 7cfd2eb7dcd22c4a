/**
 * Helpers of the WebhookSet tests: capture a program under setMocks together with the aliases
 * each resource registered (the engine receives them in the RegisterResource request), with
 * WebHook outputs that stand for the real ones.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  captureResources,
  type CaptureOptions,
  type CapturedResource,
} from "../../testing/capture";
import type { DesiredResource, ResolveContext } from "../../testing/engine";

/** Type token of the child webhooks. */
export const WEBHOOK_TYPE = "pulumi-nodejs:dynamic/nexudus:WebHook";
/** Type token of the exclusion resource. */
export const EXCLUSION_TYPE = "pulumi-nodejs:dynamic/nexudus:WebhookSetExclusion";
/** Type token of the component. */
export const SET_TYPE = "nexudus:index:WebhookSet";

/** The prefix of a placeholder webhookId: `ref:<resource name>` (see {@link captureSet}). */
export const REF = "ref:";

/** A captured program: resources in registration order, and the alias names of each resource. */
export interface CapturedSet {
  resources: CapturedResource[];
  /** Resource name -> names of its aliases (alias specs sent with RegisterResource). */
  aliases: Record<string, string[]>;
  /** Resource name -> the aliases sent as whole URNs (the others are specs). */
  aliasUrns: Record<string, string[]>;
  byName(name: string): CapturedResource;
  /** Names of the resources of a type, sorted. */
  names(type?: string): string[];
}

interface RegisterRequestLike {
  getName(): string;
  getAliasesList(): Array<{ getUrn(): string; getSpec(): { getName(): string } | undefined }>;
}
interface MonitorLike {
  registerResource(req: RegisterRequestLike, cb: unknown): unknown;
}

/** How a captured WebHook's `webhookId` output is mocked. */
export type IdMode = "number" | "ref";

/**
 * Runs `program` under setMocks. A WebHook's mock outputs are its inputs plus `webhookId`: a
 * distinct number (`ids: "number"`, 1000 + registration order), or the placeholder
 * `"ref:<name>"` (`ids: "ref"`) that {@link resolveRefs} replaces with the real id from state.
 */
export async function captureSet(
  program: () => void,
  opts: CaptureOptions & { ids?: IdMode } = {},
): Promise<CapturedSet> {
  const aliases: Record<string, string[]> = {};
  const aliasUrns: Record<string, string[]> = {};
  let next = 1000;
  const mode = opts.ids ?? "number";
  const resources = await captureResources(
    () => {
      const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
      const original = monitor.registerResource.bind(monitor);
      monitor.registerResource = (req, cb) => {
        const list = req.getAliasesList();
        // A URN alias is recorded by its name (the part after the last `::`), and kept whole.
        aliases[req.getName()] = list.map(
          (a) => a.getSpec()?.getName() || a.getUrn().slice(a.getUrn().lastIndexOf("::") + 2),
        );
        aliasUrns[req.getName()] = list.map((a) => a.getUrn()).filter((u) => u !== "");
        return original(req, cb);
      };
      program();
    },
    {
      ...opts,
      mockResource: (args) => {
        if (args.type !== WEBHOOK_TYPE || opts.preview) return undefined;
        const webhookId = mode === "ref" ? `${REF}${args.name}` : next++;
        return { id: `${args.name}-id`, state: { ...args.inputs, webhookId } };
      },
    },
  );
  const byName = (name: string): CapturedResource => {
    const r = resources.find((x) => x.name === name);
    if (!r) throw new Error(`no resource ${name}; have ${resources.map((x) => x.name).join(", ")}`);
    return r;
  };
  const names = (type?: string) =>
    resources
      .filter((r) => type === undefined || r.type === type)
      .map((r) => r.name)
      .sort();
  return { resources, aliases, aliasUrns, byName, names };
}

/** The resolved value of an Output (under setMocks, after the program ran). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v as T)));
}

/**
 * The captured resources as the engine's desired resources: every `"ref:<name>"` placeholder in
 * inputs (the exclusion's ids) is replaced, when the step runs, by that WebHook's real
 * `webhookId` from state, or UNKNOWN when it has none yet (a preview), as the engine would send.
 */
export function desiredOf(c: CapturedSet): DesiredResource[] {
  const urnOf = new Map(c.resources.map((r) => [r.name, r.urn]));
  const resolve = (v: unknown, ctx: ResolveContext): unknown => {
    if (typeof v === "string" && v.startsWith(REF)) {
      const urn = urnOf.get(v.slice(REF.length));
      if (!urn) throw new Error(`desiredOf: no resource ${v}`);
      return ctx.output(urn, "webhookId");
    }
    if (Array.isArray(v)) return v.map((e) => resolve(e, ctx));
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, resolve(e, ctx)]));
    }
    return v;
  };
  return c.resources.map((r) => ({
    ...r,
    inputs: (ctx: ResolveContext) => resolve(r.inputs, ctx) as Record<string, unknown>,
  }));
}
