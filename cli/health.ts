/**
 * `nexudus-webhooks health`: flags webhooks that are disabled, failing or silent, with a summary
 * line per location; exits 1 when any is flagged so a pipeline can gate on it.
 */
import type { WebhookSummary } from "../client/types";
import { canonicalUrl } from "../provider/inputs";
import { connect } from "./connect";
import { fetchWebhooks } from "./fetch";
import {
  actionLabel,
  cell,
  plural,
  shortDate,
  table,
  webhookJson,
  type WebhookJson,
} from "./format";
import { HEALTH_HELP } from "./help";
import { EXIT, Progress, type CliIO } from "./io";
import {
  CONNECTION_OPTIONS,
  connectionFlags,
  parseBusinessIds,
  parseCommand,
  parsePositiveNumber,
  parseWholeNumber,
} from "./options";

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  business: { type: "string", multiple: true },
  "max-errors": { type: "string" },
  stale: { type: "string" },
  json: { type: "boolean" },
} as const;

const DAY_MS = 86_400_000;

/** The rules a webhook is checked against. */
export interface HealthRules {
  /** A webhook with more consecutive delivery errors than this is failing (default 0). */
  maxErrors: number;
  /** A webhook that has not fired for longer than this many days is silent (off when undefined). */
  staleDays?: number;
}

/** Which rule a webhook broke. */
export type HealthRule = "disabled" | "failing" | "silent" | "duplicate";

/** One broken rule, with a sentence for people. */
export interface HealthProblem {
  rule: HealthRule;
  message: string;
}

/** The health of one location. */
export interface LocationHealth {
  businessId: number;
  webhooks: number;
  flagged: number;
  disabled: number;
  failing: number;
  silent: number;
  /** Webhooks sharing their action and URL with another at the location (events go out twice). */
  duplicate: number;
}

/** The outcome of a check. */
export interface HealthReport {
  flagged: { row: WebhookSummary; problems: HealthProblem[] }[];
  locations: LocationHealth[];
  total: number;
}

/** `59 days`, `1 day`, `2.5 days` (one decimal below ten days). */
function days(ms: number): string {
  const d = ms / DAY_MS;
  const value = d >= 10 ? Math.floor(d) : Number(d.toFixed(1));
  return `${value} day${value === 1 ? "" : "s"}`;
}

/** The problems of one webhook under `rules` at time `now` (ms). */
export function problemsOf(row: WebhookSummary, rules: HealthRules, now: number): HealthProblem[] {
  const problems: HealthProblem[] = [];
  if (!row.Active) problems.push({ rule: "disabled", message: "disabled (Active is false)" });
  const errors = row.ErrorCount ?? 0;
  if (errors > rules.maxErrors) {
    const last = row.LastError ? `, last error: ${cell(row.LastError)}` : "";
    problems.push({
      rule: "failing",
      message: `failing: ${plural(errors, "consecutive error")} (more than ${rules.maxErrors})${last}`,
    });
  }
  if (rules.staleDays !== undefined) {
    const limit = rules.staleDays * DAY_MS;
    const lastTrigger = row.LastTrigger ? Date.parse(row.LastTrigger) : NaN;
    const created = row.CreatedOn ? Date.parse(row.CreatedOn) : NaN;
    if (!Number.isNaN(lastTrigger)) {
      if (now - lastTrigger > limit) {
        problems.push({
          rule: "silent",
          message: `silent for ${days(now - lastTrigger)} (last trigger ${shortDate(row.LastTrigger)})`,
        });
      }
    } else if (Number.isNaN(created)) {
      problems.push({ rule: "silent", message: "has never fired (creation date unknown)" });
    } else if (now - created > limit) {
      problems.push({
        rule: "silent",
        message: `has never fired since it was created ${days(now - created)} ago`,
      });
    }
  }
  return problems;
}

/**
 * The duplicate problem of each webhook that shares its location, action and URL with another
 * (every event is then delivered once per copy), by id; the URL is compared as a server may
 * store it (see `canonicalUrl`) and never quoted.
 */
export function duplicatesOf(rows: readonly WebhookSummary[]): Map<number, HealthProblem> {
  const groups = new Map<string, WebhookSummary[]>();
  for (const row of rows) {
    if (!row.URL) continue;
    const key = JSON.stringify([row.BusinessId, row.Action, canonicalUrl(row.URL)]);
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  const out = new Map<number, HealthProblem>();
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const ids = group.map((r) => r.Id).sort((a, b) => a - b);
    for (const row of group) {
      out.set(row.Id, {
        rule: "duplicate",
        message:
          `duplicate: ${group.length} webhooks at location ${row.BusinessId} with action ` +
          `${actionLabel(row.Action)} and the same URL (ids ${ids.join(", ")}): every event is ` +
          `delivered ${group.length} times; delete all but one`,
      });
    }
  }
  return out;
}

