/**
 * `nexudus-webhooks list`: every webhook, as an aligned table or JSON.
 */
import { connect } from "./connect";
import { fetchWebhooks, type WebhookFilter } from "./fetch";
import { actionLabel, plural, shortDate, table, webhookJson } from "./format";
import { EXIT, Progress, type CliIO } from "./io";
import {
  CONNECTION_OPTIONS,
  connectionFlags,
  parseActionFlag,
  parseBusinessIds,
  parseCommand,
} from "./options";
import { LIST_HELP } from "./help";

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  business: { type: "string", multiple: true },
  action: { type: "string" },
  inactive: { type: "boolean" },
  json: { type: "boolean" },
} as const;

/** The table's columns. */
export const LIST_COLUMNS = [
  "ID",
  "LOCATION",
  "ACTION",
  "NAME",
  "URL",
  "ACTIVE",
  "ERRORS",
  "LAST TRIGGER",
] as const;

/** Runs `list` with the arguments after the command name. */
export async function listCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand("list", argv, OPTIONS);
  if (values.help) {
    io.stdout.write(LIST_HELP);
    return EXIT.ok;
  }
  const filter: WebhookFilter = { businessIds: parseBusinessIds(values.business, "list") };
  if (values.action !== undefined) filter.action = parseActionFlag(values.action, "list");
  if (values.inactive) filter.active = false;

  const client = connect(connectionFlags(values), io.env);
  const rows = await fetchWebhooks(client, filter, new Progress(io));

  if (values.json) {
    io.stdout.write(JSON.stringify(rows.map(webhookJson), null, 2) + "\n");
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.stderr.write("No webhooks match.\n");
    return EXIT.ok;
  }
  io.stdout.write(
    table(
      LIST_COLUMNS,
      rows.map((r) => [
        String(r.Id),
        String(r.BusinessId),
        actionLabel(r.Action),
        r.Name,
        r.URL,
        r.Active ? "yes" : "no",
        String(r.ErrorCount ?? 0),
        shortDate(r.LastTrigger),
      ]),
      [0, 1, 6],
    ),
  );
  const locations = new Set(rows.map((r) => r.BusinessId)).size;
  io.stderr.write(`${plural(rows.length, "webhook")} in ${plural(locations, "location")}\n`);
  return EXIT.ok;
}
