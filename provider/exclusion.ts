/**
 * The `WebhookSetExclusion` dynamic provider: what makes a `WebhookSet` with `exclusive: true`
 * authoritative for its location. The serialized `__provider` in state is a thin shim (see
 * `sdk/exclusion.ts`) that loads this module by name and forwards each call here.
 *
 * Unlike the WebHook provider, `check` calls the API: it lists the location and writes the
 * webhooks that will be deleted into the inputs (`unmanaged`), so that `pulumi preview` shows
 * them as a changed property of this resource. `create`/`update` delete exactly that list;
 * `read` (refresh) recomputes it; `delete` deletes nothing (dropping exclusivity is harmless).
 *
 * ## Which records are kept (the managed-record rule)
 * A webhook at the location (`BusinessId === businessId`) is KEPT when any of these holds,
 * and is UNMANAGED (deleted by the next `up`) otherwise:
 * 1. its Id is in `memberIds` (the set's own WebHooks) or in `keepIds` (other sets' WebHooks at
 *    the location and ids the user listed);
 * 2. its Id was in the previously stored `memberIds` (same location): a hook that just left the
 *    set is deleted by its own WebHook resource, not listed twice;
 * 3. its Name is one of `keepNamePrefixes`, or starts with one followed by a space
 *    (`"<prefix> "`: the Names other WebhookSets give their hooks);
 * 4. only while some ids are not known yet (a preview with new hooks): its Id was in the
 *    previously stored `keepIds`, or its (Action, URL) matches an `adoptable` entry (a hook
 *    declared with `adopt` that will take that record over).
 * `keepIds` holds the ids of the program's other WebHooks at the location (other sets' hooks and
 * standalone WebHooks); `alsoKeepIds` the ids the user listed, known even while those are not.
 * When the location or the prefixes are not known yet (preview), or some ids are not known while
 * the adoptable hooks are not known either, `unmanaged` is unknown: a preview never lists a
 * record that a hook will adopt or that an id will keep.
 *
 * URLs are never listed (they are often credentials): an unmanaged record is shown by id, Name
 * and action name. Adoptable hooks are matched by a SHA-256 of their URL, never the URL itself.
 *
 * @module
 */
import { errorMessage, NexudusError } from "../client/errors";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { actionName } from "../client/actions";
import { NexudusNotFoundError } from "../client/errors";
import {
  businessIdProblem,
  describeValue as describe,
  PROVIDER_KEY,
  UNKNOWN,
  urlSha256,
  type CheckFailure,
} from "./inputs";
import { configure, getClient, type ConfigGetter } from "./runtime";
import type { WebhookSummary } from "../client/types";

/** A webhook an exclusive set deletes (or deleted): never its URL, which may be a credential. */
export interface UnmanagedWebhook {
  /** The Nexudus record id. */
  id: number;
  /** Its display Name. */
  name: string;
  /** Its action name (e.g. `"BookingCreate"`), or the number as a string if not in the enum. */
  action: string;
}

/** A hook declared with `adopt: true`: the record it would take over (action + URL digest). */
export interface AdoptableWebhook {
  /** The action number. */
  action: number;
  /** Lower-case hex SHA-256 of the exact URL (see {@link urlSha256}). */
  urlSha256: string;
}

/** A list input: the whole list, or some elements, may be unknown in a preview. */
type MaybeUnknownList<T> = Array<T | typeof UNKNOWN> | typeof UNKNOWN;

/** Inputs of a WebhookSetExclusion after `check`. */
export interface ExclusionInputs {
  businessId: number | typeof UNKNOWN;
  memberIds: MaybeUnknownList<number>;
  keepIds: MaybeUnknownList<number>;
  alsoKeepIds: MaybeUnknownList<number>;
  keepNamePrefixes: MaybeUnknownList<string>;
  adoptable: MaybeUnknownList<AdoptableWebhook>;
  /** Computed by `check`: what the next `create`/`update` deletes. */
  unmanaged: UnmanagedWebhook[] | typeof UNKNOWN;
}

