/**
 * `nexudus-webhooks export`: prints a Pulumi program (TypeScript) declaring a location's existing
 * webhooks with `adopt: true`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { generateProgram } from "./codegen";
import { connect } from "./connect";
import { fetchWebhooks, withDetails } from "./fetch";
import { plural } from "./format";
import { EXPORT_HELP } from "./help";
import { errorText, EXIT, Progress, type CliIO } from "./io";
import {
  CONNECTION_OPTIONS,
  connectionFlags,
  parseBusinessIds,
  parseCommand,
  UsageError,
} from "./options";

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  business: { type: "string", multiple: true },
  set: { type: "boolean" },
  out: { type: "string", short: "o" },
} as const;

/** Checks before any API call that `--out` can be written, so a long export is not wasted. */
function outputPath(out: string, io: CliIO): string {
  if (out.trim() === "") throw new UsageError("--out needs a file name", "export");
  const file = path.resolve(io.cwd ?? process.cwd(), out);
  const dir = path.dirname(file);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory())
    throw new UsageError(`--out ${out} is a directory; give a file name`, "export");
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`--out ${out}: the directory ${dir} does not exist`, "export");
  }
  return file;
}

/** Runs `export` with the arguments after the command name. */
export async function exportCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand("export", argv, OPTIONS);
  if (values.help) {
    io.stdout.write(EXPORT_HELP);
    return EXIT.ok;
  }
  const ids = parseBusinessIds(values.business, "export");
  const businessId = ids[0];
  if (businessId === undefined) throw new UsageError("export needs --business ID", "export");
  if (ids.length > 1) {
    throw new UsageError("export takes one --business (one program per location)", "export");
  }
  const file = values.out === undefined ? undefined : outputPath(values.out, io);

  const client = connect(connectionFlags(values), io.env);
  const progress = new Progress(io);
  const rows = await fetchWebhooks(client, { businessIds: [businessId] }, progress);
  const records = await withDetails(client, rows, progress);
  const program = generateProgram(records, { businessId, set: values.set === true });

  if (file === undefined) {
    io.stdout.write(program.code);
  } else {
    try {
      fs.writeFileSync(file, program.code);
    } catch (e) {
      throw new UsageError(
        `--out ${values.out}: cannot write the file (${errorText(e)})`,
        "export",
      );
    }
  }
  for (const s of program.skipped) {
    io.stderr.write(
      `warning: webhook ${s.id} ${JSON.stringify(s.name)} not exported: ${s.reasons.join("; ")}\n`,
    );
  }
  if (records.length === 0) io.stderr.write(`warning: location ${businessId} has no webhooks\n`);
  const what = values.set ? "one WebhookSet" : "WebHook resources";
  io.stderr.write(
    `Exported ${plural(program.names.length, "webhook")} of location ${businessId} as ${what}` +
      `${file === undefined ? "" : ` to ${file}`}` +
      `${program.skipped.length ? ` (${program.skipped.length} skipped)` : ""}.\n`,
  );
  return EXIT.ok;
}
