/**
 * Loading webhooks: every page of the search endpoint (the provider's paging rule), per location,
 * with a progress line, and
 * full records (GET) where a search row lacks a field.
 */
import {
  DEFAULT_SEARCH_PAGE_SIZE,
  type SearchAllOptions,
  type SearchQuery,
} from "../client/client";
import type { WebhookRecord, WebhookSummary } from "../client/types";
import type { Progress } from "./io";

/** The part of the client the commands use (the real `NexudusClient` fits it). */
export interface WebhookSource {
  searchAll(q: SearchQuery, opts?: SearchAllOptions): Promise<WebhookSummary[]>;
  get(id: number): Promise<WebhookRecord>;
}

/** What to load. The search filters are applied again here (the API's may match loosely). */
export interface WebhookFilter {
  /** Locations; empty means every location the user can see. */
  businessIds: readonly number[];
  action?: number;
  active?: boolean;
}

/** The API's largest page (the provider's own page size). */
export const PAGE_SIZE = DEFAULT_SEARCH_PAGE_SIZE;

function matches(row: WebhookSummary, filter: WebhookFilter, businessId: number | undefined) {
  return (
    (businessId === undefined || row.BusinessId === businessId) &&
    (filter.action === undefined || row.Action === filter.action) &&
    (filter.active === undefined || row.Active === filter.active)
  );
}

/**
 * Every webhook matching `filter`, read through the provider's own paging
 * (`NexudusClient.searchAll`: to the end, following a page size the server caps, and failing with
 * a `NexudusResponseError` when the rows do not add up to `TotalItems` or the paging never
 * ends), sorted by location then Id. No command ever works on a partial list.
 */
export async function fetchWebhooks(
  source: WebhookSource,
  filter: WebhookFilter,
  progress: Progress,
): Promise<WebhookSummary[]> {
  const byId = new Map<number, WebhookSummary>();
  const scopes: (number | undefined)[] = filter.businessIds.length
    ? [...filter.businessIds]
    : [undefined];
  try {
    for (const businessId of scopes) {
      const where = businessId === undefined ? "" : ` of location ${businessId}`;
      const q: SearchQuery = { size: PAGE_SIZE, orderBy: "Id" };
      if (businessId !== undefined) q.businessId = businessId;
      if (filter.action !== undefined) q.action = filter.action;
      if (filter.active !== undefined) q.active = filter.active;
      const rows = await source.searchAll(q, {
        onPage: (page, result, seen) =>
          progress.update(
            `Loading webhooks${where}: page ${page} of ${Math.max(result.TotalPages, page)} (${seen} of ${result.TotalItems})`,
          ),
      });
      for (const row of rows) if (matches(row, filter, businessId)) byId.set(row.Id, row);
    }
  } finally {
    progress.done();
  }
  return [...byId.values()].sort((a, b) => a.BusinessId - b.BusinessId || a.Id - b.Id);
}

/**
 * The full records of `rows`: a row that lacks its `Description` (search rows never carry it) is
 * fetched with a GET; the others are used as they are.
 */
export async function withDetails(
  source: WebhookSource,
  rows: readonly WebhookSummary[],
  progress: Progress,
): Promise<WebhookRecord[]> {
  const out: WebhookRecord[] = [];
  try {
    let done = 0;
    for (const row of rows) {
      if (row.Description) {
        out.push(row);
      } else {
        out.push(await source.get(row.Id));
      }
      done++;
      progress.update(`Reading webhook details: ${done} of ${rows.length}`);
    }
  } finally {
    progress.done();
  }
  return out;
}