/**
 * Outputs of a WebhookSetExclusion, as stored in state. A type alias (not an interface) so that
 * it is a property map, as the dynamic provider contract hands it around.
 */
export type ExclusionOutputs = {
  businessId: number;
  memberIds: number[];
  keepIds: number[];
  alsoKeepIds: number[];
  keepNamePrefixes: string[];
  adoptable: AdoptableWebhook[];
  /** Unmanaged webhooks left at the location: [] after an update, recomputed by refresh. */
  unmanaged: UnmanagedWebhook[];
  /** What the last create/update deleted (a record already gone counts as deleted). */
  deleted: UnmanagedWebhook[];
};

/** The inputs a user may give; `unmanaged` is computed by `check` (a given value is ignored). */
export const EXCLUSION_INPUT_KEYS = [
  "businessId",
  "memberIds",
  "keepIds",
  "alsoKeepIds",
  "keepNamePrefixes",
  "adoptable",
  "unmanaged",
] as const;

/** A check or create/update failure of the exclusion. */
export class WebhookSetExclusionError extends NexudusError {
  override readonly name = "WebhookSetExclusionError";
}

/** The digest that {@link AdoptableWebhook.urlSha256} holds (lower-case hex SHA-256 of the URL). */
export { urlSha256 };

function isId(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0;
}

/**
 * Validates a list input: absent = [], UNKNOWN kept, elements either valid or UNKNOWN.
 * Returns the normalised list (known values sorted/deduplicated by `key`) or pushes failures.
 */
function checkList<T>(
  value: unknown,
  property: string,
  valid: (v: unknown) => v is T,
  rule: readonly [list: string, element: string],
  failures: CheckFailure[],
  key: (v: T) => string,
): MaybeUnknownList<T> {
  if (value === undefined || value === null) return [];
  if (value === UNKNOWN) return UNKNOWN;
  if (!Array.isArray(value)) {
    failures.push({
      property,
      reason: `${property} must be a list of ${rule[0]}; got ${describe(value)}`,
    });
    return [];
  }
  const known = new Map<string, T>();
  let unknown = false;
  value.forEach((v: unknown, i) => {
    if (v === UNKNOWN) unknown = true;
    else if (valid(v)) known.set(key(v), v);
    else
      failures.push({
        property,
        reason: `${property}[${i}] must be ${rule[1]}; got ${describe(v)}`,
      });
  });
  const sorted = [...known.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, v]) => v);
  return unknown ? [...sorted, UNKNOWN] : sorted;
}

const idKey = (n: number) => String(n).padStart(16, "0");
const ID_RULE = ["positive integer webhook ids", "a positive integer webhook id"] as const;

function isPrefix(v: unknown): v is string {
  return typeof v === "string" && v.trim().length > 0;
}

function isAdoptable(v: unknown): v is AdoptableWebhook {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.action === "number" &&
    Number.isInteger(o.action) &&
    typeof o.urlSha256 === "string" &&
    /^[0-9a-f]{64}$/.test(o.urlSha256)
  );
}

/**
 * Validates and normalises the inputs (lists sorted and deduplicated, so that reordering is no
 * change). Does not compute `unmanaged` (that needs the API): it is left unknown here.
 */
