/**
 * Shared refresh reads, instead of one `GET /api/sys/webhooks/{id}` per webhook:
 * - `nexudus:refreshMode = account` (the default): the account's search pages (no location
 *   filter, 1000 rows a page, by id, at most {@link MAX_ACCOUNT_PAGES}), fetched once per refresh
 *   burst and shared by every WebHook the host process reads: 3,000 webhooks in 3 calls;
 * - `search`: one search page per location, likewise shared.
 *
 * A search row holds every field of the record except `Description` (the API leaves it empty). A
 * read is served from the row only when the row shows that the record has not been written since
 * the state was: its `UpdatedOn` equals the stored `updatedOn` and its managed fields (location,
 * name, action, URL, active) equal the stored ones. The stored description is then still the
 * record's, and the row brings the fresh delivery bookkeeping (`ErrorCount`, `LastError`,
 * `LastTrigger`). Every other case costs one GET, as in `get` mode:
 * - the row is missing: deleted (the GET answers 404 and the resource leaves the state), moved to
 *   another location, or past the first page (a location with more than 1000 webhooks);
 * - the row differs from the state, or carries another `UpdatedOn`: the record was edited out of
 *   band, possibly its description, which only a GET shows;
 * - the search failed (e.g. the user lacks the `WebHook-List` role): the failure is kept for the
 *   same time as a page, so a refresh of N webhooks does not retry it N times.
 *
 * The assumption behind `search` mode: an edit of a webhook (through the API or the Nexudus UI)
 * changes its `UpdatedOn`. The emulator behaves so; the API documentation lists the field but
 * does not state it. A description-only edit that left `UpdatedOn` unchanged would be missed,
 * which is why `get` remains available (see the README for why `account` is the default).
 *
 * A page is kept for {@link pageTtlMs}: long enough for one refresh burst (every read of a
 * `pulumi refresh` arrives within seconds, and each command runs its own host process), short
 * enough that a long-lived process sees later out-of-band edits. Concurrent reads of one location
 * share one request. The provider's own writes need no invalidation: a record it wrote after the
 * page was fetched shows an older `UpdatedOn` in the row (or no row), so its read goes to a GET.
 *
 * The cache ({@link ReadCache}) is one account's: it lives in the account's context
 * (`provider/context.ts`), made in `configure()`, and reads through that account's client.
 *
 * @module
 */
import type { NexudusClient } from "../client/client";
import { MAX_PAGE_SIZE, type WebhookSummary } from "../client/types";

import { DEFAULT_REFRESH_MODE, REFRESH_MODES, type RefreshMode } from "../config/settings";

export { DEFAULT_REFRESH_MODE, REFRESH_MODES, type RefreshMode };

/**
 * The most account-wide pages one refresh reads (20,000 webhooks): past them, reads whose row was
 * not on a page make a GET, so a huge account never costs a small stack more than this many calls.
 */
export const MAX_ACCOUNT_PAGES = 20;

/** The size of the one page fetched per location (the API's maximum). */
export const PAGE_SIZE = MAX_PAGE_SIZE;

/**
 * How long a fetched page serves reads, in ms before the time factor: the GETs a refresh still
 * makes are paced by the rate limits, which the time factor scales.
 */
export const PAGE_TTL_MS = 30_000;

/** The shortest time a page is kept, in ms (not scaled: the host's own per-read work is not). */
export const MIN_PAGE_TTL_MS = 15_000;

/** One location's first page: its rows by id. */
interface LocationPage {
  readonly rows: ReadonlyMap<number, WebhookSummary>;
}

interface Entry {
  readonly expiresAt: number;
  readonly page: Promise<LocationPage | undefined>;
}

/** Counters, for tests and the benchmark. */
export interface ReadCacheStats {
  /** Search requests started (one per location, or per account page, and burst). */
  searches: number;
  /** Searches that failed (their reads fell back to GET). */
  failedSearches: number;
  /** Reads served from a row. */
  served: number;
  /** Reads that had to GET (row missing, changed, or no page). */
  fallbacks: number;
}

/** The key of the account-wide page set in a client's map (no location has this id). */
const ACCOUNT = -1;

/**
 * One account's read cache: the page of each location, and the account's pages under
 * {@link ACCOUNT}, read through that account's client; and its counters. It lives in the
 * account's context (`provider/context.ts`); a test makes its own.
 */
type PageClient = Pick<NexudusClient, "searchPage" | "timeFactor">;

export class ReadCache {
  readonly pages = new Map<number, Entry>();
  stats: ReadCacheStats = emptyStats();
  constructor(readonly client: PageClient) {}

  /** A copy of the counters. */
  counters(): ReadCacheStats {
    return { ...this.stats };
  }

