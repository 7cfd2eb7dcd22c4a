/**
 * Text output: aligned tables, dates, and the JSON shape of a webhook.
 */
import { actionName } from "../client/actions";
import type { WebhookSummary } from "../client/types";

/** One line of a table cell: control characters and runs of white space become one space. */
export function cell(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\s\u0000-\u001f\u007f]+/g, " ").trim();
}

/**
 * An aligned table: a header row and one row per entry, columns separated by two spaces, the
 * last column not padded. Columns listed in `right` are right-aligned.
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly number[] = [],
): string {
  const all = [headers, ...rows].map((r) => r.map(cell));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const lines = all.map((r) =>
    r
      .map((v, i) => {
        const width = widths[i] ?? 0;
        if (right.includes(i)) return v.padStart(width);
        return i === r.length - 1 ? v : v.padEnd(width);
      })
      .join("  ")
      .trimEnd(),
  );
  return lines.join("\n") + "\n";
}

/** `2025-01-15 10:30Z` for an ISO date, the raw text when unparsable, `never` when absent. */
export function shortDate(value: string | null | undefined, absent = "never"): string {
  if (!value) return absent;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return value;
  return new Date(t).toISOString().slice(0, 16).replace("T", " ") + "Z";
}

/** An action's name, or `#N` for a number outside the enum. */
export function actionLabel(action: number): string {
  return actionName(action) ?? `#${action}`;
}

/** A webhook as the commands print it in JSON: stable camelCase keys, nulls for absent values. */
export interface WebhookJson {
  id: number;
  businessId: number;
  action: number;
  actionName: string | null;
  name: string;
  url: string;
  active: boolean;
  errorCount: number;
  lastError: string | null;
  lastTrigger: string | null;
  createdOn: string | null;
  updatedOn: string | null;
}

/** The JSON shape of a search row. */
export function webhookJson(row: WebhookSummary): WebhookJson {
  return {
    id: row.Id,
    businessId: row.BusinessId,
    action: row.Action,
    actionName: actionName(row.Action) ?? null,
    name: row.Name,
    url: row.URL,
    active: row.Active,
    errorCount: row.ErrorCount ?? 0,
    lastError: row.LastError || null,
    lastTrigger: row.LastTrigger || null,
    createdOn: row.CreatedOn || null,
    updatedOn: row.UpdatedOn || null,
  };
}

/** `1 webhook`, `2 webhooks`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
