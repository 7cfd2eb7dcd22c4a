/**
 * The TypeScript that `export` prints: a Pulumi program declaring a location's existing webhooks
 * with `adopt: true`, so that the first `pulumi up` takes them over without creating or changing
 * anything. Pure: records in, source text out.
 */
import { actionName } from "../client/actions";
import { checkWebhookInputs, declaredInputs } from "../provider/inputs";
import type { WebhookRecord } from "../client/types";
import { cell } from "./format";

/** How to write the program. */
export interface CodegenOptions {
  /** The location exported. */
  businessId: number;
  /** One `WebhookSet` instead of one `WebHook` per record. */
  set: boolean;
}

/** A record left out of the program, and why. */
export interface SkippedWebhook {
  id: number;
  name: string;
  reasons: string[];
}

/** The generated program and what it holds. */
export interface GeneratedProgram {
  /** The TypeScript source. */
  code: string;
  /**
   * In the order written: the `WebHook` resource names (`bookingCreate_87654321`), or with `set`
   * the hooks' keys (the record ids, `"87654321"`), which name the set's children apart.
   */
  names: string[];
  /** Records not written (each would make `pulumi up` fail or adopt the wrong webhook). */
  skipped: SkippedWebhook[];
}

/**
 * The stable identifier of a record: its action name in lowerCamelCase, `_`, its id
 * (`bookingCreate_87654321`). Valid as a TypeScript identifier and a Pulumi logical name, and unique
 * because ids are.
 */
export function identifierFor(record: Pick<WebhookRecord, "Id" | "Action">): string {
  const name = actionName(record.Action);
  const stem = name ? name.charAt(0).toLowerCase() + name.slice(1) : `action${record.Action}`;
  return `${stem}_${record.Id}`;
}

/** The name of the `WebhookSet` of a location. */
export function setIdentifier(businessId: number): string {
  return `location${businessId}`;
}

const str = (s: string) => JSON.stringify(s);

/** The inputs a record is declared with (what `check` will see). */
function declared(record: WebhookRecord) {
  return declaredInputs(record, true);
}

/**
 * Why a record cannot be declared: the provider's own `check` failures (action `None`, a bad URL,
 * a blank name...) and an (action, URL) pair shared with another record of the location, which
 * `adopt` could not tell apart.
 */
function problems(records: readonly WebhookRecord[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (id: number, reason: string) => out.set(id, [...(out.get(id) ?? []), reason]);
  const groups = new Map<string, WebhookRecord[]>();
  for (const r of records) {
    const key = `${r.Action} ${r.URL}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
    for (const f of checkWebhookInputs(declared(r)).failures) add(r.Id, f.reason);
  }
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const ids = group.map((r) => r.Id).join(", ");
    for (const r of group) {
      add(
        r.Id,
        `${group.length} webhooks (ids ${ids}) share this action and URL, so adopt cannot tell ` +
          `them apart; delete all but one in Nexudus and export again`,
      );
    }
  }
  return out;
}

function header(opts: CodegenOptions, skipped: readonly SkippedWebhook[]): string[] {
  const command = `nexudus-webhooks export --business ${opts.businessId}${opts.set ? " --set" : ""}`;
  const lines = [
    `// The webhooks of Nexudus location ${opts.businessId}, written by \`${command}\`.`,
    "// Each is declared with `adopt: true`: the first `pulumi up` takes over the existing webhook",
    "// (same location, action and URL) instead of creating one, and changes nothing while the",
    "// values below match Nexudus. Target URLs often carry credentials: consider moving them to",
    "// secret stack config (`pulumi config set --secret`, then `config.requireSecret`).",
  ];
  if (skipped.length > 0) {
    lines.push("//", "// Not exported (fix them in Nexudus, then export again):");
    for (const s of skipped) {
      lines.push(`// - ${s.id} ${str(cell(s.name))}: ${cell(s.reasons.join("; "))}`);
    }
  }
  lines.push("", 'import * as nexudus from "pulumi-nexudus";', "");
  return lines;
}

/** The fields of one declaration, as `key: value,` lines (without indentation). */
function fields(record: WebhookRecord, withLocation: boolean): string[] {
  const lines: string[] = [];
  if (withLocation) lines.push(`businessId: ${record.BusinessId},`);
  lines.push(`name: ${str(record.Name)},`);
  lines.push(`action: ${str(actionName(record.Action) ?? String(record.Action))},`);
  lines.push(`url: ${str(record.URL)},`);
  if (record.Description) lines.push(`description: ${str(record.Description)},`);
  lines.push(`active: ${record.Active},`);
  return lines;
}

const indent = (n: number, lines: string[]) => lines.map((l) => " ".repeat(n) + l);

/**
 * Writes the program for `records` (the location's webhooks, full records). Records are written
 * in id order; records that cannot be declared are listed in a comment instead.
 */
export function generateProgram(
  records: readonly WebhookRecord[],
  opts: CodegenOptions,
): GeneratedProgram {
  const sorted = [...records].sort((a, b) => a.Id - b.Id);
  const bad = problems(sorted);
  const skipped: SkippedWebhook[] = [];
  const kept: WebhookRecord[] = [];
  for (const r of sorted) {
    const reasons = bad.get(r.Id);
    if (reasons) skipped.push({ id: r.Id, name: r.Name, reasons });
    else kept.push(r);
  }
  const lines = header(opts, skipped);

  if (opts.set) {
    // The key (the record id) names a hook apart from the set's other hooks of its action.
    const names = kept.map((r) => String(r.Id));
    const name = setIdentifier(opts.businessId);
    lines.push(`const ${name} = new nexudus.WebhookSet(${str(name)}, {`);
    lines.push(`  businessId: ${opts.businessId},`);
    lines.push("  adopt: true,");
    lines.push(kept.length === 0 ? "  hooks: []," : "  hooks: [");
    kept.forEach((r, i) => {
      lines.push("    {");
      lines.push(...indent(6, [`key: ${str(names[i]!)},`, ...fields(r, false)]));
      lines.push("    },");
    });
    if (kept.length > 0) lines.push("  ],");
    lines.push("});", "");
    lines.push("/** The Nexudus ids of the hooks, in the order of `hooks`. */");
    lines.push(`export const webhookIds = ${name}.webhookIds;`);
    return { code: lines.join("\n") + "\n", names, skipped };
  }

  const names = kept.map(identifierFor);
  kept.forEach((r, i) => {
    const name = names[i]!;
    lines.push(`const ${name} = new nexudus.WebHook(${str(name)}, {`);
    lines.push(...indent(2, [...fields(r, true), "adopt: true,"]));
    lines.push("});", "");
  });
  lines.push("/** The Nexudus id of each webhook, by resource name. */");
  if (kept.length === 0) {
    lines.push("export const webhookIds = {};");
  } else {
    lines.push("export const webhookIds = {");
    lines.push(...names.map((n) => `  ${n}: ${n}.webhookId,`));
    lines.push("};");
  }
  return { code: lines.join("\n") + "\n", names, skipped };
}
