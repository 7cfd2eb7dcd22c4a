/**
 * How a {@link WebhookSetArgs | WebhookSet's arguments} become child `WebHook`s, decided without
 * declaring anything: {@link planWebhookSet} validates the arguments (`setArgs.ts`) and plans the
 * valid form ({@link planValidSet}, a pure function). Kept apart from the components that
 * declare the children (`sdk/webhookSet.ts`, and the plugin's multi-language `WebhookSet`), so
 * that both share it and it can be tested as a function, with tables and properties. Loads
 * without the SDK's runtime.
 *
 * @module
 */
import type { WebhookActionName } from "../client/actions";
import { hookNames } from "./setNaming";
import { parseWebhookSetArgs, type ValidWebhookSetArgs, type WebhookSetArgs } from "./setArgs";
import type * as pulumi from "@pulumi/pulumi";

export { urlNameHash } from "./setNaming";

/** A child WebHook's arguments, as the TypeScript `WebHookArgs` and the plugin's WebHook take them. */
export interface PlannedWebHookArgs {
  businessId: pulumi.Input<number>;
  name: pulumi.Input<string>;
  action: WebhookActionName;
  url: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  active: pulumi.Input<boolean>;
  adopt: pulumi.Input<boolean>;
}

/** What the planner decided for one hook: the child `WebHook` to declare. */
export interface PlannedWebhook {
  /** The hook's position in `hooks` (for messages only). */
  index: number;
  /** The child's logical name. */
  childName: string;
  /** Former names of this child (Pulumi aliases), so its state follows it when names change. */
  aliases: string[];
  /** The action number. */
  action: number;
  /** The action name. */
  actionName: WebhookActionName;
  /** The key that names the hook apart from other hooks of its action, if any. */
  discriminator?: string;
  /** The child's arguments (a WebHook's), defaults applied. */
  args: PlannedWebHookArgs;
}

/**
 * The children of a set with valid arguments, in the order of `hooks`: names and aliases from
 * `naming.ts` ({@link hookNames}), the set's defaults applied to each hook. Pure: no validation,
 * no throw, nothing declared.
 */
export function planValidSet(setName: string, args: ValidWebhookSetArgs): PlannedWebhook[] {
  const names = hookNames(setName, args);
  // An alias must not be a current name, nor be claimed twice (the engine rejects both).
  const current = new Set(names.map((n) => n.childName));
  const claims = new Map<string, number>();
  for (const n of names) for (const a of n.aliases) claims.set(a, (claims.get(a) ?? 0) + 1);
  return args.hooks.map((hook, i) => {
    const named = names[i]!;
    return {
      index: hook.index,
      childName: named.childName,
      aliases: named.aliases.filter((a) => !current.has(a) && claims.get(a) === 1),
      action: hook.action,
      actionName: hook.actionName,
      ...(named.discriminator !== undefined ? { discriminator: named.discriminator } : {}),
      args: {
        businessId: args.businessId,
        name: hook.name ?? `${args.namePrefix} ${hook.actionName}`,
        action: hook.actionName,
        url: (hook.url ?? args.url)!,
        active: hook.active ?? args.active ?? true,
        adopt: hook.adopt ?? args.adopt ?? false,
        ...(hook.description !== undefined ? { description: hook.description } : {}),
      },
    };
  });
}

/**
 * What `new WebhookSet(setName, args)` declares, without declaring it: the arguments validated
 * ({@link parseWebhookSetArgs}: a {@link WebhookSetArgsError} lists every problem) and planned
 * ({@link planValidSet}; see {@link hookNames} for how children are named).
 */
export function planWebhookSet(setName: string, args: WebhookSetArgs): PlannedWebhook[] {
  return planValidSet(setName, parseWebhookSetArgs(setName, args));
}
