/**
 * `WebhookSet`: several Nexudus webhooks of one location declared together, one child `WebHook`
 * per hook, optionally authoritative for the location (`exclusive`). Read {@link WebhookSetArgs}
 * (in `provider/setArgs.ts`, with their validation) for the arguments, `provider/setNaming.ts`
 * for how children are named, `provider/setPlan.ts` for what each child is given,
 * `setWiring.ts` for the exclusion, and {@link WebhookSet} for an example.
 *
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import type { WebhookActionName } from "../client/actions";
import type { WebhookSetExclusion } from "./exclusion";
import { WebHook, WEBHOOK_TYPE } from "./webhook";
import { quietPromiseStacks, restoreAfterThrow } from "./promiseStacks";
import { markSetMember } from "./registry";
import { planValidSet, type PlannedWebhook } from "../provider/setPlan";
import { parseWebhookSetArgs, WebhookSetArgsError, type WebhookSetArgs } from "../provider/setArgs";
import {
  adoptableOf,
  declareExclusion,
  prefixClash,
  programSets,
  type RegisteredSet,
} from "./setWiring";

// The arguments are defined with the schema that validates them; they stay importable from here.
export {
  WebhookSetArgsError,
  type WebhookSetArgs,
  type WebhookSetHook,
  type WebhookSetHookArgs,
  type WebhookSetKeep,
} from "../provider/setArgs";

/** One entry of {@link WebhookSet.webhooks}. */
export interface WebhookSetMember {
  /** The Nexudus record id. */
  webhookId: number;
  /** The action name. */
  action: WebhookActionName;
  /** The target URL. */
  url: string;
  /** Whether it fires. */
  active: boolean;
}

/** Type token of a `WebhookSet`. */
const SET_TYPE = "nexudus:index:WebhookSet";

/**
 * How a child names its former name (an alias): as its full URN when the set is a top-level
 * resource with no aliases of its own, else as a name for the engine to place under the set.
 *
 * The URN is what the engine would compute from the name (`urn:pulumi:<stack>::<project>::` +
 * the set's type + `$` + the child's type + `::` + the name: the root stack's type is left out),
 * but Pulumi turns a `{name}` alias into it through about ten Outputs per child, made when the
 * child is constructed: about 100 MB of a 300-set program's peak (`npm run bench -- --scale`).
 * Under a parent, or with set aliases the child must inherit, the engine's own rule is kept.
 */
function childAlias(
  opts: pulumi.ComponentResourceOptions | undefined,
): (name: string) => pulumi.Alias | string {
  if (opts?.parent !== undefined || (opts?.aliases?.length ?? 0) > 0) return (name) => ({ name });
  const prefix =
    `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::` + `${SET_TYPE}$${WEBHOOK_TYPE}::`;
  return (name) => `${prefix}${name}`;
}

/**
 * A group of Nexudus webhooks at one location, declared as one component (type token
 * `nexudus:index:WebhookSet`) with one child {@link WebHook} per hook.
 *
 * ```ts
 * const hq = new nexudus.WebhookSet("hq", {
 *   businessId: 1234,
 *   url: "https://hooks.example.com/nexudus",      // default of every hook
 *   hooks: [
 *     "BookingCreate", "BookingUpdate", "BookingDelete",
 *     { action: "CoworkerInvoicePaid", url: "https://billing.example.com/hook", description: "Billing sync" },
 *   ],
 *   namePrefix: "ops",                              // Nexudus Names "ops BookingCreate", ...
 *   exclusive: true,                                // delete the location's other webhooks
 * });
 * export const ids = hq.webhookIds;
 *
 * // Several locations: a loop reads well.
 * for (const [id, url] of Object.entries(locations)) {
 *   new nexudus.WebhookSet(`loc-${id}`, { businessId: Number(id), url, hooks: ["BookingCreate"] });
 * }
 * ```
 *
 * - Children are named `<name>-<ActionName>` (see `hookNames` in `provider/setNaming.ts` for an action listed
 *   several times), so adding, removing or reordering hooks only touches the hooks concerned.
 * - Each child's Nexudus Name is `"<namePrefix> <ActionName>"` unless the hook gives a `name`.
 * - Arguments are validated when the set is constructed; bad ones throw a
 *   {@link WebhookSetArgsError} naming `hooks[i].field`, before anything is registered.
 * - `exclusive: true` adds a child {@link WebhookSetExclusion} (`<name>-exclusive`) that deletes
 *   the location's webhooks no one manages; see {@link WebhookSetArgs.exclusive}.
 */
