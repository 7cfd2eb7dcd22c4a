/**
 * `--help` texts.
 */

const CONNECTION = `Connection (flags override the environment):
  --base-url URL       API address (NEXUDUS_BASE_URL; default https://spaces.nexudus.com)
  --token TOKEN        bearer token (NEXUDUS_TOKEN)
  --username EMAIL     user for the password grant (NEXUDUS_USERNAME)
  --password PASSWORD  its password (NEXUDUS_PASSWORD)
  Prefer the environment variables for the token and password: flags show up in the process
  list and in shell history. A credential flag makes the CLI ignore all credential variables.
  NEXUDUS_TIMEOUT_MS, NEXUDUS_MAX_RETRIES and NEXUDUS_MAX_THROTTLE_RETRIES tune the client;
  NEXUDUS_CALL_HISTORY (a folder, or off) shares the call budget between commands.`;

const EXIT_CODES = `Exit codes:
  0  success (health: nothing flagged)
  1  health flagged at least one webhook
  2  bad command line (unknown command or flag, bad value)
  3  configuration: missing or invalid credentials or base URL
  4  the API failed: credential or role refused, throttled, network or server error`;

/** `nexudus-webhooks --help`. */
export const MAIN_HELP = `Usage: nexudus-webhooks <command> [flags]

Inspect the webhooks of a Nexudus account and bring hand-made ones under Pulumi.

Commands:
  list     every webhook, as a table or JSON
  health   flag disabled, failing, silent or duplicate webhooks; exits 1 when any is flagged
  export   print a Pulumi program (TypeScript) that adopts a location's webhooks
  pending  after a killed pulumi up: which pending creates reached Nexudus, and the refresh
           that records them

Run \`nexudus-webhooks <command> --help\` for a command's flags; \`nexudus-webhooks --version\`
(or -v) prints the package version.

Output: data (tables, JSON, generated code, the pending report) goes to stdout; summaries,
warnings, progress and errors go to stderr, so \`> file\` and \`| jq\` get only the data.

${CONNECTION}

${EXIT_CODES}
`;

/** `nexudus-webhooks list --help`. */
export const LIST_HELP = `Usage: nexudus-webhooks list [--business ID ...] [--action NAME] [--inactive] [--json]

Lists every webhook the user can see, paging through the search endpoint (1,000 a page), as an
aligned table (id, location, action, name, URL, active, errors, last trigger) or as JSON. A
progress line is drawn on stderr while pages load when stderr is a terminal.

Flags:
  --business ID    only this location; repeat it or give a comma-separated list for several
  --action NAME    only this action, by name (BookingCreate) or number (6)
  --inactive       only disabled webhooks (Active is false)
  --json           print a JSON array instead of the table
  -h, --help       show this help

Needs the WebHook-List role (or full administrator).

Examples:
  nexudus-webhooks list
  nexudus-webhooks list --business 1234 --action BookingCreate
  nexudus-webhooks list --inactive --json | jq '.[].id'

${CONNECTION}

${EXIT_CODES}
`;

/** `nexudus-webhooks health --help`. */
export const HEALTH_HELP = `Usage: nexudus-webhooks health [--business ID ...] [--max-errors N] [--stale DAYS] [--json]

Checks every webhook and flags the ones that are
  disabled  Active is false (Nexudus disables a webhook after 10 failed deliveries in a row);
  failing   ErrorCount is over N (default 0), shown with LastError;
  silent    with --stale: no successful delivery (LastTrigger) for more than DAYS days, or never
            fired since it was created more than DAYS days ago;
  duplicate two or more webhooks at one location with the same action and URL (every event is
            delivered once per copy), with their ids.
Prints the flagged webhooks, then a summary line per location. Exits 1 when any webhook is
flagged, so a pipeline can gate on it.

Flags:
  --business ID     only this location; repeat it or give a comma-separated list for several
  --max-errors N    tolerate up to N consecutive delivery errors (default 0)
  --stale DAYS      flag webhooks silent for more than DAYS days (fractions allowed; off by default)
  --json            print a JSON report instead of text
  -h, --help        show this help

Needs the WebHook-List role (or full administrator).

Examples:
  nexudus-webhooks health --business 1234 --max-errors 3 --stale 14
  nexudus-webhooks health --json > health.json || echo "webhooks need attention"

${CONNECTION}

${EXIT_CODES}
`;

/** `nexudus-webhooks export --help`. */
export const EXPORT_HELP = `Usage: nexudus-webhooks export --business ID [--set] [--out FILE]

Prints a Pulumi program (TypeScript) declaring the existing webhooks of one location, each with
\`adopt: true\`: the first \`pulumi up\` takes them over (matching location, action and URL) with no
change and no duplicate. \`pulumi import\` does not work for dynamic resources; this does.

Resource names are stable identifiers made of the action and the id, e.g. bookingCreate_87654321.
Descriptions are read with one GET per webhook (search results do not carry them). Webhooks that
cannot be adopted (action None, an invalid URL or name, or several webhooks sharing one action and
URL) are left out, listed in a comment and in a warning on stderr.

Flags:
  --business ID   the location to export (required, exactly one)
  --set           declare one WebhookSet holding every webhook instead of one WebHook each
  -o, --out FILE  write the program to FILE instead of stdout
  -h, --help      show this help

Needs the WebHook-List and WebHook-Read roles (or full administrator).

Examples:
  nexudus-webhooks export --business 1234 --out index.ts
  nexudus-webhooks export --business 1234 --set > webhooks.ts

${CONNECTION}

${EXIT_CODES}
`;

/** `nexudus-webhooks pending --help`. */
export const PENDING_HELP = `Usage: nexudus-webhooks pending --state FILE [--since TIME] [--delete] [--json]

After \`pulumi up\` was killed (SIGKILL; a CI job cancelled hard), the state lists pending
creates: webhooks whose create was started but whose answer the engine never recorded. Some
reached Nexudus: a record that no state holds, which the next \`pulumi up\` would create a second
time. This command reads the state, looks each pending create up in Nexudus (same location,
action, name and URL, held by no resource of the state) and names the extra record of each.
With --delete it deletes exactly those (never a record that two pending creates could claim),
so that after \`pulumi refresh --clear-pending-creates\` the next \`pulumi up\` creates each
declared webhook once.

Flags:
  --state FILE    the output of \`pulumi stack export --show-secrets\` (- reads stdin)
  --since TIME    only records created at or after TIME (ISO 8601 with its zone, e.g.
                  2026-12-01T09:30:00Z, or a date), e.g. when the killed job started: an
                  identical webhook that another stack made before is never named; required
                  with --delete
  --delete        delete the extra records it names
  --json          print {pending, extra, deleted, next} instead of text (URLs by host only)
  -h, --help      show this help

Needs the WebHook-List role (and WebHook-Delete for --delete), or full administrator.

Example:
  pulumi cancel --yes                      # the killed run left its lock
  pulumi stack export --show-secrets > state.json
  nexudus-webhooks pending --state state.json --since 2026-12-01T09:30:00Z --delete
  pulumi refresh --clear-pending-creates --yes
  pulumi up

${CONNECTION}

${EXIT_CODES}
`;
