/**
 * `GET /api/sys/webhooks`: the query parameters of the "Search WebHooks" page, filtering, ordering,
 * paging and the result envelope. Pure functions, no I/O.
 *
 * Semantics chosen where the documentation is silent:
 * - String filters (`WebHook_Name`, `_Description`, `_URL`, `_LastError`, `_LastTrigger`) match as a
 *   case-insensitive "contains" (`_LastTrigger` against the ISO string, so `2025-01-15` matches a
 *   day). The real service may match exactly; clients that need exact matches filter again.
 * - An empty filter value is no filter.
 * - `orderBy` is any record field, case-insensitive; the default (and the fallback for an unknown
 *   field) is `Id`. Ties are broken by `Id`, so paging is stable.
 * - `dir=1` (or `-1`) is descending, anything else ascending. `CurrentSortDirection` is 0 or 1.
 * - `page` below 1 or not a number is 1; `size` defaults to 25, is clamped to 1..1000.
 * - Range dates are `YYYY-MM-DDTHH:mm` (UTC; `YYYY-MM-DD` and full ISO are accepted too). A `to_`
 *   bound includes its whole last unit (minute, or day for a bare date). Records whose date is null
 *   never match a range on it.
 * - A filter whose value cannot be parsed (e.g. `WebHook_Action=abc`) is a 400.
 */
import type { WebhookRecord } from "./types";
import type { FieldError } from "./validation";

/** Default page size. */
export const DEFAULT_PAGE_SIZE = 25;
/** Largest page size; bigger requests are clamped to it. */
export const MAX_PAGE_SIZE = 1000;
/** Default order field. */
export const DEFAULT_ORDER_FIELD = "Id";

/** The record fields `orderBy` accepts. */
export const ORDER_FIELDS: readonly (keyof WebhookRecord)[] = [
  "Id",
  "UniqueId",
  "BusinessId",
  "Name",
  "Action",
  "Description",
  "URL",
  "Active",
  "LastError",
  "ErrorCount",
  "LastTrigger",
  "CreatedOn",
  "UpdatedOn",
  "UpdatedBy",
  "IsNew",
  "SystemId",
  "ToStringText",
];

type Predicate = (r: WebhookRecord) => boolean;

/** A parsed search query. */
export interface SearchQuery {
  page: number;
  size: number;
  orderBy: keyof WebhookRecord;
  dir: 0 | 1;
  predicates: Predicate[];
}

/** The search result envelope, as the API answers it. */
export interface SearchEnvelope {
  Records: WebhookRecord[];
  CurrentPage: number;
  CurrentPageSize: number;
  CurrentOrderField: string;
  CurrentSortDirection: 0 | 1;
  FirstItem: number;
  LastItem: number;
  TotalItems: number;
  TotalPages: number;
  HasNextPage: boolean;
  HasPreviousPage: boolean;
  PageNumber: number;
  PageSize: number;
}

const STRING_FILTERS: Record<string, keyof WebhookRecord> = {
  WebHook_Name: "Name",
  WebHook_Description: "Description",
  WebHook_URL: "URL",
  WebHook_LastError: "LastError",
  WebHook_LastTrigger: "LastTrigger",
};
const INT_FILTERS: Record<string, keyof WebhookRecord> = {
  WebHook_Business: "BusinessId",
  WebHook_Action: "Action",
  WebHook_ErrorCount: "ErrorCount",
};
const DATE_RANGES: Record<string, keyof WebhookRecord> = {
  WebHook_LastTrigger: "LastTrigger",
  WebHook_CreatedOn: "CreatedOn",
  WebHook_UpdatedOn: "UpdatedOn",
};

