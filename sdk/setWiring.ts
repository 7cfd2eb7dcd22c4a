/**
 * A {@link WebhookSet}'s wiring to the rest of its program, kept out of its constructor: the
 * per-program registry of sets (two sets at one location must not share a `namePrefix`; an
 * exclusive set keeps the others' hooks), the hooks a set may adopt, and the
 * {@link WebhookSetExclusion} of an exclusive set with every list it keeps.
 *
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { urlSha256 } from "../provider/inputs";
import { WebhookSetExclusion, type AdoptableWebhook } from "./exclusion";
import type { PlannedWebhook } from "../provider/setPlan";
import { programList, standaloneWebHooks, type RegisteredWebHook } from "./registry";
import type { ValidWebhookSetArgs } from "../provider/setArgs";
import type { WebHook } from "./webhook";

/** A set as recorded in the per-program registry (for exclusive sets at the same location). */
export interface RegisteredSet {
  readonly name: string;
  readonly namePrefix: string;
  readonly businessId: pulumi.Input<number>;
  readonly webhookIds: () => pulumi.Output<number[]>;
  /** Built on first use: only exclusive sets at the same location ask for it. */
  readonly adoptable: () => pulumi.Output<AdoptableWebhook[]>;
}

/** The sets declared in the current program (see `registry.ts`). */
export function programSets(): RegisteredSet[] {
  return programList<RegisteredSet>("pulumi-nexudus.webhookSets");
}

/**
 * The problem when a set of this program at the same (plain) location already uses the
 * prefix, else undefined. An Output location cannot be compared before anything is declared.
 */
export function prefixClash(
  namePrefix: string,
  businessId: pulumi.Input<number>,
  sets: readonly RegisteredSet[],
): string | undefined {
  if (typeof businessId !== "number") return undefined;
  const clash = sets.find((s) => s.namePrefix === namePrefix && s.businessId === businessId);
  return clash
    ? `namePrefix ${JSON.stringify(namePrefix)} is already used by WebhookSet ${JSON.stringify(clash.name)} ` +
        `at location ${businessId}: their Names would be alike and neither could tell its hooks apart; ` +
        `give one of them another namePrefix`
    : undefined;
}

/** The `{action, urlSha256}` of the planned hooks declared with `adopt` (built on first call). */
export function adoptableOf(
  plan: readonly PlannedWebhook[],
): () => pulumi.Output<AdoptableWebhook[]> {
  let output: pulumi.Output<AdoptableWebhook[]> | undefined;
  return () =>
    (output ??= pulumi
      .all(
        plan.map((p) =>
          pulumi
            .all([p.args.adopt, p.args.url])
            .apply(([adopt, url]) =>
              adopt ? { action: p.action, urlSha256: urlSha256(url) } : null,
            ),
        ),
      )
      .apply((rows) => rows.filter((r): r is AdoptableWebhook => r !== null)));
}

/** Resolves once `children` are registered and the rest of this synchronous program part ran. */
function afterRegistration<T>(
  parent: pulumi.Resource,
  children: readonly WebHook[],
  then: () => T,
): pulumi.Output<T> {
  return pulumi
    .all(children.length > 0 ? children.map((c) => c.urn) : [parent.urn])
    .apply(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return then();
    }) as pulumi.Output<T>;
}

/**
 * The exclusion of an exclusive set (`<name>-exclusive`, child of the set): it keeps the set's
 * own hooks, the program's other sets and standalone WebHooks at the same location (looked up
 * once the set's children are registered: an engine round trip, after which every set declared
 * in the same synchronous part of the program is in the registry), `alsoKeep`, and in a preview
 * the records hooks with `adopt` will take over.
 */
export function declareExclusion(
  set: pulumi.ComponentResource,
  self: RegisteredSet,
  args: ValidWebhookSetArgs,
  children: readonly WebHook[],
): WebhookSetExclusion {
  const registry = programSets();
  const keep = args.alsoKeep;
  const location = pulumi.output(args.businessId);
  const others = afterRegistration(set, children, () =>
    keep.otherSets ? registry.filter((s) => s !== self) : [],
  );
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
  const hooksHere = afterRegistration(set, children, standaloneWebHooks);
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
  const keepNamePrefixes = atLocation((s) => pulumi.output(s.namePrefix)).apply((prefixes) => [
    ...prefixes,
    ...keep.namePrefixes,
  ]);
  const allAdoptable = pulumi
    .all([self.adoptable(), atLocation((s) => s.adoptable()), standaloneAdoptable])
    .apply(([mine, theirs, alone]) => [...mine, ...theirs.flat(), ...alone]);
  return new WebhookSetExclusion(
    `${self.name}-exclusive`,
    {
      businessId: args.businessId,
      memberIds: children.map((child) => child.webhookId),
      keepIds,
      // Listed apart, so that they stay known in a preview where other ids are not.
      alsoKeepIds: [...keep.ids],
      keepNamePrefixes,
      adoptable: allAdoptable,
    },
    { parent: set },
  );
}