export class WebhookSet extends pulumi.ComponentResource {
  /** The plan and the children, from which the outputs below are built when first read. */
  readonly #members: readonly { readonly p: PlannedWebhook; readonly child: WebHook }[];
  #webhooks: pulumi.Output<Record<string, WebhookSetMember>> | undefined;
  #webhookIds: pulumi.Output<number[]> | undefined;

  /**
   * Every hook, keyed by child resource name (secret if any URL is secret). Built when first
   * read: a program of hundreds of sets that never reads it does not hold it (most of a set's
   * memory otherwise).
   */
  get webhooks(): pulumi.Output<Record<string, WebhookSetMember>> {
    this.#webhooks ??= pulumi
      .all(
        this.#members.map(({ p, child }) =>
          pulumi
            .all([child.webhookId, child.url, child.active])
            .apply(([webhookId, url, active]) => ({
              name: p.childName,
              member: { webhookId, action: p.actionName, url, active } as WebhookSetMember,
            })),
        ),
      )
      .apply((rows) => Object.fromEntries(rows.map((r) => [r.name, r.member])));
    return this.#webhooks;
  }

  /** The Nexudus ids of the hooks, in the order of `hooks` (built when first read). */
  get webhookIds(): pulumi.Output<number[]> {
    this.#webhookIds ??= pulumi.all(this.#members.map(({ child }) => child.webhookId));
    return this.#webhookIds;
  }

  /** The child resources, keyed by name (e.g. for `dependsOn`). */
  public readonly resources: Readonly<Record<string, WebHook>>;
  /** The Name prefix in use. */
  public readonly namePrefix: string;
  /** The exclusion resource, when `exclusive` is true. */
  public readonly exclusion?: WebhookSetExclusion;

  constructor(name: string, args: WebhookSetArgs, opts?: pulumi.ComponentResourceOptions) {
    const valid = parseWebhookSetArgs(name, args);
    const plan = planValidSet(name, valid);
    const registry = programSets();
    const clash = prefixClash(valid.namePrefix, valid.businessId, registry);
    if (clash) throw new WebhookSetArgsError(name, [clash]);
    // Registered without Pulumi's per-promise debug traces (see promiseStacks.ts).
    const restore = quietPromiseStacks();
    try {
      super(SET_TYPE, name, {}, opts);
      this.namePrefix = valid.namePrefix;

      const children: Record<string, WebHook> = {};
      const aliasOf = childAlias(opts);
      for (const p of plan) {
        children[p.childName] = new WebHook(p.childName, p.args, {
          parent: this,
          ...(p.aliases.length > 0 ? { aliases: p.aliases.map(aliasOf) } : {}),
        });
        markSetMember(children[p.childName]!);
      }
      this.resources = children;
      this.#members = plan.map((p) => ({ p, child: children[p.childName]! }));

      const self: RegisteredSet = {
        name,
        namePrefix: valid.namePrefix,
        businessId: valid.businessId,
        webhookIds: () => this.webhookIds,
        adoptable: adoptableOf(plan),
      };
      registry.push(self);
      if (valid.exclusive) {
        this.exclusion = declareExclusion(
          this,
          self,
          valid,
          this.#members.map(({ child }) => child),
        );
      }

      // The component records no outputs of its own: `webhooks` and `webhookIds` are built from the
      // children (which hold the state) only when the program reads them.
      this.registerOutputs({});
    } catch (error) {
      restoreAfterThrow(restore, error, new.target);
      throw error;
    } finally {
      restore();
    }
  }
}