function parseInteger(s: string): number | undefined {
  if (!/^-?\d+$/.test(s.trim())) return undefined;
  const n = Number(s.trim());
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Parses a range date: `YYYY-MM-DDTHH:mm` (documented), or `YYYY-MM-DD`, `YYYY-MM-DDTHH:mm:ss`,
 * or a full ISO string, all UTC unless they carry a zone. Returns the first and last millisecond
 * of the unit the value names, or undefined when it is not a date.
 */
export function parseRangeDate(s: string): { start: number; end: number } | undefined {
  const v = s.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (m) {
    const start = Date.parse(`${v}T00:00:00Z`);
    return Number.isNaN(start) ? undefined : { start, end: start + 86_400_000 - 1 };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(v);
  if (m) {
    const start = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00Z`);
    return Number.isNaN(start) ? undefined : { start, end: start + 60_000 - 1 };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/.exec(v);
  if (m) {
    const start = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
    return Number.isNaN(start) ? undefined : { start, end: start + 1000 - 1 };
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : { start: t, end: t };
  }
  return undefined;
}

/** Parses the query string of a search; errors name the parameter. */
export function parseSearchQuery(
  params: URLSearchParams,
): { ok: true; query: SearchQuery } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const predicates: Predicate[] = [];
  const bad = (name: string, value: string, message: string): void => {
    errors.push({ AttemptedValue: value, Message: message, PropertyName: name });
  };
  const get = (name: string): string | undefined => {
    const v = params.get(name);
    return v === null || v.trim() === "" ? undefined : v;
  };

  for (const [param, field] of Object.entries(STRING_FILTERS)) {
    const v = get(param);
    if (v === undefined) continue;
    const needle = v.toLowerCase();
    predicates.push((r) => {
      const value = r[field];
      return typeof value === "string" && value.toLowerCase().includes(needle);
    });
  }
  for (const [param, field] of Object.entries(INT_FILTERS)) {
    const v = get(param);
    if (v === undefined) continue;
    const n = parseInteger(v);
    if (n === undefined) bad(param, v, "is not a valid integer");
    else predicates.push((r) => r[field] === n);
  }
  const active = get("WebHook_Active");
  if (active !== undefined) {
    const a = active.trim().toLowerCase();
    if (a !== "true" && a !== "false") bad("WebHook_Active", active, "is not a valid boolean");
    else predicates.push((r) => r.Active === (a === "true"));
  }
  for (const side of ["from", "to"] as const) {
    const param = `${side}_WebHook_ErrorCount`;
    const v = get(param);
    if (v === undefined) continue;
    const n = parseInteger(v);
    if (n === undefined) bad(param, v, "is not a valid integer");
    else predicates.push(side === "from" ? (r) => r.ErrorCount >= n : (r) => r.ErrorCount <= n);
  }
  for (const [suffix, field] of Object.entries(DATE_RANGES)) {
    for (const side of ["from", "to"] as const) {
      const param = `${side}_${suffix}`;
      const v = get(param);
      if (v === undefined) continue;
      const d = parseRangeDate(v);
      if (d === undefined) {
        bad(param, v, "is not a valid date (expected YYYY-MM-DDTHH:mm)");
        continue;
      }
      predicates.push((r) => {
        const value = r[field];
        if (typeof value !== "string") return false;
        const t = Date.parse(value);
        if (Number.isNaN(t)) return false;
        return side === "from" ? t >= d.start : t <= d.end;
      });
    }
  }

  let page = parseInteger(params.get("page") ?? "") ?? 1;
  if (page < 1) page = 1;
  let size = parseInteger(params.get("size") ?? "") ?? DEFAULT_PAGE_SIZE;
  if (size < 1) size = DEFAULT_PAGE_SIZE;
  if (size > MAX_PAGE_SIZE) size = MAX_PAGE_SIZE;
  const wanted = (params.get("orderBy") ?? "").trim().toLowerCase();
  const orderBy =
    ORDER_FIELDS.find((f) => f.toLowerCase() === wanted) ??
    (DEFAULT_ORDER_FIELD as keyof WebhookRecord);
  const dirRaw = (params.get("dir") ?? "").trim();
  const dir: 0 | 1 = dirRaw === "1" || dirRaw === "-1" ? 1 : 0;

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, query: { page, size, orderBy, dir, predicates } };
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return a ? 1 : -1;
  const sa = String(a).toLowerCase();
  const sb = String(b).toLowerCase();
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Runs a parsed query over the records. Rows leave `Description` null, as the API's do. */
export function runSearch(records: readonly WebhookRecord[], q: SearchQuery): SearchEnvelope {
  const matching = records.filter((r) => q.predicates.every((p) => p(r)));
  const sign = q.dir === 1 ? -1 : 1;
  matching.sort((a, b) => sign * (compareValues(a[q.orderBy], b[q.orderBy]) || a.Id - b.Id));
  const total = matching.length;
  const totalPages = Math.ceil(total / q.size);
  const startIndex = (q.page - 1) * q.size;
  const rows = matching
    .slice(startIndex, startIndex + q.size)
    .map((r) => ({ ...r, Description: null }));
  return {
    Records: rows,
    CurrentPage: q.page,
    CurrentPageSize: q.size,
    CurrentOrderField: q.orderBy,
    CurrentSortDirection: q.dir,
    FirstItem: rows.length > 0 ? startIndex + 1 : 0,
    LastItem: rows.length > 0 ? startIndex + rows.length : 0,
    TotalItems: total,
    TotalPages: totalPages,
    HasNextPage: q.page < totalPages,
    HasPreviousPage: q.page > 1,
    PageNumber: q.page,
    PageSize: q.size,
  };
}
