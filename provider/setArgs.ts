/**
 * A {@link WebhookSetArgs | WebhookSet's arguments}: their public types, and their validation
 * as one zod schema whose issues carry paths (`hooks[3].url must be an absolute http(s) URL`).
 * {@link parseWebhookSetArgs} turns arguments into {@link ValidWebhookSetArgs} (each hook in long
 * form, its action as a number and a name, defaults not yet applied) or throws one
 * {@link WebhookSetArgsError} listing every problem. The planner (`setPlan.ts`) is a function of
 * the valid form only.
 *
 * The rules of single values are the WebHook's own (`provider/inputs.ts`: the same words for
 * `url`, `name`, `businessId`, `action` with its did-you-mean); zod supplies the shapes, unknown
 * fields (with a did-you-mean too) and paths. The schema is internal: the public `.d.ts` declares
 * plain TypeScript types only.
 *
 * @module
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { actionName, type WebhookActionName } from "../client/actions";
import { NexudusError } from "../client/errors";
import { levenshtein } from "../client/levenshtein";
import { shownAsMessage } from "../client/shownAsMessage";
import {
  businessIdProblem,
  describeValue as describe,
  nameProblem,
  parseAction,
  UNKNOWN,
  urlProblem,
} from "./inputs";
import { hookNames, hooksByAction } from "./setNaming";

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

/** One hook as {@link parseWebhookSetArgs} hands it to the planner. */
export interface ValidHook {
  /** Its position in `hooks` (for messages only). */
  readonly index: number;
  /** The action number. */
  readonly action: number;
  /** The action name. */
  readonly actionName: WebhookActionName;
  /** The hook's own url, if it gives one. */
  readonly url?: pulumi.Input<string>;
  readonly name?: pulumi.Input<string>;
  readonly description?: pulumi.Input<string>;
  readonly active?: pulumi.Input<boolean>;
  readonly adopt?: pulumi.Input<boolean>;
  readonly key?: string;
}

/** A set's arguments once valid: what the planner takes. */
export interface ValidWebhookSetArgs {
  readonly businessId: pulumi.Input<number>;
  readonly url?: pulumi.Input<string>;
  readonly hooks: readonly ValidHook[];
  /** The prefix in use: the argument, or the set's name. */
  readonly namePrefix: string;
  readonly active?: pulumi.Input<boolean>;
  readonly adopt?: pulumi.Input<boolean>;
  readonly exclusive: boolean;
  readonly alsoKeep: {
    readonly ids: readonly pulumi.Input<number>[];
    readonly namePrefixes: readonly string[];
    readonly otherSets: boolean;
  };
}

/** The argument names of a set and of a hook, as messages list them. */
export const SET_KEYS = [
  "businessId",
  "url",
  "hooks",
  "namePrefix",
  "active",
  "adopt",
  "exclusive",
  "alsoKeep",
] as const;
export const HOOK_KEYS = [
  "action",
  "url",
  "name",
  "description",
  "active",
  "adopt",
  "key",
] as const;
export const KEEP_KEYS = ["ids", "namePrefixes", "otherSets"] as const;
const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

/**
 * A value that is not known when the program runs: an Output or a promise (a TypeScript
 * program), or the engine's unknown marker (a multi-language component's inputs in a preview).
 * An Output is told by the mark `pulumi.Output.isInstance` reads, so that this module loads
 * without the SDK's runtime (the plugin ships without it).
 */
export function isEventual(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (typeof v !== "object" || v === null) return false;
  return (
    (v as { __pulumiOutput?: unknown }).__pulumiOutput === true ||
    typeof (v as { then?: unknown }).then === "function"
  );
}

/** `<path> must be a plain <what>, not an Output: <why>` for a value that must be known. */
function plainOnly(value: unknown, ctx: Ctx, what: string, why: string): boolean {
  if (!isEventual(value)) return true;
  add(ctx, `${HERE} must be a plain ${what}, not an Output: ${why}`);
  return false;
}

