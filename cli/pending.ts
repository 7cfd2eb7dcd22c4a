/**
 * `nexudus-webhooks pending`: after a `pulumi up` was killed (SIGKILL, a CI job cancelled hard),
 * the stack's state lists *pending creates*: webhooks whose create was sent but whose answer the
 * engine never recorded. Some reached Nexudus (a record exists that no state holds), some did
 * not. This command reads the state (`pulumi stack export --show-secrets`), looks each pending
 * create up in Nexudus, and prints exactly which record belongs to which resource and the one
 * `pulumi refresh` that records them, so the next `pulumi up` neither duplicates nor orphans one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { sameName, sameUrl } from "../provider/inputs";
import type { WebhookSummary } from "../client/types";
import { connect } from "./connect";
import { fetchWebhooks } from "./fetch";
import { actionLabel, cell, table } from "./format";
import { PENDING_HELP } from "./help";
import { EXIT, Progress, type CliIO } from "./io";
import { CONNECTION_OPTIONS, connectionFlags, parseCommand, UsageError } from "./options";

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  state: { type: "string" },
  since: { type: "string" },
  delete: { type: "boolean" },
  json: { type: "boolean" },
} as const;

const WEBHOOK_TYPE = "pulumi-nodejs:dynamic/nexudus:WebHook";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** What a pending create declared, read from its inputs in the state. */
export interface PendingCreate {
  urn: string;
  businessId: number;
  action: number;
  name: string;
  /** Undefined when the state holds it encrypted (exported without --show-secrets). */
  url?: string;
}

/** The finding for one pending create. */
export interface PendingFinding extends PendingCreate {
  /** `record`: exactly one record matches; `none`: the create never reached Nexudus; `ambiguous`: several do. */
  outcome: "record" | "none" | "ambiguous";
  /** The matching records that no resource of the state holds. */
  ids: number[];
}

/**
 * A finding as printed: the URL is shown by its host only (a webhook URL may carry a password, a
 * path token or a query key, and the report goes to CI logs).
 */
export interface PendingEntry extends Omit<PendingFinding, "url"> {
  /** The host of the declared URL (undefined when the state holds it encrypted). */
  host?: string;
}

/** The report, also the `--json` output. No secret of the state is in it. */
export interface PendingReport {
  pending: PendingEntry[];
  /** The records created by the killed run that no state holds: each one extra after the next up. */
  extra: number[];
  /** Those deleted by this run (`--delete`). */
  deleted: number[];
  /** What to run next, in order. */
  next: string[];
}

class StateFileError extends UsageError {}

function stateError(message: string): never {
  throw new StateFileError(message, "pending");
}

/** A plain value of an exported input: secrets exported with --show-secrets carry `plaintext`. */
function plain(value: unknown): { known: boolean; value: unknown } {
  if (value !== null && typeof value === "object" && SECRET_SIG in value) {
    const text = (value as { plaintext?: unknown }).plaintext;
    if (typeof text !== "string") return { known: false, value: undefined };
    try {
      return { known: true, value: JSON.parse(text) as unknown };
    } catch {
      return { known: true, value: text };
    }
  }
  return { known: true, value };
}

interface ExportedResource {
  urn?: unknown;
  type?: unknown;
  id?: unknown;
  inputs?: Record<string, unknown>;
}

/**
 * The pending creates of WebHooks in an exported state, and the ids the state already holds.
 * Throws naming the field when the document is not a `pulumi stack export`.
 */
