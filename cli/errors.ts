/**
 * Turns any failure into one line on stderr and an exit code (see {@link EXIT}).
 */
import {
  NexudusApiError,
  NexudusAuthError,
  NexudusConfigError,
  NexudusThrottledError,
} from "../client/errors";
import { NexudusProviderConfigError } from "../config/settings";
import { CliConfigError } from "./connect";
import { errorText, EXIT } from "./io";
import { UsageError } from "./options";

/** The program name, as it prefixes every error line. */
export const PROGRAM = "nexudus-webhooks";

/** What each command needs to do its work, for "lacks the role" messages. */
const COMMAND_ROLES: Record<string, string> = {
  list: "WebHook-List",
  health: "WebHook-List",
  export: "WebHook-List and WebHook-Read",
};

/** Collapses a message to one line. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/** The message and exit code for a failure of `command`. */
export function describeFailure(
  e: unknown,
  command: string | undefined,
): { message: string; code: number } {
  if (e instanceof UsageError) {
    const cmd = e.command ?? command;
    const help = cmd ? `${PROGRAM} ${cmd} --help` : `${PROGRAM} --help`;
    return { message: `${oneLine(e.message)} (see ${help})`, code: EXIT.usage };
  }
  if (e instanceof CliConfigError) return { message: oneLine(e.message), code: EXIT.config };
  if (e instanceof NexudusProviderConfigError) {
    return { message: oneLine(e.message), code: EXIT.config };
  }
  if (e instanceof NexudusConfigError) {
    return { message: `configuration: ${oneLine(e.message)}`, code: EXIT.config };
  }
  if (e instanceof NexudusAuthError) return { message: authMessage(e, command), code: EXIT.api };
  if (e instanceof NexudusThrottledError) {
    return {
      message:
        `Nexudus is throttling this user (HTTP 409 with Retry-After on ${e.method} ${e.path}) and ` +
        `the ${e.attempts} attempts ran out: the API allows 1 request per 100 ms and 120 per ` +
        `minute per user. Wait a minute, make sure no other job uses the same user, and run again ` +
        `(NEXUDUS_MAX_THROTTLE_RETRIES raises the retries after throttling).`,
      code: EXIT.api,
    };
  }
  if (e instanceof NexudusApiError) return { message: oneLine(e.message), code: EXIT.api };
  return { message: `unexpected error: ${oneLine(errorText(e))}`, code: EXIT.api };
}

function authMessage(e: NexudusAuthError, command: string | undefined): string {
  const call = `${e.method} ${e.path}`;
  const status = e.status === undefined ? "" : ` (${e.status})`;
  const api = e.apiMessage ? ` (API: "${e.apiMessage}")` : "";
  if (e.requiredRole === undefined) {
    return (
      `Nexudus refused the credentials${status} at ${call}${api}: the username or password is ` +
      `wrong, or the user may not use the API. Check NEXUDUS_USERNAME and NEXUDUS_PASSWORD ` +
      `(or --username, --password).`
    );
  }
  const needs =
    command && COMMAND_ROLES[command] ? `; \`${command}\` needs ${COMMAND_ROLES[command]}` : "";
  return (
    `Nexudus refused ${call}${status}${api}: the user lacks the ${e.requiredRole} role (or full ` +
    `administrator)${needs}, or the token or password is invalid or expired. Grant the role in ` +
    `Nexudus, or check NEXUDUS_TOKEN (or NEXUDUS_USERNAME and NEXUDUS_PASSWORD).`
  );
}
