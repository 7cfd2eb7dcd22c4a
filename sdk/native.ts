/**
 * The plugin-backed resources for TypeScript programs: the same webhooks served by the `nexudus`
 * resource-provider plugin (`pulumi-resource-nexudus`, installed with `pulumi plugin install
 * resource nexudus <version> --file <tarball>`; see docs/plugin.md) instead of the dynamic
 * provider. What they add over the dynamic classes: explicit providers (`native.Provider`, one per
 * Nexudus account, several in one program), `pulumi import`, and the functions.
 *
 * ```ts
 * import { native } from "pulumi-nexudus";
 * const hq = new native.Provider("hq", { baseUrl: "https://spaces.nexudus.com", token });
 * new native.WebHook("bookings", { businessId: 1234, name: "Bookings", action: "BookingCreate",
 *   url: pulumi.secret("https://hooks.example.com/nexudus/bookings") }, { provider: hq });
 * ```
 *
 * A stack made with the dynamic `WebHook` moves to these without creating or deleting a webhook:
 * declare `native.WebHook` with the same name and `aliases: [native.fromDynamic]` (the old type),
 * then `pulumi up` (docs/plugin.md, "Moving a stack from the dynamic provider").
 *
 * @module
 */
import * as pulumi from "@pulumi/pulumi";
import { packageVersion } from "../client/version";
import type { WebhookActionName } from "../client/actions";
import {
  COMPUTED_OUTPUT_KEYS,
  WEBHOOK_INPUT_KEYS,
  type WebhookPublicOutputs,
} from "../provider/inputs";
import { registerProgramWebHook, WEBHOOK_TYPE, type WebHookArgs } from "./webhook";
import type { WebhookSetArgs as DynamicSetArgs, WebhookSetKeep } from "../provider/setArgs";
import type { WebhookSetMember } from "./webhookSet";

/** The package's name in the Pulumi schema (`pulumi:providers:nexudus`, `nexudus:index:*`). */
export const PACKAGE = "nexudus";
/** The type token of a plugin-backed webhook. */
export const NATIVE_WEBHOOK_TYPE = "nexudus:index:WebHook";

/**
 * The alias that moves a dynamic `WebHook` of the same name (and parent) onto the plugin: the
 * engine then diffs the stored webhook with the plugin and keeps it (no create, no delete).
 */
export const fromDynamic: pulumi.Alias = { type: WEBHOOK_TYPE };

/** The arguments of a {@link Provider}: one Nexudus account. Unset ones fall back to `nexudus:*` config and `NEXUDUS_*` variables. */
export interface ProviderArgs {
  /** API base URL (default `https://spaces.nexudus.com`); `http://` only for loopback hosts. */
  baseUrl?: pulumi.Input<string>;
  /** A bearer token (kept secret in state). Give either this or `username` + `password`. */
  token?: pulumi.Input<string>;
  /** A Nexudus user (an email), exchanged with `password` for a token. */
  username?: pulumi.Input<string>;
  /** The user's password (kept secret in state). */
  password?: pulumi.Input<string>;
  /** Per-request timeout in ms. */
  timeoutMs?: pulumi.Input<number>;
  /** Retries after the first attempt of an idempotent call. */
  maxRetries?: pulumi.Input<number>;
  /** How refresh reads webhooks: `account` (default), `search` or `get`. */
  refreshMode?: pulumi.Input<"account" | "search" | "get">;
  /** The longest wait for the rate budget before a call fails, in ms. */
  maxWaitMs?: pulumi.Input<number>;
}

/** The pinned plugin version: the one this package was built with. */
const withVersion = <T extends pulumi.ResourceOptions | pulumi.InvokeOptions>(opts?: T): T =>
  ({ version: packageVersion(), ...opts }) as T;

/** An explicit `nexudus` provider: one account (base URL + user), with its own token and budget. */
export class Provider extends pulumi.ProviderResource {
  constructor(name: string, args: ProviderArgs = {}, opts?: pulumi.ResourceOptions) {
    const secrets = ["token", "password"] as const;
    const props: Record<string, unknown> = { ...args };
    for (const key of secrets) if (args[key] !== undefined) props[key] = pulumi.secret(args[key]);
    super(PACKAGE, name, props, withVersion(opts));
  }
}

/** Each output of a resource as a `pulumi.Output` property. */
type OutputProperties<T> = { readonly [K in keyof T]-?: pulumi.Output<T[K]> };

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- only an interface merged into the class can add properties from a type
export interface WebHook extends OutputProperties<WebhookPublicOutputs> {}

/** Every output key, each registered unset unless given: the engine resolves only those. */
const OUTPUT_KEYS: readonly string[] = [...WEBHOOK_INPUT_KEYS, ...COMPUTED_OUTPUT_KEYS];

