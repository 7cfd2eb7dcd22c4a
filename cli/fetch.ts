/**
 * Loading webhooks: every page of the search endpoint, per location, with a progress line, and
 * full records (GET) where a search row lacks a field.
 */
import { MAX_SEARCH_PAGES, type SearchQuery } from "../provider/client";
import { NexudusResponseError } from "../provider/errors";
import type { SearchPage, WebhookRecord, WebhookSummary } from "../provider/schemas";
import type { Progress } from "./io";

/** The part of the client the commands use (the real `NexudusClient` fits it). */
export interface WebhookSource {
  searchPage(q: SearchQuery): Promise<SearchPage>;
  get(id: number): Promise<WebhookRecord>;
}

/** What to load. The search filters are applied again here (the API's may match loosely). */
export interface WebhookFilter {
  /** Locations; empty means every location the user can see. */
  businessIds: readonly number[];
  action?: number;
  active?: boolean;
}

/** The API's largest page. */
export const PAGE_SIZE = 1000;
/** A guard against an API whose paging never ends (the provider's own cap). */
const MAX_PAGES = MAX_SEARCH_PAGES;

function matches(row: WebhookSummary, filter: WebhookFilter, businessId: number | undefined) {
  return (
    (businessId === undefined || row.BusinessId === businessId) &&
    (filter.action === undefined || row.Action === filter.action) &&
    (filter.active === undefined || row.Active === filter.active)
  );
}

/**
 * Every webhook matching `filter`, paged through the search endpoint (1,000 rows a page, by Id),
 * sorted by location then Id. A row seen on two pages (records added while paging) counts once.
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
      const seen = new Set<number>();
      let loaded = 0;
      for (let page = 1; ; page++) {
        if (page > MAX_PAGES) {
          throw new NexudusResponseError({
            method: "GET",
            path: "/api/sys/webhooks",
            problem: `the search did not end after ${MAX_PAGES} pages, so paging was stopped`,
          });
        }
        const q: SearchQuery = { page, size: PAGE_SIZE, orderBy: "Id" };
        if (businessId !== undefined) q.businessId = businessId;
        if (filter.action !== undefined) q.action = filter.action;
        if (filter.active !== undefined) q.active = filter.active;
        const result = await source.searchPage(q);
        let fresh = 0;
        for (const row of result.Records) {
          if (!seen.has(row.Id)) fresh++;
          seen.add(row.Id);
          if (matches(row, filter, businessId)) byId.set(row.Id, row);
        }
        loaded += result.Records.length;
        const pages = Math.max(result.TotalPages, page);
        progress.update(
          `Loading webhooks${where}: page ${page} of ${pages} (${loaded} of ${result.TotalItems})`,
        );
        // Stop at TotalPages, on an empty page, and on a page of rows seen already.
        if (result.Records.length === 0 || fresh === 0 || page >= result.TotalPages) break;
      }
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
