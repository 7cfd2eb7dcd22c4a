/**
 * How a {@link WebhookSet}'s children are named, from its valid arguments alone (never from the
 * order of `hooks`). Used by the validation (two hooks must not end up with one name) and by the
 * planner.
 *
 * @module
 */
import type * as pulumi from "@pulumi/pulumi";
import { urlSha256 } from "./inputs";

/** What names depend on: a set's default url and its hooks' actions, urls and keys. */
export interface NamedHooks {
  readonly url?: pulumi.Input<string>;
  readonly hooks: readonly {
    readonly index: number;
    readonly action: number;
    readonly actionName: string;
    readonly url?: pulumi.Input<string>;
    readonly key?: string;
  }[];
}

/** The 8-hex-digit name part that tells hooks of one action apart by URL. */
export function urlNameHash(url: string): string {
  return urlSha256(url).slice(0, 8);
}

/** The hooks of each action, in the order of `hooks` (the first action listed first). */
export function hooksByAction<H extends { readonly action: number }>(
  hooks: readonly H[],
): Map<number, H[]> {
  const groups = new Map<number, H[]>();
  for (const h of hooks) {
    const group = groups.get(h.action);
    if (group) group.push(h);
    else groups.set(h.action, [h]);
  }
  return groups;
}

/** One hook's names. */
export interface HookName {
  /** The hook's position in `hooks`. */
  index: number;
  /** The child's logical name. */
  childName: string;
  /** Former names (Pulumi aliases), before the filtering of {@link hookNames}' caller. */
  aliases: string[];
  /** The key that names the hook apart from other hooks of its action, if any. */
  discriminator?: string;
}

/**
 * The name of each hook, in the order of `hooks`. A hook whose action appears once is
 * `<setName>-<ActionName>`; when an action appears several times, each of its hooks is
 * `<setName>-<ActionName>-<key>`, where `key` is the hook's `key` or else the first 8 hex digits
 * of the SHA-256 of its URL. Aliases carry state across these forms:
 * - a lone hook also answers to its hashed and keyed names (a second hook of its action was
 *   just removed);
 * - when an action goes from one hook to several, one of them inherits `<setName>-<ActionName>`:
 *   the one that takes the set's default `url` if there is one, else the first listed. The
 *   former webhook is then kept (updated in place if its URL changed), never replaced.
 *
 * Takes valid arguments (`ValidWebhookSetArgs` is one): a repeated action's hooks each have a key
 * or a plain URL.
 */
export function hookNames(setName: string, args: NamedHooks): HookName[] {
  const names: HookName[] = [];
  for (const group of hooksByAction(args.hooks).values()) {
    const base = `${setName}-${group[0]!.actionName}`;
    const heir =
      group.length > 1 ? (group.find((h) => h.url === undefined) ?? group[0]) : undefined;
    for (const h of group) {
      const url = h.url ?? args.url;
      const hashed = typeof url === "string" ? `${base}-${urlNameHash(url)}` : undefined;
      const keyed = h.key !== undefined ? `${base}-${h.key}` : undefined;
      if (group.length === 1) {
        names.push({
          index: h.index,
          childName: base,
          aliases: [keyed, hashed].filter((a): a is string => a !== undefined),
        });
        continue;
      }
      const discriminator = h.key ?? urlNameHash(url as string);
      const aliases: string[] = [];
      if (keyed && hashed) aliases.push(hashed);
      if (h === heir) aliases.push(base);
      names.push({ index: h.index, childName: `${base}-${discriminator}`, aliases, discriminator });
    }
  }
  return names.sort((a, b) => a.index - b.index);
}
