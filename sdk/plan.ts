/**
 * How a {@link WebhookSetArgs | WebhookSet's arguments} become child `WebHook`s, decided without
 * declaring anything: {@link planWebhookSet} validates the arguments and names each child. Kept
 * apart from the component (`webhookSet.ts`) so that it can be tested as a pure function, with
 * tables and properties.
 *
 * @module
 */
import { NexudusError } from "../client/errors";
import { shownAsMessage } from "../client/shownAsMessage";
import * as pulumi from "@pulumi/pulumi";
import { actionName, type WebhookActionName } from "../client/actions";
import {
  businessIdProblem,
  describeValue as describe,
  nameProblem,
  parseAction,
  urlProblem,
  urlSha256,
} from "../provider/inputs";
import type { WebHookArgs } from "./webhook";

/**
 * One hook of a {@link WebhookSet} in long form. Every field but `action` and `key` accepts a
 * `pulumi.Input`; left out, a field takes the set's default.
 */
export interface WebhookSetHookArgs {
  /**
   * The event: an action name (`"BookingCreate"`) or number (6). A plain value, not an Output:
   * the hook's resource name is derived from it.
   */
  action: WebhookActionName | number;
  /** The target URL; default: the set's `url`. Give it as a secret to keep it secret. */
  url?: pulumi.Input<string>;
  /** The Nexudus Name; default `"<namePrefix> <ActionName>"`. */
  name?: pulumi.Input<string>;
  /** Optional description. */
  description?: pulumi.Input<string>;
  /** Whether the webhook fires; default: the set's `active` (true). */
  active?: pulumi.Input<boolean>;
  /** Take over an existing webhook with the same action and URL; default: the set's `adopt`. */
  adopt?: pulumi.Input<boolean>;
  /**
   * A stable identifier of this hook among the set's hooks of the same action, used in its
   * resource name when the action appears more than once (instead of a hash of the URL).
   * Required then if the URL is an Output (e.g. a secret). 1-40 characters: letters, digits,
   * `_`, `.`, `-`, starting with a letter or digit.
   */
  key?: string;
}

/** A hook of a {@link WebhookSet}: an action name or number (shorthand), or the long form. */
export type WebhookSetHook = WebhookActionName | number | WebhookSetHookArgs;

/**
 * Webhooks a set with `exclusive: true` must leave alone besides its own hooks (see
 * {@link WebhookSetArgs.exclusive}).
 */
export interface WebhookSetKeep {
  /** Ids of webhooks managed elsewhere, e.g. `[someWebHook.webhookId]`. */
  ids?: pulumi.Input<number>[];
  /** Keep webhooks whose Name starts with one of these followed by a space. */
  namePrefixes?: string[];
  /**
   * Keep the hooks of every other `WebhookSet` declared in this program at the same location:
   * their ids, and every webhook whose Name starts with their `namePrefix + " "` (default true).
   */
  otherSets?: boolean;
}

/** Arguments of a {@link WebhookSet}. */
export interface WebhookSetArgs {
  /** The Nexudus location (business) id of every hook. */
  businessId: pulumi.Input<number>;
  /** Default target URL of every hook (a hook may give its own). */
  url?: pulumi.Input<string>;
  /**
   * The hooks. Their order does not matter: resource names come from the action (and, for an
   * action listed more than once, the URL or `key`), never from the position.
   */
  hooks: WebhookSetHook[];
  /**
   * Start of every hook's Nexudus Name: `"<namePrefix> <ActionName>"`. Default: the set's
   * logical name. Two sets at one location must not share it.
   */
  namePrefix?: string;
  /** Default `active` of every hook (default true). */
  active?: pulumi.Input<boolean>;
  /** Default `adopt` of every hook (default false); see `WebHookArgs.adopt`. */
  adopt?: pulumi.Input<boolean>;
  /**
   * Make the set authoritative for its location (default false): every webhook at `businessId`
   * that is not managed is listed by `pulumi preview` (as the `unmanaged` property of the child
   * `WebhookSetExclusion`, by id, Name and action) and deleted by `pulumi up`.
   *
   * A webhook at the location is managed (kept) when any of these holds:
   * - it is one of this set's hooks (by id; a hook just removed from the set is deleted by its own
   *   resource, not listed here);
   * - unless `alsoKeep.otherSets` is false: it is a hook of another `WebhookSet` declared in this
   *   program at the same location (by id), or its Name starts with such a set's
   *   `namePrefix + " "`. Not this set's own prefix: a webhook named like this set's hooks that
   *   none of them manages is a leftover, and goes;
   * - it is a standalone `WebHook` declared in this program at the same location (by id);
   * - its id is in `alsoKeep.ids`, or its Name is an `alsoKeep.namePrefixes` entry or starts with
   *   one + " ";
   * - in a preview where hooks declared with `adopt` (of a set, or standalone) do not exist yet:
   *   it is the record one of them will take over (same action and URL). While that cannot be
   *   told, the preview shows `unmanaged` as unknown rather than list it.
   *
   * Sets and webhooks of other stacks are NOT known: list them in `alsoKeep`.
   * Other sets are looked up once this set's hooks are registered, so sets declared later in the
   * same program count; a set declared after an `await` of something slow may be missed: pass
   * its prefix in `alsoKeep.namePrefixes` then. Turning `exclusive` off deletes nothing.
   */
  exclusive?: boolean;
  /** More webhooks an exclusive set must keep. */
  alsoKeep?: WebhookSetKeep;
}