/**
 * Checks every row. `businessIds` lists locations asked for explicitly, so that one without
 * webhooks still gets its summary line.
 */
export function assess(
  rows: readonly WebhookSummary[],
  rules: HealthRules,
  now: number,
  businessIds: readonly number[] = [],
): HealthReport {
  const locations = new Map<number, LocationHealth>();
  const location = (businessId: number) => {
    let l = locations.get(businessId);
    if (!l) {
      l = {
        businessId,
        webhooks: 0,
        flagged: 0,
        disabled: 0,
        failing: 0,
        silent: 0,
        duplicate: 0,
      };
      locations.set(businessId, l);
    }
    return l;
  };
  for (const id of businessIds) location(id);
  const flagged: HealthReport["flagged"] = [];
  const duplicates = duplicatesOf(rows);
  for (const row of rows) {
    const l = location(row.BusinessId);
    l.webhooks++;
    const problems = problemsOf(row, rules, now);
    const duplicate = duplicates.get(row.Id);
    if (duplicate) problems.push(duplicate);
    if (problems.length === 0) continue;
    flagged.push({ row, problems });
    l.flagged++;
    for (const p of problems) l[p.rule]++;
  }
  return {
    flagged,
    locations: [...locations.values()].sort((a, b) => a.businessId - b.businessId),
    total: rows.length,
  };
}

/** The per-location summary line. */
export function summaryLine(l: LocationHealth): string {
  if (l.webhooks === 0) return `location ${l.businessId}: no webhooks`;
  if (l.flagged === 0)
    return `location ${l.businessId}: ${plural(l.webhooks, "webhook")}, all healthy`;
  return (
    `location ${l.businessId}: ${plural(l.webhooks, "webhook")}, ${l.flagged} flagged ` +
    `(${l.disabled} disabled, ${l.failing} failing, ${l.silent} silent` +
    `${l.duplicate > 0 ? `, ${l.duplicate} duplicated` : ""})`
  );
}

/** The JSON document `health --json` prints. */
export interface HealthJson {
  healthy: boolean;
  checkedAt: string;
  rules: { maxErrors: number; staleDays: number | null };
  total: number;
  flaggedCount: number;
  locations: LocationHealth[];
  flagged: (WebhookJson & { problems: HealthProblem[] })[];
}

/** Runs `health` with the arguments after the command name. */
export async function healthCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand("health", argv, OPTIONS);
  if (values.help) {
    io.stdout.write(HEALTH_HELP);
    return EXIT.ok;
  }
  const businessIds = parseBusinessIds(values.business, "health");
  const rules: HealthRules = { maxErrors: 0 };
  if (values["max-errors"] !== undefined) {
    rules.maxErrors = parseWholeNumber("--max-errors", values["max-errors"], 0, "health");
  }
  if (values.stale !== undefined)
    rules.staleDays = parsePositiveNumber("--stale", values.stale, "health");

  const client = connect(connectionFlags(values), io.env);
  const rows = await fetchWebhooks(client, { businessIds }, new Progress(io));
  const now = (io.now ?? Date.now)();
  const report = assess(rows, rules, now, businessIds);
  const code = report.flagged.length > 0 ? EXIT.flagged : EXIT.ok;

  if (values.json) {
    const doc: HealthJson = {
      healthy: report.flagged.length === 0,
      checkedAt: new Date(now).toISOString(),
      rules: { maxErrors: rules.maxErrors, staleDays: rules.staleDays ?? null },
      total: report.total,
      flaggedCount: report.flagged.length,
      locations: report.locations,
      flagged: report.flagged.map((f) => ({ ...webhookJson(f.row), problems: f.problems })),
    };
    io.stdout.write(JSON.stringify(doc, null, 2) + "\n");
    return code;
  }

  if (report.flagged.length > 0) {
    io.stdout.write(
      table(
        ["ID", "LOCATION", "ACTION", "NAME", "PROBLEMS"],
        report.flagged.map(({ row, problems }) => [
          String(row.Id),
          String(row.BusinessId),
          actionLabel(row.Action),
          row.Name,
          problems.map((p) => p.message).join("; "),
        ]),
        [0, 1],
      ),
    );
  }
  // The flagged table is the data (stdout); the summaries are for a person (stderr), as in every
  // command (docs/cli.md).
  for (const l of report.locations) io.stderr.write(summaryLine(l) + "\n");
  io.stderr.write(
    report.flagged.length > 0
      ? `${report.flagged.length} of ${plural(report.total, "webhook")} flagged\n`
      : report.total === 0
        ? "No webhooks found.\n"
        : `No webhook flagged (${plural(report.total, "webhook")} checked).\n`,
  );
  return code;
}