/**
 * Where a message names the value it is about. Messages are written with it (the rules of
 * `provider/inputs.ts` take the property's name as their first argument) and it is replaced by
 * the issue's path (`hooks[3].url`) when the issues are read.
 */
const HERE = "\u0000here\u0000";

/** `hooks[3].url` for the path `["hooks", 3, "url"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "arguments" : out;
}

/** `; did you mean "url"?` for a key close to one of `known`, else nothing. */
function didYouMean(key: string, known: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = levenshtein(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(key.length / 3))
    ? `; did you mean ${JSON.stringify(best)}?`
    : "";
}

type Ctx = z.RefinementCtx;

/** Adds an issue whose message is `problem` (written with {@link HERE}) at `path` below the value. */
function add(ctx: Ctx, problem: string, path?: PropertyKey[]): void {
  ctx.addIssue({ code: "custom", message: problem, ...(path ? { path } : {}) });
}

/**
 * An argument that may be a `pulumi.Input`: a plain value is checked by `problem` (a rule of
 * `provider/inputs.ts`, undefined when fine); an Output or promise is taken as it is (the
 * WebHook's own check sees its value later). `undefined` is "not given".
 */
function input<T>(problem: (value: unknown) => string | undefined) {
  return z
    .custom<pulumi.Input<T>>(() => true)
    .superRefine((value, ctx) => {
      if (isEventual(value)) return;
      const p = problem(value);
      if (p) add(ctx, p);
    })
    .optional();
}

/** A value that decides which resources exist, so it must be plain. */
function plainBoolean(why: string) {
  return z
    .custom<boolean>(() => true)
    .superRefine((value, ctx) => {
      if (!plainOnly(value, ctx, "boolean", why)) return;
      if (typeof value !== "boolean") {
        add(ctx, `${HERE} must be a plain boolean (${why}); got ${describe(value)}`);
      }
    })
    .optional();
}

/**
 * A strict object: an unknown key reads `unknown(key)` followed by the keys it takes (`takes`)
 * and a did-you-mean; a value that is no object reads `<path> must be an object`.
 */
function strict<S extends z.ZodRawShape>(
  shape: S,
  keys: readonly string[],
  unknown: (key: string) => string,
  takes: string,
) {
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys
          .map((key) => `${unknown(key)}; ${takes} ${keys.join(", ")}${didYouMean(key, keys)}`)
          .join("\n");
      }
      if (issue.code === "invalid_type") {
        return `${HERE} must be an object; got ${describe(issue.input)}`;
      }
      return undefined;
    },
  });
}

/** How a nested object's unknown key reads: `hooks[0] has an unknown field "urll"`. */
const unknownField = (key: string) => `${HERE} has an unknown field ${JSON.stringify(key)}`;

const booleanRule = (value: unknown) =>
  typeof value === "boolean" ? undefined : `${HERE} must be a boolean; got ${describe(value)}`;

/** The schemas, built on first use (a program that declares no set never pays for them). */
let schemas: ReturnType<typeof buildSchemas> | undefined;

