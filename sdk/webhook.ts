import * as pulumi from "@pulumi/pulumi";
import { actionNumber, type WebhookActionName } from "../client/actions";
import {
  COMPUTED_OUTPUT_KEYS,
  PROVIDER_KEY,
  urlSha256,
  WEBHOOK_INPUT_KEYS,
  type WebhookPublicOutputs,
} from "../provider/inputs";
import { programWebHooks } from "./registry";
import type { AdoptableWebhook } from "../provider/exclusion";
import { quietPromiseStacks, restoreAfterThrow } from "./promiseStacks";
import { providerSource } from "./providerSource";

/** The type token of a WebHook: a dynamic resource (`pulumi-nodejs:dynamic/<module>:<type>`). */
export const WEBHOOK_TYPE = "pulumi-nodejs:dynamic/nexudus:WebHook";

/** The `__provider` of every WebHook (see providerSource.ts). */
const WEBHOOK_PROVIDER = providerSource("webhookProvider");

/** Arguments of a {@link WebHook}. Every argument accepts a `pulumi.Input`. */
export interface WebHookArgs {
  /** The Nexudus location (business) id. Changing it replaces the webhook (new one first). */
  businessId: pulumi.Input<number>;
  /** Display name of the webhook in Nexudus. */
  name: pulumi.Input<string>;
  /** The event: an `eWebhookAction` name such as `"BookingCreate"`, or its number (6). */
  action: pulumi.Input<WebhookActionName | number>;
  /** The absolute http(s) URL that receives the POST. Give it as a secret to keep it secret. */
  url: pulumi.Input<string>;
  /** Optional description; left out, the webhook has none. */
  description?: pulumi.Input<string>;
  /** Whether the webhook fires (default true). A webhook Nexudus disabled is re-enabled by `up`. */
  active?: pulumi.Input<boolean>;
  /**
   * Take over an existing webhook instead of creating one (default false): on create, the one
   * webhook at the location with the same action and URL is adopted and updated to the declared
   * values; several matches fail with their ids. Stands in for `pulumi import`, which does not work
   * for dynamic resources.
   */
  adopt?: pulumi.Input<boolean>;
}

/** Each output of a resource as a `pulumi.Output` property. */
type OutputProperties<T> = { readonly [K in keyof T]-?: pulumi.Output<T[K]> };

/**
 * The output properties of a {@link WebHook}, derived from the provider's one list of outputs
 * (provider/inputs.ts), so that a new output needs no second declaration here. Merged into the
 * class: the engine sets these properties at run time for every key the constructor registers.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- only an interface merged into the class can add properties from a type
export interface WebHook extends OutputProperties<WebhookPublicOutputs> {}

/** Every output key, each registered unset unless given: the engine resolves only those. */
const OUTPUT_KEYS: readonly string[] = [...WEBHOOK_INPUT_KEYS, ...COMPUTED_OUTPUT_KEYS];

/**
 * A Nexudus webhook: an HTTP POST to `url` whenever `action` happens at location `businessId`.
 *
 * ```ts
 * const hook = new nexudus.WebHook("bookings", {
 *   businessId: 1234,
 *   name: "Bookings to Slack",
 *   action: "BookingCreate",
 *   url: "https://hooks.example.com/nexudus/bookings",
 * });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface above
export class WebHook extends pulumi.CustomResource {
  constructor(name: string, args: WebHookArgs, opts?: pulumi.CustomResourceOptions) {
    // Registered without Pulumi's per-promise debug traces (see promiseStacks.ts).
    const restore = quietPromiseStacks();
    try {
      super(
        WEBHOOK_TYPE,
        name,
        {
          // Every output must be a key of the props, or the engine never resolves it: the optional
          // inputs (`active`, `description`, `adopt`) and the computed outputs are listed unset.
          ...Object.fromEntries(OUTPUT_KEYS.map((key) => [key, undefined])),
          ...args,
          // The engine routes the dynamic type to its dynamic-provider host, which loads this
          // (last, so that no argument replaces it).
          [PROVIDER_KEY]: WEBHOOK_PROVIDER,
        },
        {
          ...opts,
          // A delivery error may quote the target URL, which is often a credential (Slack, Zapier).
          additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "lastError"],
        },
      );
    } catch (error) {
      restoreAfterThrow(restore, error, new.target);
      throw error;
    } finally {
      restore();
    }
    registerProgramWebHook(this, args);
  }
}

/**
 * Makes a standalone webhook known to the exclusive `WebhookSet`s of this program at its
 * location, so that they keep it instead of deleting it (the dynamic and the plugin-backed
 * `WebHook` both call it).
 */
export function registerProgramWebHook(
  resource: pulumi.CustomResource & { readonly webhookId: pulumi.Output<number> },
  args: WebHookArgs,
): void {
  // Known to exclusive WebhookSets of this program at the same location: kept, not deleted.
  // `adoptable` is built only when such a set asks (most programs have none).
  let adoptable: pulumi.Output<AdoptableWebhook | null> | undefined;
  programWebHooks().push({
    resource,
    businessId: args.businessId,
    webhookId: resource.webhookId,
    adoptable: () =>
      // Known as null at once for a hook without adopt, whatever its URL.
      (adoptable ??= pulumi.output(args.adopt).apply((adopt) =>
        adopt !== true
          ? pulumi.output(null)
          : pulumi.all([args.url, args.action]).apply(([url, action]) => {
              const n = typeof action === "number" ? action : actionNumber(String(action));
              return typeof url === "string" && n !== undefined
                ? { action: n, urlSha256: urlSha256(url) }
                : null;
            }),
      )),
  });
}
