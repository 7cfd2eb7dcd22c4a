/**
 * The host's configuration: `configure()` reads the settings and picks the account context
 * (`./context.ts`: the account's client, budget, caches and guards) that every resource served
 * by this host process then looks up with {@link currentContext}. Every dynamic resource loads
 * this module by name (`require("pulumi-nexudus/provider")`); the one value kept for the process
 * is which context `configure()` chose (on `globalThis`, so that two loaded copies of the package
 * agree). Nothing here is ever serialized into state.
 */
import { processWide } from "../client/processWide";
import type { NexudusClient } from "../client/client";
import type { RefreshMode } from "./readCache";
import {
  NexudusProviderConfigError,
  readSettings,
  type ProviderSettings,
} from "../config/settings";
import { AccountContext, accountKey } from "./context";

interface RuntimeState {
  /** The context `configure()` chose (or the environment's, for an engine that never calls it). */
  context?: AccountContext;
  /** Why the last `configure()` failed: later calls fail with it too (the host caches us). */
  configError?: Error;
  /** Where warnings go when not through the SDK's log (the plugin: the engine's Log). */
  warn?: (message: string) => Promise<void>;
}

const state: RuntimeState = processWide<RuntimeState>("pulumi-nexudus.runtime.v2", () => ({}));

/** Minimal view of the `configure()` request's config. */
export interface ConfigGetter {
  get(key: string): string | undefined;
  /**
   * The whole stack config as the dynamic-provider host holds it (every namespace): its keys are
   * checked for unknown `nexudus:*` keys. Not part of Pulumi's typed `Config`, so optional.
   */
  readonly rawConfig?: Readonly<Record<string, unknown>>;
}

/** The stack config's keys, when the config object can list them. */
function configKeysOf(config: ConfigGetter | undefined): string[] {
  const raw = config?.rawConfig;
  return raw !== null && typeof raw === "object" ? Object.keys(raw) : [];
}

/** How often the host checks that the engine that started it is still there. */
const ENGINE_WATCH_MS = 250;

/**
 * Ends this host process once the engine that started it is gone. The engine starts the
 * dynamic-provider host in a process group of its own, so a `pulumi` killed with SIGKILL (a CI
 * job cancelled hard) leaves the host running: it would go on sending the creates already queued
 * behind the rate limiter, each one a webhook that no state will ever record. When the parent
 * process changes (the engine died and the host was re-parented), nothing can be reported any
 * more, so the host stops before its next request. A `pulumi` interrupted with SIGINT waits for
 * its in-flight steps and is not affected.
 */
export function watchEngine(): void {
  // Once per process (every loaded copy of the package shares the watch); null where the host
  // was started by init or by a harness that stays: nothing to watch.
  processWide("pulumi-nexudus.engine-watch", () => {
    const parent = process.ppid;
    if (parent <= 1) return null;
    const timer = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(timer);
      process.stderr.write(
        "pulumi-nexudus: the Pulumi engine that started this provider host is gone; stopping so " +
          "that no request is sent that no state could record.\n",
      );
      process.exit(1);
    }, ENGINE_WATCH_MS);
    timer.unref();
    return timer;
  });
}

/** The context for `settings`: the current one when nothing changed; same account, same share. */
function contextFor(settings: ProviderSettings): AccountContext {
  const current = state.context;
  if (current && JSON.stringify(current.settings) === JSON.stringify(settings)) return current;
  const sameAccount = current && current.account === accountKey(settings);
  return new AccountContext(settings, sameAccount ? current.share : undefined);
}

/** Reads and validates the stack config (with the environment as fallback). */
export function configure(config: ConfigGetter | undefined, env = process.env): void {
  watchEngine();
  let settings: ProviderSettings;
  try {
    settings = readSettings({
      config: (key) => config?.get(key),
      env,
      configKeys: configKeysOf(config),
    });
  } catch (e) {
    // The host keeps serving this provider after a failed configure(): remember why, so that no
    // later call falls back to the environment alone (and perhaps to another address).
    state.configError = e instanceof Error ? e : new Error(String(e));
    state.context = undefined;
    throw state.configError;
  }
  state.configError = undefined;
  state.context = contextFor(settings);
}

/** The context `configure()` chose; the environment's when it was never called. */
export function currentContext(): AccountContext {
  if (state.configError) throw state.configError;
  // An engine older than configure() support never calls it: fall back to the environment.
  state.context ??= contextFor(readSettings({ env: process.env }));
  return state.context;
}

/** The current account's client; built on first use. Throws when credentials are missing. */
export function getClient(): NexudusClient {
  return currentContext().client;
}

/** The configured refresh mode (`nexudus:refreshMode`); `account` when none. */
export function refreshMode(): RefreshMode {
  return currentContext().refreshMode;
}

export { NexudusProviderConfigError };

/**
 * Sends warnings (a `check`'s plain-http notice) to `sink` instead of the Node SDK's log: the
 * plugin has no SDK runtime and logs through the engine itself.
 */
export function setWarningSink(sink: (message: string) => Promise<void>): void {
  state.warn = sink;
}

/** A warning the engine shows beside the step (the step goes on). */
export async function warn(message: string): Promise<void> {
  if (state.warn) return state.warn(message);
  const log = require("@pulumi/pulumi/log") as typeof import("@pulumi/pulumi/log");
  await log.warn(message);
}