/** What {@link planWebhookSet} decided for one hook: the child `WebHook` to declare. */
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
  /** The child's arguments, defaults applied. */
  args: WebHookArgs & {
    name: pulumi.Input<string>;
    active: pulumi.Input<boolean>;
    adopt: pulumi.Input<boolean>;
  };
}

/** Thrown by {@link WebhookSet} (before anything is registered) for arguments that cannot work. */
export class WebhookSetArgsError extends NexudusError {
  override readonly name = "WebhookSetArgsError";
  constructor(
    readonly setName: string,
    readonly problems: string[],
  ) {
    super(
      problems.length === 1
        ? `WebhookSet ${JSON.stringify(setName)}: ${problems[0]}`
        : `WebhookSet ${JSON.stringify(setName)} has ${problems.length} problems:\n  - ${problems.join("\n  - ")}`,
    );
    shownAsMessage(this); // the CLI prints the message alone: no stack, no colours
  }
}

const HOOK_KEYS = ["action", "url", "name", "description", "active", "adopt", "key"] as const;
const SET_KEYS = [
  "businessId",
  "url",
  "hooks",
  "namePrefix",
  "active",
  "adopt",
  "exclusive",
  "alsoKeep",
] as const;
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

/** A value that is not known when the program runs (an Output or a promise). */
function isEventual(v: unknown): boolean {
  return (
    pulumi.Output.isInstance(v) ||
    (typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function")
  );
}

/** The 8-hex-digit name part that tells hooks of one action apart by URL. */
export function urlNameHash(url: string): string {
  return urlSha256(url).slice(0, 8);
}

interface Entry {
  index: number;
  action: number;
  actionName: WebhookActionName;
  url: pulumi.Input<string> | undefined;
  /** The URL as a plain string, when it is one. */
  plainUrl?: string;
  /** True when the hook takes the set's default url. */
  defaultUrl: boolean;
  hook: Partial<WebhookSetHookArgs>;
}

/**
 * Validates a set's arguments and decides its children, without declaring anything: what
 * `new WebhookSet(setName, args)` declares. Throws a {@link WebhookSetArgsError} listing every
 * problem with a plainly known value (`hooks[2].action "BokingCreate" is not a Nexudus webhook
 * action; did you mean "BookingCreate"?`, a missing url, the same action and URL twice, ...).
 *
 * Naming: a hook whose action appears once in the set is `<setName>-<ActionName>`. When an
 * action appears several times, each of its hooks is `<setName>-<ActionName>-<key>`, where `key`
 * is the hook's `key` or else the first 8 hex digits of the SHA-256 of its URL. Names never
 * depend on the order of `hooks`. Aliases carry state across these forms:
 * - a lone hook also answers to its hashed and keyed names (a second hook of its action was
 *   just removed);
 * - when an action goes from one hook to several, one of them inherits `<setName>-<ActionName>`:
 *   the one that takes the set's default `url` if there is one, else the first listed. The
 *   former webhook is then kept (updated in place if its URL changed), never replaced.
 */
export function planWebhookSet(setName: string, args: WebhookSetArgs): PlannedWebhook[] {
  const problems: string[] = [];
  if (typeof args !== "object" || args === null) {
    throw new WebhookSetArgsError(setName, [`arguments must be an object; got ${describe(args)}`]);
  }
  for (const key of Object.keys(args)) {
    if (!(SET_KEYS as readonly string[]).includes(key)) {
      problems.push(
        `unknown argument ${JSON.stringify(key)}; a WebhookSet takes ${SET_KEYS.join(", ")}`,
      );
    }
  }
  if (args.businessId === undefined) problems.push("businessId is required");
  else if (!isEventual(args.businessId)) {
    const p = businessIdProblem(args.businessId);
    if (p) problems.push(p);
  }
  if (args.url !== undefined && !isEventual(args.url)) {
    const p = urlProblem(args.url, "url");
    if (p) problems.push(`${p} (the default url of every hook)`);
  }
  const prefix = args.namePrefix ?? setName;
  if (args.namePrefix !== undefined) {
    const p = nameProblem(args.namePrefix, "namePrefix");
    if (p) problems.push(p);
    else if (args.namePrefix !== args.namePrefix.trim()) {
      problems.push(
        `namePrefix must not start or end with white space; got ${JSON.stringify(args.namePrefix)}`,
      );
    }
  }
  for (const key of ["exclusive"] as const) {
    if (args[key] !== undefined && typeof args[key] !== "boolean") {
      problems.push(
        `${key} must be a plain boolean (it decides which resources exist); got ${describe(args[key])}`,
      );
    }
  }
  const keep = args.alsoKeep;
  if (keep !== undefined) {
    if (typeof keep !== "object" || keep === null)
      problems.push(`alsoKeep must be an object; got ${describe(keep)}`);
    else {
      if (keep.ids !== undefined && !Array.isArray(keep.ids)) {
        problems.push(`alsoKeep.ids must be a list of webhook ids; got ${describe(keep.ids)}`);
      }
      if (keep.namePrefixes !== undefined) {
        if (!Array.isArray(keep.namePrefixes)) {
          problems.push(
            `alsoKeep.namePrefixes must be a list of strings; got ${describe(keep.namePrefixes)}`,
          );
        } else {
          keep.namePrefixes.forEach((p, i) => {
            const q = nameProblem(p, `alsoKeep.namePrefixes[${i}]`);
            if (q) problems.push(q);
          });
        }
      }
    }
  }
  if (!Array.isArray(args.hooks)) {
    problems.push(
      `hooks must be a list of actions or {action, url?, ...} objects; got ${describe(args.hooks)}`,
    );
    throw new WebhookSetArgsError(setName, problems);
  }

  const entries: Entry[] = [];
  args.hooks.forEach((raw, index) => {
    const at = `hooks[${index}]`;
    let hook: Partial<WebhookSetHookArgs>;
    if (typeof raw === "string" || typeof raw === "number") hook = { action: raw };
    else if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && !isEventual(raw)) {
      hook = raw;
      for (const key of Object.keys(hook)) {
        if (!(HOOK_KEYS as readonly string[]).includes(key)) {
          problems.push(
            `${at} has an unknown field ${JSON.stringify(key)}; a hook takes ${HOOK_KEYS.join(", ")}`,
          );
        }
      }
    } else {
      problems.push(
        `${at} must be an action name, an action number or {action, url?, ...}; got ${describe(raw)}`,
      );
      return;
    }
    let action: number | undefined;
    if (hook.action === undefined) problems.push(`${at}.action is required`);
    else if (isEventual(hook.action)) {
      problems.push(
        `${at}.action must be a plain action name or number, not an Output: the hook's resource name is derived from it`,
      );
    } else {
      const parsed = parseAction(hook.action, `${at}.action`);
      if (parsed.ok) action = parsed.value;
      else problems.push(parsed.reason);
    }
    const defaultUrl = hook.url === undefined;
    const url = hook.url ?? args.url;
    let plainUrl: string | undefined;
    if (url === undefined) {
      problems.push(`${at}.url is required: the hook has no url and the set has no default url`);
    } else if (!isEventual(url)) {
      const p = defaultUrl ? undefined : urlProblem(url, `${at}.url`);
      if (p) problems.push(p);
      else if (typeof url === "string") plainUrl = url;
    }
    if (hook.name !== undefined && !isEventual(hook.name)) {
      const p = nameProblem(hook.name, `${at}.name`);
      if (p) problems.push(p);
    }
    if (
      hook.description !== undefined &&
      !isEventual(hook.description) &&
      typeof hook.description !== "string"
    ) {
      problems.push(`${at}.description must be a string; got ${describe(hook.description)}`);
    }
    for (const key of ["active", "adopt"] as const) {
      const v = hook[key];
      if (v !== undefined && !isEventual(v) && typeof v !== "boolean") {
        problems.push(`${at}.${key} must be a boolean; got ${describe(v)}`);
      }
    }
    if (hook.key !== undefined && (typeof hook.key !== "string" || !KEY_PATTERN.test(hook.key))) {
      problems.push(
        `${at}.key must be 1-40 letters, digits, "_", "." or "-", starting with a letter or digit; got ${describe(hook.key)}`,
      );
    }
    if (action === undefined) return;
    entries.push({
      index,
      action,
      actionName: actionName(action)!,
      url,
      ...(plainUrl !== undefined ? { plainUrl } : {}),
      defaultUrl,
      hook,
    });
  });

  // Group by action; find duplicates.
  const byAction = new Map<number, Entry[]>();
  for (const e of entries) byAction.set(e.action, [...(byAction.get(e.action) ?? []), e]);
  for (const group of byAction.values()) {
    const seenUrl = new Map<string, Entry>();
    const seenKey = new Map<string, Entry>();
    for (const e of group) {
      if (e.plainUrl !== undefined) {
        const first = seenUrl.get(e.plainUrl);
        if (first) {
          problems.push(
            `hooks[${first.index}] and hooks[${e.index}] both declare ${e.actionName} for ${e.plainUrl}; remove one`,
          );
        } else seenUrl.set(e.plainUrl, e);
      }
      const key = e.hook.key;
      if (typeof key === "string") {
        const first = seenKey.get(key);
        if (first) {
          problems.push(
            `hooks[${first.index}] and hooks[${e.index}] both use key ${JSON.stringify(key)} for ${e.actionName}; keys must differ among hooks of one action`,
          );
        } else seenKey.set(key, e);
      }
      if (group.length > 1 && key === undefined && isEventual(e.url)) {
        problems.push(
          `hooks[${e.index}].key is required: ${e.actionName} appears ${group.length} times in the set and ` +
            `this hook's url is an Output (e.g. a secret), which cannot name its resource; give each ` +
            `${e.actionName} hook a key`,
        );
      }
    }
  }
  if (problems.length > 0) throw new WebhookSetArgsError(setName, problems);

  const planned: PlannedWebhook[] = [];
  for (const group of byAction.values()) {
    const first = group[0]!;
    const base = `${setName}-${first.actionName}`;
    const heir = group.length > 1 ? (group.find((e) => e.defaultUrl) ?? first) : undefined;
    for (const e of group) {
      const hashed = e.plainUrl !== undefined ? `${base}-${urlNameHash(e.plainUrl)}` : undefined;
      const keyed = e.hook.key !== undefined ? `${base}-${e.hook.key}` : undefined;
      let childName: string;
      let discriminator: string | undefined;
      const aliases: string[] = [];
      if (group.length === 1) {
        childName = base;
        if (keyed) aliases.push(keyed);
        if (hashed) aliases.push(hashed);
      } else {
        discriminator = e.hook.key ?? urlNameHash(e.plainUrl!);
        childName = `${base}-${discriminator}`;
        if (keyed && hashed) aliases.push(hashed);
        if (e === heir) aliases.push(base);
      }
      const hook = e.hook;
      const args2: PlannedWebhook["args"] = {
        businessId: args.businessId,
        name: hook.name ?? `${prefix} ${e.actionName}`,
        action: e.actionName,
        url: e.url!,
        active: hook.active ?? args.active ?? true,
        adopt: hook.adopt ?? args.adopt ?? false,
        ...(hook.description !== undefined ? { description: hook.description } : {}),
      };
      planned.push({
        index: e.index,
        childName,
        aliases,
        action: e.action,
        actionName: e.actionName,
        ...(discriminator !== undefined ? { discriminator } : {}),
        args: args2,
      });
    }
  }

  // Names must be unique (a hash collision, or a key that equals another hook's hash).
  const byName = new Map<string, PlannedWebhook>();
  for (const p of planned) {
    const other = byName.get(p.childName);
    if (other) {
      problems.push(
        `hooks[${other.index}] and hooks[${p.index}] would both be named ${JSON.stringify(p.childName)}; give them different keys`,
      );
    }
    byName.set(p.childName, p);
  }
  if (problems.length > 0) throw new WebhookSetArgsError(setName, problems);
  // An alias must not be a current name, nor be claimed twice (the engine rejects both).
  const aliasCount = new Map<string, number>();
  for (const p of planned)
    for (const a of p.aliases) aliasCount.set(a, (aliasCount.get(a) ?? 0) + 1);
  for (const p of planned) {
    p.aliases = p.aliases.filter((a) => !byName.has(a) && aliasCount.get(a) === 1);
  }
  return planned.sort((a, b) => a.index - b.index);
}