function buildSchemas() {
  const action = z
    .unknown()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) {
        add(ctx, `${HERE} is required`);
        return z.NEVER;
      }
      if (isEventual(value)) {
        add(
          ctx,
          `${HERE} must be a plain action name or number, not an Output: the hook's resource name is derived from it`,
        );
        return z.NEVER;
      }
      const parsed = parseAction(value, HERE);
      if (!parsed.ok) {
        add(ctx, parsed.reason);
        return z.NEVER;
      }
      return { action: parsed.value, actionName: actionName(parsed.value)! };
    });

  const hookObject = strict(
    {
      action,
      url: input<string>((v) => urlProblem(v, HERE)),
      name: input<string>((v) => nameProblem(v, HERE)),
      description: input<string>((v) =>
        typeof v === "string" ? undefined : `${HERE} must be a string; got ${describe(v)}`,
      ),
      active: input<boolean>(booleanRule),
      adopt: input<boolean>(booleanRule),
      key: z
        .custom<string>(() => true)
        .superRefine((value, ctx) => {
          if (!plainOnly(value, ctx, "string", "the hook's resource name is derived from it"))
            return;
          if (typeof value !== "string" || !KEY_PATTERN.test(value)) {
            add(
              ctx,
              `${HERE} must be 1-40 letters, digits, "_", "." or "-", starting with a letter or digit; got ${describe(value)}`,
            );
          }
        })
        .optional(),
    },
    HOOK_KEYS,
    unknownField,
    "a hook takes",
  );

  /** A hook in either form, as the long form. */
  const hook = z
    .unknown()
    .transform((raw, ctx) => {
      if (typeof raw === "string" || typeof raw === "number") return { action: raw };
      if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && !isEventual(raw)) {
        return raw as Record<string, unknown>;
      }
      add(
        ctx,
        `${HERE} must be an action name, an action number or {action, url?, ...}; got ${describe(raw)}`,
      );
      return z.NEVER;
    })
    .pipe(hookObject);

  const keep = strict(
    {
      ids: z
        .array(
          z
            .custom<pulumi.Input<number>>(() => true)
            .superRefine((v, ctx) => {
              if (isEventual(v) || (typeof v === "number" && Number.isInteger(v) && v > 0)) return;
              add(ctx, `${HERE} must be a webhook id (a positive integer); got ${describe(v)}`);
            }),
          { error: (i) => `${HERE} must be a list of webhook ids; got ${describe(i.input)}` },
        )
        .optional(),
      namePrefixes: z
        .array(
          z
            .custom<string>(() => true)
            .superRefine((v, ctx) => {
              if (!plainOnly(v, ctx, "string", "it decides which webhooks are kept")) return;
              const p = nameProblem(v, HERE);
              if (p) add(ctx, p);
            }),
          { error: (i) => `${HERE} must be a list of strings; got ${describe(i.input)}` },
        )
        .optional(),
      otherSets: plainBoolean("it decides which webhooks are kept"),
    },
    KEEP_KEYS,
    unknownField,
    "alsoKeep takes",
  );

  const set = strict(
    {
      businessId: z
        .unknown()
        .optional()
        .transform((value, ctx) => {
          if (value === undefined) add(ctx, `${HERE} is required`);
          else if (!isEventual(value)) {
            const p = businessIdProblem(value, HERE);
            if (p) add(ctx, p);
          }
          return value as pulumi.Input<number>;
        }),
      url: input<string>((v) => {
        const p = urlProblem(v, HERE);
        return p && `${p} (the default url of every hook)`;
      }),
      hooks: z.array(hook, {
        error: (i) =>
          `${HERE} must be a list of actions or {action, url?, ...} objects; got ${describe(i.input)}`,
      }),
      namePrefix: z
        .custom<string>(() => true)
        .superRefine((value, ctx) => {
          if (!plainOnly(value, ctx, "string", "it is part of every hook's Name")) return;
          const p = nameProblem(value, HERE);
          if (p) add(ctx, p);
          else if (value !== (value as string).trim()) {
            add(
              ctx,
              `${HERE} must not start or end with white space; got ${JSON.stringify(value)}`,
            );
          }
        })
        .optional(),
      active: input<boolean>(booleanRule),
      adopt: input<boolean>(booleanRule),
      exclusive: plainBoolean("it decides which resources exist"),
      alsoKeep: keep.optional(),
    },
    SET_KEYS,
    (key) => `unknown argument ${JSON.stringify(key)}`,
    "a WebhookSet takes",
  );
  return { set };
}

/**
 * The set-wide rules, once every field is valid: each hook has a url (its own or the set's);
 * no action twice for one URL; keys differ among hooks of one action; a repeated action with an
 * Output url has a key; no two hooks end up with one resource name.
 */