export function readPendingCreates(doc: unknown): { pending: PendingCreate[]; held: Set<number> } {
  const deployment = (doc as { deployment?: unknown } | null)?.deployment;
  if (deployment === null || typeof deployment !== "object") {
    stateError("--state is not the output of `pulumi stack export` (no `deployment` object)");
  }
  const d = deployment as { resources?: unknown; pending_operations?: unknown };
  const resources = (Array.isArray(d.resources) ? d.resources : []) as ExportedResource[];
  const ops = (Array.isArray(d.pending_operations) ? d.pending_operations : []) as Array<{
    type?: unknown;
    resource?: ExportedResource;
  }>;
  const held = new Set<number>();
  for (const r of resources) {
    if (r.type === WEBHOOK_TYPE && typeof r.id === "string" && /^\d+$/.test(r.id)) {
      held.add(Number(r.id));
    }
  }
  const pending: PendingCreate[] = [];
  ops.forEach((op, i) => {
    const r = op.resource;
    if (op.type !== "creating" || r?.type !== WEBHOOK_TYPE) return;
    const where = `pending_operations[${i}]`;
    if (typeof r.urn !== "string") stateError(`${where}.resource.urn is missing`);
    const inputs = r.inputs ?? {};
    const num = (key: string): number => {
      const v = plain(inputs[key]).value;
      const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== "number" || !Number.isSafeInteger(n)) {
        stateError(
          `${where}.resource.inputs.${key} must be a whole number; got ${JSON.stringify(v)}`,
        );
      }
      return n;
    };
    const name = plain(inputs.name);
    if (!name.known || typeof name.value !== "string") {
      stateError(
        `${where}.resource.inputs.name is encrypted or missing: export with \`pulumi stack export --show-secrets\``,
      );
    }
    const url = plain(inputs.url);
    const create: PendingCreate = {
      urn: r.urn,
      businessId: num("businessId"),
      action: num("action"),
      name: name.value,
    };
    if (url.known && typeof url.value === "string") create.url = url.value;
    pending.push(create);
  });
  return { pending, held };
}

/** Matches each pending create to the records no resource holds; a record serves one create. */
export function matchPending(
  pending: readonly PendingCreate[],
  held: ReadonlySet<number>,
  rows: readonly WebhookSummary[],
  since?: number,
): PendingFinding[] {
  const claimed = new Set<number>();
  const createdSince = (r: WebhookSummary) => {
    if (since === undefined) return true;
    const t = Date.parse(r.CreatedOn ?? "");
    return Number.isFinite(t) && t >= since;
  };
  const candidates = pending.map((p) =>
    rows
      .filter(
        (r) =>
          !held.has(r.Id) &&
          createdSince(r) &&
          r.BusinessId === p.businessId &&
          r.Action === p.action &&
          // As the provider's own lookups compare them: a Name as a server may store it, a URL
          // whose host may be stored in punycode or another case.
          sameName(r.Name ?? "", p.name) &&
          (p.url === undefined || sameUrl(r.URL ?? "", p.url)),
      )
      .map((r) => r.Id),
  );
  // Unique matches first, so an ambiguous create does not take another's only record.
  const findings: PendingFinding[] = pending.map((p) => ({ ...p, outcome: "none", ids: [] }));
  candidates.forEach((ids, i) => {
    if (ids.length === 1) {
      findings[i] = { ...findings[i]!, outcome: "record", ids };
      claimed.add(ids[0]!);
    }
  });
  candidates.forEach((ids, i) => {
    if (ids.length > 1) {
      const left = ids.filter((id) => !claimed.has(id));
      if (left.length === 1) {
        findings[i] = { ...findings[i]!, outcome: "record", ids: left };
        claimed.add(left[0]!);
      } else if (left.length > 1) {
        findings[i] = { ...findings[i]!, outcome: "ambiguous", ids: left };
      }
    }
  });
  return findings;
}

/**
 * What the user runs after this report. `pulumi refresh --import-pending-creates URN ID` would be
 * the engine's own answer, but with engine v3.274.1 it drops the imported pending creates of
 * dynamic resources (they end up neither in the state nor pending; the next up duplicates them):
 * so the extra records are deleted and the pending creates cleared, and the next `pulumi up`
 * creates each declared webhook once.
 */
export function nextSteps(findings: readonly PendingFinding[], deleted: boolean): string[] {
  if (findings.length === 0) return [];
  const extra = findings.filter((f) => f.outcome === "record");
  const steps: string[] = [];
  if (extra.length > 0 && !deleted) {
    steps.push("nexudus-webhooks pending --state <the same file> --delete");
  }
  steps.push("pulumi refresh --clear-pending-creates --yes", "pulumi up");
  return steps;
}

/** The host of `url`, never its user, password, path or query. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(not a URL)";
  }
}

/** A finding as printed: the URL reduced to its host. */
function entry(f: PendingFinding): PendingEntry {
  const { url, ...rest } = f;
  return url === undefined ? rest : { ...rest, host: hostOf(url) };
}

