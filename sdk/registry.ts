/**
 * Per-program registries: what a program declares, so that an exclusive `WebhookSet` knows the
 * other webhooks the same program manages at its location. One list per resource monitor (a
 * program run, or a `setMocks` call in tests), on `globalThis` so that two loaded copies of the
 * package share it.
 */
import * as pulumi from "@pulumi/pulumi";
import { processWide } from "../client/processWide";
import type { AdoptableWebhook } from "../provider/exclusion";

interface RegistryHolder {
  byMonitor: WeakMap<object, unknown[]>;
  fallback: unknown[];
}

/** The list registered under `key` for the current program. */
export function programList<T>(key: string): T[] {
  const holder = processWide<RegistryHolder>(key, () => ({
    byMonitor: new WeakMap(),
    fallback: [],
  }));
  let monitor: unknown;
  try {
    monitor = pulumi.runtime.getMonitor();
  } catch {
    monitor = undefined;
  }
  if (typeof monitor !== "object" || monitor === null) return holder.fallback as T[];
  let list = holder.byMonitor.get(monitor);
  if (!list) {
    list = [];
    holder.byMonitor.set(monitor, list);
  }
  return list as T[];
}

/** A `WebHook` as registered by its constructor. */
export interface RegisteredWebHook {
  readonly resource: object;
  readonly businessId: pulumi.Input<number>;
  readonly webhookId: pulumi.Output<number>;
  /** `{action, urlSha256}` when declared with `adopt: true`, else null (built on first call). */
  readonly adoptable: () => pulumi.Output<AdoptableWebhook | null>;
}

/** The WebHooks declared in the current program (set members included). */
export function programWebHooks(): RegisteredWebHook[] {
  return programList<RegisteredWebHook>("pulumi-nexudus.webhooks");
}

/** The WebHooks that are members of a WebhookSet (the others are standalone). */
const SET_MEMBERS = processWide("pulumi-nexudus.setMembers", () => new WeakSet<object>());

/** Marks a WebHook as a member of a WebhookSet. */
export function markSetMember(resource: object): void {
  SET_MEMBERS.add(resource);
}

/** The standalone WebHooks of the current program (not members of any WebhookSet). */
export function standaloneWebHooks(): RegisteredWebHook[] {
  return programWebHooks().filter((h) => !SET_MEMBERS.has(h.resource));
}