export function checkExclusionInputs(news: Record<string, unknown>): {
  inputs: ExclusionInputs;
  failures: CheckFailure[];
} {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(news)) {
    if (key === PROVIDER_KEY) continue;
    if (!(EXCLUSION_INPUT_KEYS as readonly string[]).includes(key)) {
      failures.push({
        property: key,
        reason: `unknown argument ${JSON.stringify(key)}; a WebhookSetExclusion takes ${EXCLUSION_INPUT_KEYS.slice(0, -1).join(", ")}`,
      });
    }
  }
  let businessId: number | typeof UNKNOWN = UNKNOWN;
  if (news.businessId !== UNKNOWN) {
    const problem = businessIdProblem(news.businessId);
    if (problem) failures.push({ property: "businessId", reason: problem });
    else businessId = news.businessId as number;
  }
  const inputs: ExclusionInputs = {
    businessId,
    memberIds: checkList(news.memberIds, "memberIds", isId, ID_RULE, failures, idKey),
    keepIds: checkList(news.keepIds, "keepIds", isId, ID_RULE, failures, idKey),
    alsoKeepIds: checkList(news.alsoKeepIds, "alsoKeepIds", isId, ID_RULE, failures, idKey),
    keepNamePrefixes: checkList(
      news.keepNamePrefixes,
      "keepNamePrefixes",
      isPrefix,
      ["non-empty strings", "a non-empty string"],
      failures,
      (s) => s,
    ),
    adoptable: checkList(
      news.adoptable,
      "adoptable",
      isAdoptable,
      [
        "{action, urlSha256} objects",
        "{action: an action number, urlSha256: 64 lower-case hex digits}",
      ],
      failures,
      (a) => `${a.action}:${a.urlSha256}`,
    ),
    unmanaged: UNKNOWN,
  };
  return { inputs, failures };
}

function known<T>(list: unknown): T[] {
  return Array.isArray(list) ? (list.filter((v) => v !== UNKNOWN) as T[]) : [];
}
function hasUnknown(list: unknown): boolean {
  return list === UNKNOWN || (Array.isArray(list) && list.includes(UNKNOWN));
}

/** The rule that decides which records are kept, resolved from the new and previous inputs. */
export interface KeepRule {
  businessId: number;
  ids: ReadonlySet<number>;
  namePrefixes: readonly string[];
  /** `${action}:${urlSha256}` of hooks that will adopt a record (only while ids are unknown). */
  adoptable: ReadonlySet<string>;
}

/**
 * Resolves the managed-record rule (see the module documentation) from the checked new inputs
 * and the previously stored ones (`{}` for a new exclusion). Undefined when it cannot be told
 * yet: the location or the name prefixes are unknown.
 */
export function keepRule(
  news: ExclusionInputs,
  olds: Record<string, unknown>,
): KeepRule | undefined {
  if (news.businessId === UNKNOWN || hasUnknown(news.keepNamePrefixes)) return undefined;
  const sameLocation = olds.businessId === news.businessId;
  const ids = new Set<number>([
    ...known<number>(news.memberIds),
    ...known<number>(news.keepIds),
    ...known<number>(news.alsoKeepIds),
  ]);
  if (sameLocation) for (const id of known<unknown>(olds.memberIds)) if (isId(id)) ids.add(id);
  const idsPending =
    hasUnknown(news.memberIds) || hasUnknown(news.keepIds) || hasUnknown(news.alsoKeepIds);
  // Ids to come and hooks that will adopt, unknown: which records stay cannot be told yet.
  if (idsPending && hasUnknown(news.adoptable)) return undefined;
  if (idsPending && sameLocation) {
    for (const id of known<unknown>(olds.keepIds)) if (isId(id)) ids.add(id);
    for (const id of known<unknown>(olds.alsoKeepIds)) if (isId(id)) ids.add(id);
  }
  const adoptable = new Set<string>(
    idsPending
      ? known<AdoptableWebhook>(news.adoptable).map((a) => `${a.action}:${a.urlSha256}`)
      : [],
  );
  return {
    businessId: news.businessId,
    ids,
    namePrefixes: known<string>(news.keepNamePrefixes),
    adoptable,
  };
}

/** Whether a record is kept under `rule` (records of other locations are never touched). */
export function isKept(record: WebhookSummary, rule: KeepRule): boolean {
  if (record.BusinessId !== rule.businessId) return true;
  if (rule.ids.has(record.Id)) return true;
  const name = record.Name ?? "";
  if (rule.namePrefixes.some((p) => name === p || name.startsWith(`${p} `))) return true;
  return rule.adoptable.size > 0 && rule.adoptable.has(`${record.Action}:${urlSha256(record.URL)}`);
}

