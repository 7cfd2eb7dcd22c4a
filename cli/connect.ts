/**
 * The CLI's configuration: the same settings as the provider, read by the one reader of
 * `provider/config.ts` from the flags first, then the `NEXUDUS_*` environment variables, and
 * worded with the flags' names ({@link CLI_WORDING}).
 */
import { NexudusClient } from "../client/client";
import {
  clientOptions,
  describeConfigError,
  MISSING_CREDENTIALS_RULE,
  readSettings,
  requireCredentials,
  type ProviderSettings,
  type Wording,
} from "../config/settings";
import { NexudusConfigError, NexudusError } from "../client/errors";
import type { ConnectionFlags } from "./options";

/** A configuration problem (missing credential, bad base URL): exit code 3. */
export class CliConfigError extends NexudusError {
  override readonly name = "CliConfigError";
}

/** The CLI's wording of the missing-credentials error. */
export const CLI_MISSING_CREDENTIALS =
  "Nexudus credentials are missing: set NEXUDUS_TOKEN (a bearer token), or NEXUDUS_USERNAME and " +
  "NEXUDUS_PASSWORD, in the environment (or pass --token, or --username and --password)";

/** The CLI names a setting by its flag (`--token (or NEXUDUS_TOKEN)`), else its variable. */
export const CLI_WORDING: Wording = {
  lead: (n) => (n.flag ? `--${n.flag} (or ${n.envVar})` : (n.envVar ?? n.setting)),
  ref: (n) => (n.flag ? `--${n.flag}` : (n.envVar ?? n.setting)),
};

/** A configuration error in the CLI's words. */
export function cliWording(e: NexudusConfigError): string {
  if (e.rule === MISSING_CREDENTIALS_RULE) return CLI_MISSING_CREDENTIALS;
  return describeConfigError(e, CLI_WORDING);
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
    if (e instanceof NexudusConfigError) throw new CliConfigError(cliWording(e));
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