/**
 * An ISO 8601 date and time with its zone (`2026-12-01T09:30:00Z`, `...+01:00`), or a date
 * (`2026-12-01`, midnight UTC). Free text such as `Dec 6 00:00` is refused: `Date.parse` reads it
 * in the local zone and with a guessed year.
 */
const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

function readState(file: string, io: CliIO): string {
  try {
    return file === "-"
      ? fs.readFileSync(0, "utf8")
      : fs.readFileSync(path.resolve(io.cwd ?? process.cwd(), file), "utf8");
  } catch (e) {
    stateError(`--state ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
}

/** Runs `pending` with the arguments after the command name. */
export async function pendingCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand("pending", argv, OPTIONS);
  if (values.help) {
    io.stdout.write(PENDING_HELP);
    return EXIT.ok;
  }
  if (values.state === undefined) {
    throw new UsageError(
      "pending needs --state FILE (the output of `pulumi stack export --show-secrets`, or - for stdin)",
      "pending",
    );
  }
  let since: number | undefined;
  if (values.since !== undefined) {
    since = ISO_8601.test(values.since.trim()) ? Date.parse(values.since.trim()) : Number.NaN;
    if (!Number.isFinite(since)) {
      throw new UsageError(
        `--since must be an ISO 8601 date and time with its zone (e.g. 2026-12-01T09:30:00Z) or a date (2026-12-01); got ${JSON.stringify(values.since)}`,
        "pending",
      );
    }
  } else if (values.delete) {
    throw new UsageError(
      "pending --delete needs --since TIME (ISO 8601, e.g. when the killed job started: 2026-12-01T09:30:00Z): without it an identical webhook another stack made could be deleted",
      "pending",
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readState(values.state, io));
  } catch (e) {
    if (e instanceof StateFileError) throw e;
    stateError(`--state ${values.state} is not JSON (the output of \`pulumi stack export\`)`);
  }
  const { pending, held } = readPendingCreates(doc);
  let findings: PendingFinding[] = [];
  const deleted: number[] = [];
  if (pending.length > 0) {
    const client = connect(connectionFlags(values), io.env);
    const businessIds = [...new Set(pending.map((p) => p.businessId))];
    const rows = await fetchWebhooks(client, { businessIds }, new Progress(io));
    findings = matchPending(pending, held, rows, since);
    if (values.delete) {
      // Only a record that matches one pending create and no other: never an ambiguous one.
      for (const f of findings) {
        if (f.outcome !== "record") continue;
        await client.delete(f.ids[0]!);
        deleted.push(f.ids[0]!);
      }
    }
  }
  const extra = findings.filter((f) => f.outcome === "record").map((f) => f.ids[0]!);
  const report: PendingReport = {
    pending: findings.map(entry),
    extra,
    deleted,
    next: nextSteps(findings, values.delete === true),
  };
  if (values.json) {
    io.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return EXIT.ok;
  }
  if (findings.length === 0) {
    io.stderr.write("No pending creates of webhooks in this state: nothing to recover.\n");
    return EXIT.ok;
  }
  io.stdout.write(
    table(
      ["RESOURCE", "LOCATION", "ACTION", "NAME", "IN NEXUDUS"],
      findings.map((f) => [
        cell(f.urn.split("::").pop() ?? f.urn),
        String(f.businessId),
        actionLabel(f.action),
        cell(f.name),
        f.outcome === "record"
          ? `record ${f.ids[0]}: extra, in no state${deleted.includes(f.ids[0]!) ? " (deleted)" : ""}`
          : f.outcome === "none"
            ? "not created"
            : `several records: ${f.ids.join(", ")} (not touched: keep the one another stack holds, delete the others)`,
      ]),
    ),
  );
  if (findings.some((f) => f.url === undefined)) {
    io.stderr.write(
      "note: URLs were encrypted in this export, so records were matched on location, action and name only; export with --show-secrets to match URLs too\n",
    );
  }
  io.stderr.write(`\nNext:\n${report.next.map((c) => `  ${c}`).join("\n")}\n`);
  return EXIT.ok;
}