/** The records of `rule.businessId` that are not kept, by id. */
export function unmanagedRecords(
  records: Iterable<WebhookSummary>,
  rule: KeepRule,
): UnmanagedWebhook[] {
  const out: UnmanagedWebhook[] = [];
  for (const r of records) {
    if (isKept(r, rule)) continue;
    out.push({ id: r.Id, name: r.Name ?? "", action: actionName(r.Action) ?? String(r.Action) });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** Lists the location through the API and applies the rule. */
async function listUnmanaged(rule: KeepRule): Promise<UnmanagedWebhook[]> {
  let rows: WebhookSummary[];
  try {
    // Read to the end (bounded, counted against TotalItems) before anything is decided.
    rows = (await getClient().searchAll({ businessId: rule.businessId })).filter(
      (row) => row.BusinessId === rule.businessId,
    );
  } catch (e) {
    throw new WebhookSetExclusionError(
      `WebhookSetExclusion: could not list the webhooks at location ${rule.businessId} to find ` +
        `those outside the set: ${errorMessage(e)}`,
    );
  }
  return unmanagedRecords(rows, rule);
}

/** Re-validates inputs handed to create/update (the engine passes the checked ones). */
function validInputs(news: Record<string, unknown>): ExclusionInputs & { businessId: number } {
  const { inputs, failures } = checkExclusionInputs(news);
  if (failures.length > 0) {
    throw new WebhookSetExclusionError(
      `invalid WebhookSetExclusion inputs: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
    );
  }
  if (inputs.businessId === UNKNOWN) {
    throw new WebhookSetExclusionError("WebhookSetExclusion: businessId is not known");
  }
  const listed = news.unmanaged;
  if (!Array.isArray(listed)) {
    throw new WebhookSetExclusionError(
      "WebhookSetExclusion: the list of webhooks to delete was not computed (check did not run?); " +
        "nothing was deleted",
    );
  }
  return { ...inputs, businessId: inputs.businessId, unmanaged: listed as UnmanagedWebhook[] };
}

/** Deletes each listed record (404 = already gone); fails naming what was and was not deleted. */
async function deleteListed(
  businessId: number,
  listed: UnmanagedWebhook[],
): Promise<UnmanagedWebhook[]> {
  const client = getClient();
  const deleted: UnmanagedWebhook[] = [];
  const failed: string[] = [];
  for (const w of listed) {
    try {
      await client.delete(w.id);
      deleted.push(w);
    } catch (e) {
      if (e instanceof NexudusNotFoundError) deleted.push(w);
      else failed.push(`${w.id} (${JSON.stringify(w.name)}): ${errorMessage(e)}`);
    }
  }
  if (failed.length > 0) {
    throw new WebhookSetExclusionError(
      `WebhookSetExclusion at location ${businessId}: could not delete ${failed.length} of ` +
        `${listed.length} webhooks outside the set: ${failed.join("; ")}` +
        (deleted.length > 0 ? `; deleted ${deleted.map((w) => w.id).join(", ")}` : "") +
        `. Run the update again.`,
    );
  }
  return deleted;
}

function outputsOf(
  inputs: ExclusionInputs & { businessId: number },
  deleted: UnmanagedWebhook[],
): ExclusionOutputs {
  return {
    businessId: inputs.businessId,
    memberIds: known<number>(inputs.memberIds),
    keepIds: known<number>(inputs.keepIds),
    alsoKeepIds: known<number>(inputs.alsoKeepIds),
    keepNamePrefixes: known<string>(inputs.keepNamePrefixes),
    adoptable: known<AdoptableWebhook>(inputs.adoptable),
    unmanaged: [],
    deleted,
  };
}

function sameList(a: unknown, b: unknown): boolean {
  if (hasUnknown(a) || hasUnknown(b)) return false;
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

/**
 * The WebhookSetExclusion provider: the methods the engine calls, through the shim in state. Its
 * inputs are the raw property map the engine sends (validated by `check` and again by the writes).
 */
export const exclusionProvider = {
  async configure(req: { config: ConfigGetter }): Promise<void> {
    configure(req.config);
  },

  /**
   * Validates the inputs, then lists the location and returns the webhooks to delete as the
   * input `unmanaged` (unknown when the location or the prefixes are not known yet).
   */
  async check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.CheckResult> {
    const { inputs, failures } = checkExclusionInputs(news);
    if (failures.length === 0) {
      const rule = keepRule(inputs, olds ?? {});
      if (rule) inputs.unmanaged = await listUnmanaged(rule);
    }
    const result: Record<string, unknown> = { ...inputs };
    if (PROVIDER_KEY in news) result[PROVIDER_KEY] = news[PROVIDER_KEY];
    return { inputs: result, failures };
  },

  /**
   * A change when there is something to delete (or it cannot be told yet), or when an input
   * changed (so that the stored inputs stay current). Never a replacement.
   */
  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.DiffResult> {
    const changed: string[] = [];
    if (news.businessId === UNKNOWN || olds.businessId !== news.businessId)
      changed.push("businessId");
    for (const key of [
      "memberIds",
      "keepIds",
      "alsoKeepIds",
      "keepNamePrefixes",
      "adoptable",
    ] as const) {
      if (!sameList(olds[key], news[key])) changed.push(key);
    }
    if (
      news.unmanaged === UNKNOWN ||
      (Array.isArray(news.unmanaged) && news.unmanaged.length > 0)
    ) {
      changed.push("unmanaged");
    }
    return { changes: changed.length > 0, replaces: [], deleteBeforeReplace: false };
  },

  /** Deletes the webhooks `check` listed. The id is `exclusive-<businessId>`. */
  async create(news: Record<string, unknown>): Promise<dynamic.CreateResult<ExclusionOutputs>> {
    const inputs = validInputs(news);
    const deleted = await deleteListed(inputs.businessId, inputs.unmanaged as UnmanagedWebhook[]);
    return { id: `exclusive-${inputs.businessId}`, outs: outputsOf(inputs, deleted) };
  },

  /** Recomputes `unmanaged` from the API with the stored inputs (drift shows as a diff). */
  async read(
    id: string,
    props: Record<string, unknown> = {},
  ): Promise<dynamic.ReadResult<ExclusionOutputs>> {
    const { inputs, failures } = checkExclusionInputs({
      businessId: props.businessId,
      memberIds: props.memberIds,
      keepIds: props.keepIds,
      alsoKeepIds: props.alsoKeepIds,
      keepNamePrefixes: props.keepNamePrefixes,
      adoptable: props.adoptable,
    });
    const rule = failures.length === 0 ? keepRule(inputs, {}) : undefined;
    if (!rule) {
      throw new WebhookSetExclusionError(
        `WebhookSetExclusion ${id}: the stored state is not valid (${failures.map((f) => f.reason).join("; ")})`,
      );
    }
    const unmanaged = await listUnmanaged(rule);
    const outs: ExclusionOutputs = {
      ...outputsOf({ ...inputs, businessId: rule.businessId }, []),
      deleted: Array.isArray(props.deleted) ? (props.deleted as UnmanagedWebhook[]) : [],
      unmanaged,
    };
    return { id, props: outs };
  },

  /** Deletes the webhooks `check` listed (the set's hooks changed, or new records appeared). */
  async update(
    _id: string,
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.UpdateResult<ExclusionOutputs>> {
    const inputs = validInputs(news);
    const deleted = await deleteListed(inputs.businessId, inputs.unmanaged as UnmanagedWebhook[]);
    return { outs: outputsOf(inputs, deleted) };
  },

  /** Deletes nothing: removing exclusivity leaves every webhook where it is. */
  async delete(): Promise<void> {
    return;
  },
} satisfies dynamic.ResourceProvider<Record<string, unknown>, ExclusionOutputs>;
