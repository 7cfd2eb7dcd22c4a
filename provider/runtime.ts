/**
 * Process-wide provider state: the settings read in `configure()` and the one client built from
 * them. Every dynamic resource served by a host process loads this module by name
 * (`require("pulumi-nexudus/provider")`), so they share one client, one token cache and one
 * rate limiter. Nothing here is ever serialized into state.
 */
import { processWide } from "./processWide";
import { NexudusClient } from "./client";
import { DEFAULT_REFRESH_MODE, type RefreshMode } from "./readCache";
import {
  clientOptions,
  NexudusProviderConfigError,
  requireCredentials,
  resolveSettings,
  type ProviderSettings,
} from "./config";

interface RuntimeState {
  settings?: ProviderSettings;
  client?: NexudusClient;
  /** Why the last `configure()` failed: later calls fail with it too (the host caches us). */
  configError?: Error;
}

// On globalThis so that two loaded copies of this module (e.g. from two install paths) still
// share one client and token cache.
const state: RuntimeState = processWide<RuntimeState>("pulumi-nexudus.runtime", () => ({}));

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

/** Reads and validates the stack config (with the environment as fallback). */
export function configure(config: ConfigGetter | undefined, env = process.env): void {
  watchEngine();
  let settings: ProviderSettings;
  try {
    settings = resolveSettings((key) => config?.get(key), env, configKeysOf(config));
  } catch (e) {
    // The host keeps serving this provider after a failed configure(): remember why, so that no
    // later call falls back to the environment alone (and perhaps to another address).
    state.configError = e instanceof Error ? e : new Error(String(e));
    state.settings = undefined;
    state.client = undefined;
    throw state.configError;
  }
  state.configError = undefined;
  if (JSON.stringify(settings) !== JSON.stringify(state.settings)) {
    state.settings = settings;
    state.client = undefined;
  }
}

/** The shared client; builds it on first use. Throws when credentials are missing. */
export function getClient(): NexudusClient {
  if (state.configError) throw state.configError;
  if (state.client) return state.client;
  // An engine older than configure() support never calls it: fall back to the environment.
  const settings = state.settings ?? resolveSettings(() => undefined);
  state.settings = settings;
  requireCredentials(settings);
  state.client = new NexudusClient(clientOptions(settings));
  return state.client;
}

/** The configured refresh mode (`nexudus:refreshMode`); `account` when none. */
export function refreshMode(): RefreshMode {
  return state.settings?.refreshMode ?? DEFAULT_REFRESH_MODE;
}

/** Forgets the settings and the client (tests). */
export function resetRuntime(): void {
  state.settings = undefined;
  state.client = undefined;
  state.configError = undefined;
}

export { NexudusProviderConfigError };
