/**
 * The CLI's configuration: the same settings as the provider (`provider/config.ts`), read from the
 * flags first, then the `NEXUDUS_*` environment variables.
 */
import { NexudusError } from "../provider/errors";
import { NexudusClient } from "../provider/client";
import {
  clientOptions,
  CONFIG_KEYS,
  NexudusProviderConfigError,
  requireCredentials,
  resolveSettings,
  type ProviderSettings,
} from "../provider/config";
import type { ConnectionFlags } from "./options";

/** A configuration problem (missing credential, bad base URL): exit code 3. */
export class CliConfigError extends NexudusError {
  override readonly name = "CliConfigError";
}

/** The flag that sets each provider setting (none for the tuning settings). */
const FLAG_OF: Partial<Record<keyof typeof CONFIG_KEYS, keyof ConnectionFlags>> = {
  baseUrl: "base-url",
  token: "token",
  username: "username",
  password: "password",
};

/** The CLI's wording of the missing-credentials error. */
export const CLI_MISSING_CREDENTIALS =
  "Nexudus credentials are missing: set NEXUDUS_TOKEN (a bearer token), or NEXUDUS_USERNAME and " +
  "NEXUDUS_PASSWORD, in the environment (or pass --token, or --username and --password)";

/**
 * Rewrites a provider configuration message for the command line: `nexudus:token (or
 * NEXUDUS_TOKEN)` becomes `--token (or NEXUDUS_TOKEN)`.
 */
export function cliWording(message: string): string {
  let text = message;
  for (const [setting, { key, env }] of Object.entries(CONFIG_KEYS)) {
    const flag = FLAG_OF[setting as keyof typeof CONFIG_KEYS];
    const replacement = flag ? `--${flag}` : env;
    text = text.split(`${key} (or ${env})`).join(flag ? `${replacement} (or ${env})` : env);
    text = text.split(key).join(replacement);
  }
  return text;
}

/**
 * Reads the settings: each flag overrides its environment variable. When any credential flag is
 * given, the credential variables are ignored, so `--username`/`--password` are not shadowed by a
 * `NEXUDUS_TOKEN` in the environment.
 */
export function cliSettings(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
): ProviderSettings {
  const credentialFlag = [flags.token, flags.username, flags.password].some(
    (v) => v !== undefined && v !== "",
  );
  const effectiveEnv = credentialFlag
    ? {
        ...env,
        [CONFIG_KEYS.token.env]: undefined,
        [CONFIG_KEYS.username.env]: undefined,
        [CONFIG_KEYS.password.env]: undefined,
      }
    : env;
  const byKey = new Map<string, string | undefined>();
  for (const [setting, { key }] of Object.entries(CONFIG_KEYS)) {
    const flag = FLAG_OF[setting as keyof typeof CONFIG_KEYS];
    byKey.set(key, flag ? flags[flag] : undefined);
  }
  let settings: ProviderSettings;
  try {
    settings = resolveSettings((key) => byKey.get(key), effectiveEnv);
  } catch (e) {
    if (e instanceof NexudusProviderConfigError) throw new CliConfigError(cliWording(e.message));
    throw e;
  }
  try {
    requireCredentials(settings);
  } catch (e) {
    if (e instanceof NexudusProviderConfigError) throw new CliConfigError(CLI_MISSING_CREDENTIALS);
    throw e;
  }
  return settings;
}

/** A client for the configured account (tuning from `NEXUDUS_TIME_FACTOR` and friends). */
export function connect(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
): NexudusClient {
  const settings = cliSettings(flags, env);
  return NexudusClient.fromEnv(env, clientOptions(settings));
}