function setWideProblems(setName: string, args: ValidWebhookSetArgs): string[] {
  const problems: string[] = [];
  const at = (i: number) => `hooks[${i}]`;
  for (const h of args.hooks) {
    if (h.url === undefined && args.url === undefined) {
      problems.push(
        `${at(h.index)}.url is required: the hook has no url and the set has no default url`,
      );
    }
  }
  if (problems.length > 0) return problems;
  for (const group of hooksByAction(args.hooks).values()) {
    const seenUrl = new Map<string, ValidHook>();
    const seenKey = new Map<string, ValidHook>();
    for (const h of group) {
      const url = h.url ?? args.url;
      if (typeof url === "string") {
        const first = seenUrl.get(url);
        if (first) {
          problems.push(
            `${at(first.index)} and ${at(h.index)} both declare ${h.actionName} for ${url}; remove one`,
          );
        } else seenUrl.set(url, h);
      }
      if (h.key !== undefined) {
        const first = seenKey.get(h.key);
        if (first) {
          problems.push(
            `${at(first.index)} and ${at(h.index)} both use key ${JSON.stringify(h.key)} for ${h.actionName}; keys must differ among hooks of one action`,
          );
        } else seenKey.set(h.key, h);
      }
      if (group.length > 1 && h.key === undefined && typeof url !== "string") {
        problems.push(
          `${at(h.index)}.key is required: ${h.actionName} appears ${group.length} times in the set and ` +
            `this hook's url is an Output (e.g. a secret), which cannot name its resource; give each ` +
            `${h.actionName} hook a key`,
        );
      }
    }
  }
  if (problems.length > 0) return problems;
  // Names must be unique (a hash collision, or a key that equals another hook's hash).
  const seen = new Map<string, number>();
  for (const named of hookNames(setName, args)) {
    const other = seen.get(named.childName);
    if (other !== undefined) {
      problems.push(
        `${at(other)} and ${at(named.index)} would both be named ${JSON.stringify(named.childName)}; give them different keys`,
      );
    } else seen.set(named.childName, named.index);
  }
  return problems;
}

/**
 * Validates a set's arguments: every problem with a plainly known value, each naming its path
 * (`hooks[2].action "BokingCreate" is not a Nexudus webhook action; did you mean
 * "BookingCreate"?`, `hooks[0] has an unknown field "urll"; did you mean "url"?`, a missing url,
 * the same action and URL twice, ...), thrown as one {@link WebhookSetArgsError}. Values given as
 * Outputs are checked by each WebHook when known. Makes no call and declares nothing.
 */
export function parseWebhookSetArgs(setName: string, args: WebhookSetArgs): ValidWebhookSetArgs {
  if (typeof args !== "object" || args === null || Array.isArray(args)) {
    throw new WebhookSetArgsError(setName, [`arguments must be an object; got ${describe(args)}`]);
  }
  schemas ??= buildSchemas();
  const result = schemas.set.safeParse(args);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) =>
      issue.message.split("\n").map((m) => m.split(HERE).join(formatPath(issue.path))),
    );
    throw new WebhookSetArgsError(setName, problems);
  }
  const data = result.data;
  const valid: ValidWebhookSetArgs = {
    businessId: data.businessId,
    ...(data.url !== undefined ? { url: data.url } : {}),
    hooks: data.hooks.map((h, index) => {
      const { action, url, name, description, active, adopt, key } = h;
      return {
        index,
        ...action,
        ...(url !== undefined ? { url } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(description !== undefined ? { description } : {}),
        ...(active !== undefined ? { active } : {}),
        ...(adopt !== undefined ? { adopt } : {}),
        ...(key !== undefined ? { key } : {}),
      };
    }),
    namePrefix: data.namePrefix ?? setName,
    ...(data.active !== undefined ? { active: data.active } : {}),
    ...(data.adopt !== undefined ? { adopt: data.adopt } : {}),
    exclusive: data.exclusive === true,
    alsoKeep: {
      ids: data.alsoKeep?.ids ?? [],
      namePrefixes: data.alsoKeep?.namePrefixes ?? [],
      otherSets: data.alsoKeep?.otherSets !== false,
    },
  };
  const problems = setWideProblems(setName, valid);
  if (problems.length > 0) throw new WebhookSetArgsError(setName, problems);
  return valid;
}