  /** Forgets every cached page (after a write, or to read afresh). */
  invalidate(): void {
    this.pages.clear();
  }
}

function emptyStats(): ReadCacheStats {
  return { searches: 0, failedSearches: 0, served: 0, fallbacks: 0 };
}

/** How long a page is kept for a client with this time factor. */
export function pageTtlMs(timeFactor: number): number {
  return Math.max(MIN_PAGE_TTL_MS, PAGE_TTL_MS * timeFactor);
}

/**
 * The cached rows under `key` (a location id, or {@link ACCOUNT}) while they are fresh; otherwise
 * `fetch()` once for every concurrent caller, kept for {@link pageTtlMs}.
 */
function cachedPage(
  c: ReadCache,
  key: number,
  now: number,
  fetch: () => Promise<LocationPage | undefined>,
): Promise<LocationPage | undefined> {
  const cached = c.pages.get(key);
  if (cached && cached.expiresAt > now) return cached.page;
  const page = fetch();
  c.pages.set(key, { expiresAt: now + pageTtlMs(c.client.timeFactor), page });
  return page;
}

/** The page of a location: cached, or fetched once for every concurrent caller. */
function locationPage(
  c: ReadCache,
  businessId: number,
  now: number,
): Promise<LocationPage | undefined> {
  const client = c.client;
  return cachedPage(c, businessId, now, () => {
    c.stats.searches++;
    return client.searchPage({ businessId, page: 1, size: PAGE_SIZE }).then(
      (result): LocationPage => {
        const rows = new Map<number, WebhookSummary>();
        // Filters may match loosely: keep only this location's rows.
        for (const row of result.Records) if (row.BusinessId === businessId) rows.set(row.Id, row);
        return { rows };
      },
      () => {
        c.stats.failedSearches++;
        return undefined;
      },
    );
  });
}

/**
 * Every row of the account, read page by page (1000 a page, no location filter, by id), cached and
 * fetched once for every concurrent caller. A failed page ends the listing: the rows read so far
 * still serve, the others make a GET.
 */
function accountPages(c: ReadCache, now: number): Promise<LocationPage | undefined> {
  const client = c.client;
  return cachedPage(c, ACCOUNT, now, async (): Promise<LocationPage | undefined> => {
    const rows = new Map<number, WebhookSummary>();
    for (let n = 1; n <= MAX_ACCOUNT_PAGES; n++) {
      c.stats.searches++;
      let result: Awaited<ReturnType<PageClient["searchPage"]>>;
      try {
        result = await client.searchPage({ page: n, size: PAGE_SIZE, orderBy: "Id" });
      } catch {
        c.stats.failedSearches++;
        return n === 1 ? undefined : { rows };
      }
      for (const row of result.Records) rows.set(row.Id, row);
      const more = result.HasNextPage || n < result.TotalPages;
      if (result.Records.length === 0 || !more) break;
    }
    return { rows };
  });
}

/** The stored outputs a read receives (only the fields this module looks at). */
export interface StoredWebhook {
  businessId?: unknown;
  name?: unknown;
  action?: unknown;
  url?: unknown;
  active?: unknown;
  description?: unknown;
  updatedOn?: unknown;
}

/** Whether a search row shows the record unchanged since `stored` was written. */
export function rowMatchesState(row: WebhookSummary, stored: StoredWebhook): boolean {
  return (
    typeof stored.updatedOn === "string" &&
    stored.updatedOn !== "" &&
    row.UpdatedOn === stored.updatedOn &&
    row.BusinessId === stored.businessId &&
    row.Name === stored.name &&
    row.Action === stored.action &&
    row.URL === stored.url &&
    row.Active === stored.active
  );
}

/**
 * The record of webhook `id` as far as a shared search page can tell it, with the stored
 * description filled in; `undefined` when the caller must GET it (see the module doc).
 */
export async function cachedRecord(
  reads: ReadCache,
  id: number,
  stored: StoredWebhook,
  now: number = Date.now(),
  scope: "location" | "account" = "location",
): Promise<WebhookSummary | undefined> {
  const stats = reads.stats;
  const businessId = stored.businessId;
  if (typeof businessId !== "number" || typeof stored.updatedOn !== "string") {
    stats.fallbacks++;
    return undefined;
  }
  const page =
    scope === "account"
      ? await accountPages(reads, now)
      : await locationPage(reads, businessId, now);
  const row = page?.rows.get(id);
  if (!row || !rowMatchesState(row, stored)) {
    stats.fallbacks++;
    return undefined;
  }
  stats.served++;
  const description = typeof stored.description === "string" ? stored.description : null;
  return { ...row, Description: description };
}
