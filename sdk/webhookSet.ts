/**
 * `WebhookSet`: several Nexudus webhooks of one location declared together, one child `WebHook`
 * per hook, optionally authoritative for the location (`exclusive`). Read {@link WebhookSetArgs}
 * for the arguments, {@link planWebhookSet} (in `plan.ts`) for how children are named, and
 * {@link WebhookSet} for an example.
 *
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import type { WebhookActionName } from "../client/actions";
import { urlSha256 } from "../provider/inputs";
import { WebhookSetExclusion, type AdoptableWebhook } from "./exclusion";
import { WebHook, WEBHOOK_TYPE } from "./webhook";
import { quietPromiseStacks, restoreAfterThrow } from "./promiseStacks";
import { markSetMember, programList, standaloneWebHooks, type RegisteredWebHook } from "./registry";
import {
  planWebhookSet,
  WebhookSetArgsError,
  type PlannedWebhook,
  type WebhookSetArgs,
} from "./plan";

// The arguments are defined with the plan that validates them; they stay importable from here.
export {
  WebhookSetArgsError,
  type WebhookSetArgs,
  type WebhookSetHook,
  type WebhookSetHookArgs,
  type WebhookSetKeep,
} from "./plan";

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

/** A set as recorded in the per-program registry (for exclusive sets at the same location). */
interface RegisteredSet {
  readonly name: string;
  readonly namePrefix: string;
  readonly businessId: pulumi.Input<number>;
  readonly webhookIds: () => pulumi.Output<number[]>;
  /** Built on first use: only exclusive sets at the same location ask for it. */
  readonly adoptable: () => pulumi.Output<AdoptableWebhook[]>;
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

/** The sets declared in the current program (see `registry.ts`). */
function currentRegistry(): RegisteredSet[] {
  return programList<RegisteredSet>("pulumi-nexudus.webhookSets");
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
 * - Children are named `<name>-<ActionName>` (see {@link planWebhookSet} for an action listed
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
    const plan = planWebhookSet(name, args);
    const namePrefix = args.namePrefix ?? name;
    const registry = currentRegistry();
    if (typeof args.businessId === "number") {
      const clash = registry.find(
        (s) => s.namePrefix === namePrefix && s.businessId === args.businessId,
      );
      if (clash) {
        throw new WebhookSetArgsError(name, [
          `namePrefix ${JSON.stringify(namePrefix)} is already used by WebhookSet ${JSON.stringify(clash.name)} ` +
            `at location ${args.businessId}: their Names would be alike and neither could tell its hooks apart; ` +
            `give one of them another namePrefix`,
        ]);
      }
    }
    // Registered without Pulumi's per-promise debug traces (see promiseStacks.ts).
    const restore = quietPromiseStacks();
    try {
      super(SET_TYPE, name, {}, opts);
      this.namePrefix = namePrefix;

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
      const list = plan.map((p) => ({ p, child: children[p.childName]! }));
      this.#members = list;

      let adoptableOutput: pulumi.Output<AdoptableWebhook[]> | undefined;
      const adoptable = (): pulumi.Output<AdoptableWebhook[]> =>
        (adoptableOutput ??= pulumi
          .all(
            plan.map((p) =>
              pulumi.all([p.args.adopt, p.args.url]).apply(([adopt, url]) =>
                adopt
                  ? {
                      action: p.action,
                      urlSha256: urlSha256(url),
                    }
                  : null,
              ),
            ),
          )
          .apply((rows) => rows.filter((r): r is AdoptableWebhook => r !== null)));

      const self: RegisteredSet = {
        name,
        namePrefix,
        businessId: args.businessId,
        webhookIds: () => this.webhookIds,
        adoptable,
      };
      registry.push(self);

      if (args.exclusive === true) {
        const keep = args.alsoKeep ?? {};
        const location = pulumi.output(args.businessId);
        // Other sets are looked up late: once this set's children are registered (an engine round
        // trip), every set declared in the same synchronous part of the program is in the registry.
        const others = pulumi
          .all(list.length > 0 ? list.map(({ child }) => child.urn) : [this.urn])
          .apply(async () => {
            await new Promise((resolve) => setImmediate(resolve));
            if (keep.otherSets === false) return [] as RegisteredSet[];
            return registry.filter((s) => s !== self);
          });
        // Picks a value of each other set at this location (other locations never make it unknown).
        // `others` holds the registry entries themselves (apply does not unwrap nested Outputs).
        const atLocation = <T>(pick: (s: RegisteredSet) => pulumi.Output<T>): pulumi.Output<T[]> =>
          others.apply((value) => {
            const sets = value as unknown as RegisteredSet[];
            return pulumi
              .all([location, pulumi.all(sets.map((s) => s.businessId))])
              .apply(
                ([loc, ids]) =>
                  pulumi.all(sets.filter((_, i) => ids[i] === loc).map(pick)) as pulumi.Output<T[]>,
              );
          });
        const otherIds = atLocation((s) => s.webhookIds()).apply((lists) => lists.flat());
        // Standalone WebHooks of this program at this location: kept, like other sets' hooks.
        const hooksHere = pulumi
          .all(list.length > 0 ? list.map(({ child }) => child.urn) : [this.urn])
          .apply(async () => {
            await new Promise((resolve) => setImmediate(resolve));
            return standaloneWebHooks();
          });
        const standalone = pulumi.all([location, hooksHere]).apply(([loc, hooks]) => {
          const registered = hooks as unknown as RegisteredWebHook[];
          return pulumi
            .all(registered.map((h) => pulumi.output(h.businessId)))
            .apply((ids) => registered.filter((_, i) => ids[i] === loc));
        });
        const standaloneIds = standalone.apply((hooks) =>
          pulumi.all((hooks as unknown as RegisteredWebHook[]).map((h) => h.webhookId)),
        );
        const standaloneAdoptable = standalone.apply((hooks) =>
          pulumi
            .all((hooks as unknown as RegisteredWebHook[]).map((h) => h.adoptable()))
            .apply((rows) => rows.filter((r): r is AdoptableWebhook => r !== null)),
        );
        const keepIds = pulumi.all([otherIds, standaloneIds]).apply(([a, b]) => [...a, ...b]);
        const keepNamePrefixes = atLocation((s) => pulumi.output(s.namePrefix)).apply(
          (prefixes) => [...prefixes, ...(keep.namePrefixes ?? [])],
        );
        const allAdoptable = pulumi
          .all([adoptable(), atLocation((s) => s.adoptable()), standaloneAdoptable])
          .apply(([mine, theirs, alone]) => [...mine, ...theirs.flat(), ...alone]);
        this.exclusion = new WebhookSetExclusion(
          `${name}-exclusive`,
          {
            businessId: args.businessId,
            memberIds: list.map(({ child }) => child.webhookId),
            keepIds,
            // Listed apart, so that they stay known in a preview where other ids are not.
            alsoKeepIds: keep.ids ?? [],
            keepNamePrefixes,
            adoptable: allAdoptable,
          },
          { parent: this },
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
