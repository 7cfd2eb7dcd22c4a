import * as pulumi from "@pulumi/pulumi";
import type { AdoptableWebhook, UnmanagedWebhook } from "../provider/exclusion";
import { PROVIDER_KEY } from "../provider/inputs";
import { quietPromiseStacks, restoreAfterThrow } from "./promiseStacks";
import { providerSource } from "./providerSource";

export type { AdoptableWebhook, UnmanagedWebhook };

/** The type token of a WebhookSetExclusion (a dynamic resource, like a WebHook). */
const EXCLUSION_TYPE = "pulumi-nodejs:dynamic/nexudus:WebhookSetExclusion";

/** The `__provider` of every WebhookSetExclusion (see providerSource.ts). */
const EXCLUSION_PROVIDER = providerSource("exclusionProvider");

/**
 * Arguments of a {@link WebhookSetExclusion}. A `WebhookSet` with `exclusive: true` makes one
 * for you; declare one yourself only to make a hand-written group of `WebHook`s exclusive.
 */
export interface WebhookSetExclusionArgs {
  /** The location whose webhooks are reconciled. */
  businessId: pulumi.Input<number>;
  /**
   * Ids of the webhooks the set manages (its `WebHook`s' `webhookId`s). Kept; and a hook that
   * leaves the set is deleted by its own resource, so it is never listed here as unmanaged.
   */
  memberIds: pulumi.Input<pulumi.Input<number>[]>;
  /** Other ids to keep (the program's other webhooks at the location). */
  keepIds?: pulumi.Input<pulumi.Input<number>[]>;
  /** Ids the user listed to keep (`alsoKeep.ids`). */
  alsoKeepIds?: pulumi.Input<pulumi.Input<number>[]>;
  /** Keep every webhook whose Name starts with one of these followed by a space. */
  keepNamePrefixes?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Hooks declared with `adopt` (action + SHA-256 of the URL): while their ids are not known yet
   * (preview), the records they will take over are not listed as unmanaged.
   */
  adoptable?: pulumi.Input<pulumi.Input<AdoptableWebhook>[]>;
}

/**
 * Deletes the webhooks at a location that no one declared. Type token
 * `pulumi-nodejs:dynamic/nexudus:WebhookSetExclusion`.
 *
 * A webhook at `businessId` is kept when its id is in `memberIds`, `keepIds` or `alsoKeepIds`,
 * or its Name is a prefix in `keepNamePrefixes` or starts with `"<prefix> "`; every other one is listed in the
 * input `unmanaged` during `check` (so `pulumi preview` shows it, by id, Name and action, never
 * the URL) and deleted by `pulumi up`. Its own deletion deletes nothing. See
 * `provider/exclusion.ts` for the exact rule, including previews with ids not known yet.
 */
export class WebhookSetExclusion extends pulumi.CustomResource {
  /** The location id. */
  declare public readonly businessId: pulumi.Output<number>;
  /** The set's webhook ids, sorted. */
  declare public readonly memberIds: pulumi.Output<number[]>;
  /** The other kept ids, sorted. */
  declare public readonly keepIds: pulumi.Output<number[]>;
  /** The ids the user listed to keep, sorted. */
  declare public readonly alsoKeepIds: pulumi.Output<number[]>;
  /** The kept Name prefixes, sorted. */
  declare public readonly keepNamePrefixes: pulumi.Output<string[]>;
  /** The adoptable hooks. */
  declare public readonly adoptable: pulumi.Output<AdoptableWebhook[]>;
  /**
   * Webhooks at the location outside the set: in a preview, those `up` will delete; after an
   * update, none; after a refresh, those that appeared since.
   */
  declare public readonly unmanaged: pulumi.Output<UnmanagedWebhook[]>;
  /** What the last create or update deleted. */
  declare public readonly deleted: pulumi.Output<UnmanagedWebhook[]>;

  constructor(name: string, args: WebhookSetExclusionArgs, opts?: pulumi.CustomResourceOptions) {
    // Registered without Pulumi's per-promise debug traces (see promiseStacks.ts).
    const restore = quietPromiseStacks();
    try {
      super(
        EXCLUSION_TYPE,
        name,
        {
          keepIds: [],
          alsoKeepIds: [],
          keepNamePrefixes: [],
          adoptable: [],
          ...args,
          unmanaged: undefined,
          deleted: undefined,
          [PROVIDER_KEY]: EXCLUSION_PROVIDER,
        },
        opts,
      );
    } catch (error) {
      restoreAfterThrow(restore, error, new.target);
      throw error;
    } finally {
      restore();
    }
  }
}