/**
 * A Nexudus webhook served by the `nexudus` plugin: the same arguments and outputs as the dynamic
 * `WebHook`; `url` and `lastError` are secret in state. Bind it to an account with the
 * `provider` option (else the default provider reads the stack's `nexudus:*` config), adopt an
 * existing record with the `import` option or `pulumi import nexudus:index:WebHook <name> <id>`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class WebHook extends pulumi.CustomResource {
  constructor(name: string, args: WebHookArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      NATIVE_WEBHOOK_TYPE,
      name,
      { ...Object.fromEntries(OUTPUT_KEYS.map((key) => [key, undefined])), ...args },
      withVersion(opts),
    );
    // Known to exclusive WebhookSets of this program at its location: kept, not deleted.
    registerProgramWebHook(this, args);
  }
}

/** The type token of the plugin's multi-language WebhookSet component. */
export const NATIVE_SET_TYPE = "nexudus:index:WebhookSet";

/**
 * The arguments of a plugin-backed {@link WebhookSet}: the TypeScript set's, but `alsoKeep.otherSets`
 * (a multi-language set does not see the program's other sets).
 */
export type WebhookSetArgs = Omit<DynamicSetArgs, "alsoKeep"> & {
  alsoKeep?: Omit<WebhookSetKeep, "otherSets">;
};

/**
 * A WebhookSet built by the `nexudus` plugin (a multi-language component, type
 * `nexudus:index:WebhookSet`): one plugin-served `WebHook` per hook, bound to the set's provider,
 * so a program can have sets in several accounts (`{ provider: someProvider }`). The arguments,
 * names and checks are the TypeScript `WebhookSet`'s. Unlike it, an exclusive native set knows
 * only its own hooks and `alsoKeep`: list the program's other webhooks at the location there.
 */
export class WebhookSet extends pulumi.ComponentResource {
  /** The Nexudus ids of the hooks, in the order of `hooks`. */
  declare readonly webhookIds: pulumi.Output<number[]>;
  /** Every hook, keyed by child resource name (secret: it holds the URLs). */
  declare readonly webhooks: pulumi.Output<Record<string, WebhookSetMember>>;
  /** The Name prefix in use. */
  declare readonly namePrefix: pulumi.Output<string>;

  constructor(name: string, args: WebhookSetArgs, opts?: pulumi.ComponentResourceOptions) {
    // The shorthand entries in long form: the schema types each hook as an object.
    const hooks = Array.isArray(args.hooks)
      ? args.hooks.map((h) => (typeof h === "string" || typeof h === "number" ? { action: h } : h))
      : args.hooks;
    super(
      NATIVE_SET_TYPE,
      name,
      { ...args, hooks, namePrefix: args.namePrefix, webhookIds: undefined, webhooks: undefined },
      withVersion(opts),
      true,
    );
  }
}

/** A webhook as the functions answer it: a `WebHook`'s outputs but `adopt`. */
export interface WebhookInfo {
  webhookId: number;
  businessId: number;
  name: string;
  action: number;
  actionName: string;
  url: string;
  description: string | null;
  active: boolean;
  uniqueId: string;
  lastError: string | null;
  errorCount: number;
  lastTrigger: string | null;
  createdOn: string;
  updatedOn: string;
  updatedBy: string | null;
}

/** One value of the action enum. */
export interface WebhookActionInfo {
  name: WebhookActionName;
  value: number;
}

/** The arguments of {@link getWebhooks}: a location, optionally filtered. */
export interface GetWebhooksArgs {
  businessId: number;
  /** Only this action (name or number). */
  action?: WebhookActionName | number;
  /** Only names starting with this. */
  namePrefix?: string;
  /** Only active (true) or inactive (false) webhooks. */
  active?: boolean;
}

function invoke<T>(
  token: string,
  args: pulumi.Inputs,
  opts?: pulumi.InvokeOptions,
): pulumi.Output<T> {
  const answer = pulumi.runtime.invoke(`${PACKAGE}:index:${token}`, args, withVersion(opts));
  return pulumi.output(answer) as pulumi.Output<T>;
}

/** One webhook by id (read-only; the answer is secret as a whole, since it holds the URL). */
export function getWebhook(
  args: { webhookId: number },
  opts?: pulumi.InvokeOptions,
): pulumi.Output<WebhookInfo> {
  return invoke<WebhookInfo>("getWebhook", args, opts);
}

/** A location's webhooks, read to the end (bounded), with the optional filters. */
export function getWebhooks(
  args: GetWebhooksArgs,
  opts?: pulumi.InvokeOptions,
): pulumi.Output<{ webhooks: WebhookInfo[] }> {
  return invoke<{ webhooks: WebhookInfo[] }>("getWebhooks", { ...args }, opts);
}

/** The action enum: every name with its number. */
export function getWebhookActions(
  opts?: pulumi.InvokeOptions,
): pulumi.Output<{ actions: WebhookActionInfo[] }> {
  return invoke<{ actions: WebhookActionInfo[] }>("getWebhookActions", {}, opts);
}
