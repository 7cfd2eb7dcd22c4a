/**
 * The CLI's configuration: the same settings as the provider, read by the one reader of
 * `config/settings.ts` from the flags first, then the `NEXUDUS_*` environment variables; its
 * errors are the same text as the provider's (each names the flag, the variable and the key).
 */
import { NexudusClient } from "../client/client";
import {
  clientOptions,
  readSettings,
  requireCredentials,
  type ProviderSettings,
} from "../config/settings";
import { NexudusConfigError, NexudusError } from "../client/errors";
import type { ConnectionFlags } from "./options";

/** A configuration problem (missing credential, bad base URL): exit code 3. */
export class CliConfigError extends NexudusError {
  override readonly name = "CliConfigError";
}

/**
 * Reads the settings: each flag overrides its environment variable. When any credential flag is
 * given, the credential variables are ignored (see `readSources`).
 */
export function cliSettings(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
): ProviderSettings {
  try {
    const settings = readSettings({ flags: { ...flags }, env });
    requireCredentials(settings);
    return settings;
  } catch (e) {
    if (e instanceof NexudusConfigError) throw new CliConfigError(e.message);
    throw e;
  }
}

/** A client for the configured account (tuning from `NEXUDUS_TIME_FACTOR` and friends). */
export function connect(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
): NexudusClient {
  return new NexudusClient(clientOptions(cliSettings(flags, env)));
}
