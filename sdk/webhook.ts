import * as pulumi from "@pulumi/pulumi";
import { actionNumber, type WebhookActionName } from "../provider/actions";
import { urlSha256 } from "../provider/inputs";
import { programWebHooks } from "./registry";

/**
 * The provider object stored (serialized) in every WebHook's state as `__provider`. It holds no
 * code of its own, no credential, no config value and no schema: each method loads the
 * implementation from the installed package by name, so one loaded copy (one client, one token
 * cache, one rate limiter) serves every resource in the host process. Keep it that way: anything
 * these functions capture is written into state.
 */
const webhookShim: pulumi.dynamic.ResourceProvider = {
  configure: (req) => require("pulumi-nexudus/provider").webhookProvider.configure(req),
  check: (olds, news) => require("pulumi-nexudus/provider").webhookProvider.check(olds, news),
  diff: (id, olds, news) => require("pulumi-nexudus/provider").webhookProvider.diff(id, olds, news),
  create: (inputs) => require("pulumi-nexudus/provider").webhookProvider.create(inputs),
  read: (id, props) => require("pulumi-nexudus/provider").webhookProvider.read(id, props),
  update: (id, olds, news) =>
    require("pulumi-nexudus/provider").webhookProvider.update(id, olds, news),
  delete: (id, props) => require("pulumi-nexudus/provider").webhookProvider.delete(id, props),
};

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
export class WebHook extends pulumi.dynamic.Resource {
  /** The Nexudus record id. */
  declare public readonly webhookId: pulumi.Output<number>;
  /** The record's UUID. */
  declare public readonly uniqueId: pulumi.Output<string | null>;
  /** The location id. */
  declare public readonly businessId: pulumi.Output<number>;
  /** The display name. */
  declare public readonly name: pulumi.Output<string>;
  /** The action number. */
  declare public readonly action: pulumi.Output<number>;
  /** The action name, e.g. `"BookingCreate"`. */
  declare public readonly actionName: pulumi.Output<string | null>;
  /** The target URL (secret when given as a secret). */
  declare public readonly url: pulumi.Output<string>;
  /** The description, or null. */
  declare public readonly description: pulumi.Output<string | null>;
  /** Whether the webhook fires. */
  declare public readonly active: pulumi.Output<boolean>;
  /** Whether the webhook was declared with `adopt`. */
  declare public readonly adopt: pulumi.Output<boolean>;
  /** Error of the last failed delivery, or null (secret, since it may quote the URL). */
  declare public readonly lastError: pulumi.Output<string | null>;
  /** Consecutive failed deliveries. */
  declare public readonly errorCount: pulumi.Output<number>;
  /** When the webhook last fired successfully (ISO 8601), or null. */
  declare public readonly lastTrigger: pulumi.Output<string | null>;
  /** When the record was created (ISO 8601). */
  declare public readonly createdOn: pulumi.Output<string | null>;
  /** When the record was last updated (ISO 8601). */
  declare public readonly updatedOn: pulumi.Output<string | null>;
  /** Who last updated the record. */
  declare public readonly updatedBy: pulumi.Output<string | null>;

  constructor(name: string, args: WebHookArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      webhookShim,
      name,
      {
        ...args,
        // Every output must be a key of the props, or the engine never resolves it: `active`,
        // `description` and `adopt` are optional inputs, so list them even when not given.
        active: args.active,
        description: args.description,
        adopt: args.adopt,
        webhookId: undefined,
        uniqueId: undefined,
        actionName: undefined,
        lastError: undefined,
        errorCount: undefined,
        lastTrigger: undefined,
        createdOn: undefined,
        updatedOn: undefined,
        updatedBy: undefined,
      },
      {
        ...opts,
        // A delivery error may quote the target URL, which is often a credential (Slack, Zapier).
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "lastError"],
      },
      "nexudus",
      "WebHook",
    );
    // Known to exclusive WebhookSets of this program at the same location: kept, not deleted.
    programWebHooks().push({
      resource: this,
      businessId: args.businessId,
      webhookId: this.webhookId,
      // Known as null at once for a hook without adopt, whatever its URL.
      adoptable: pulumi.output(args.adopt).apply((adopt) =>
        adopt !== true
          ? pulumi.output(null)
          : pulumi.all([args.url, args.action]).apply(([url, action]) => {
              const n = typeof action === "number" ? action : actionNumber(String(action));
              return typeof url === "string" && n !== undefined
                ? { action: n, urlSha256: urlSha256(url) }
                : null;
            }),
      ),
    });
  }
}
