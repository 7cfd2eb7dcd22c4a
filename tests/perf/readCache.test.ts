/**
 * provider/readCache.ts on its own, with a fake client: one search per location and page
 * lifetime however many reads ask at once, when a row may serve a read, and failures. Each fake
 * client gets its own ReadCache, as each account's context holds one.
 */
import {
  cachedRecord,
  MIN_PAGE_TTL_MS,
  pageTtlMs,
  PAGE_SIZE,
  ReadCache,
  rowMatchesState,
  type StoredWebhook,
} from "../../provider/readCache";
import type { SearchPage, SearchQuery, WebhookSummary } from "../../client/schemas";

const UPDATED = "2026-01-02T03:04:05.678Z";

function row(id: number, patch: Partial<WebhookSummary> = {}): WebhookSummary {
  return {
    Id: id,
    BusinessId: 1234,
    Name: `hook ${id}`,
    Action: 6,
    URL: `https://hooks.example.com/${id}`,
    Active: true,
    Description: null,
    ErrorCount: 0,
    LastError: null,
    UpdatedOn: UPDATED,
    ...patch,
  };
}

function stored(id: number, patch: Partial<StoredWebhook> = {}): StoredWebhook {
  return {
    businessId: 1234,
    name: `hook ${id}`,
    action: 6,
    url: `https://hooks.example.com/${id}`,
    active: true,
    description: "kept from state",
    updatedOn: UPDATED,
    ...patch,
  };
}

/** A client whose search answers `rows` (by location) after a tick, counting the calls. */
function fakeClient(rows: WebhookSummary[], opts: { fail?: boolean; timeFactor?: number } = {}) {
  const queries: SearchQuery[] = [];
  return {
    queries,
    timeFactor: opts.timeFactor ?? 1,
    async searchPage(q: SearchQuery): Promise<SearchPage> {
      queries.push(q);
      await new Promise((r) => setImmediate(r));
      if (opts.fail) throw new Error("401: the user lacks WebHook-List");
      const records = rows.filter((r) => r.BusinessId === q.businessId);
      return {
        Records: records,
        CurrentPage: 1,
        TotalItems: records.length,
        TotalPages: 1,
        HasNextPage: false,
      };
    },
  };
}

/** The read cache of each fake client (an account's, in its context); the last one used. */
const caches = new WeakMap<object, ReadCache>();
let last: ReadCache | undefined;
function readsOf(client: ReturnType<typeof fakeClient>): ReadCache {
  let c = caches.get(client);
  if (!c) {
    c = new ReadCache(client);
    caches.set(client, c);
  }
  last = c;
  return c;
}
const readCacheStats = () => last!.counters();

describe("cachedRecord", () => {
  it("fetches one page per location for any number of concurrent reads", async () => {
    const client = fakeClient([row(1), row(2), row(3, { BusinessId: 99 })]);
    const got = await Promise.all([
      cachedRecord(readsOf(client), 1, stored(1), 0),
      cachedRecord(readsOf(client), 2, stored(2), 0),
      cachedRecord(readsOf(client), 3, stored(3, { businessId: 99 }), 0),
    ]);
    expect(got.map((r) => r?.Id)).toEqual([1, 2, 3]);
    expect(client.queries).toEqual([
      { businessId: 1234, page: 1, size: PAGE_SIZE },
      { businessId: 99, page: 1, size: PAGE_SIZE },
    ]);
    expect(readCacheStats()).toMatchObject({ searches: 2, served: 3, fallbacks: 0 });
  });

  it("fills in the stored description, which search rows leave empty", async () => {
    const client = fakeClient([row(1, { ErrorCount: 3 })]);
    expect(await cachedRecord(readsOf(client), 1, stored(1), 0)).toMatchObject({
      Id: 1,
      Description: "kept from state",
      ErrorCount: 3,
    });
    expect(
      (await cachedRecord(readsOf(client), 1, stored(1, { description: null }), 0))!.Description,
    ).toBe(null);
  });

  it("keeps a page for its lifetime, then fetches it again", async () => {
    const client = fakeClient([row(1)]);
    const ttl = pageTtlMs(client.timeFactor);
    await cachedRecord(readsOf(client), 1, stored(1), 1000);
    await cachedRecord(readsOf(client), 1, stored(1), 1000 + ttl - 1);
    expect(client.queries).toHaveLength(1);
    await cachedRecord(readsOf(client), 1, stored(1), 1000 + ttl);
    expect(client.queries).toHaveLength(2);
  });

  it("scales the page lifetime with the time factor, with a floor", () => {
    expect(pageTtlMs(1)).toBe(30_000);
    expect(pageTtlMs(0.8)).toBe(24_000);
    // The floor outlasts one refresh of 3,000 webhooks through a busy host (11 s measured).
    expect(pageTtlMs(0.1)).toBe(MIN_PAGE_TTL_MS);
    expect(MIN_PAGE_TTL_MS).toBe(15_000);
  });

  it("sends the read to a GET when the row is missing or shows a change", async () => {
    const client = fakeClient([row(1), row(2, { UpdatedOn: "2026-02-01T00:00:00Z" })]);
    expect(await cachedRecord(readsOf(client), 9, stored(9), 0)).toBeUndefined(); // deleted or moved
    expect(await cachedRecord(readsOf(client), 2, stored(2), 0)).toBeUndefined(); // edited since
    expect(
      await cachedRecord(readsOf(client), 1, stored(1, { updatedOn: null }), 0),
    ).toBeUndefined();
    expect(
      await cachedRecord(readsOf(client), 1, stored(1, { businessId: "x" }), 0),
    ).toBeUndefined();
    expect(readCacheStats()).toMatchObject({ served: 0, fallbacks: 4 });
  });

  it("tries a failed search once per page lifetime; the reads fall back to GET", async () => {
    const client = fakeClient([row(1)], { fail: true });
    const got = await Promise.all(
      [1, 2, 3].map((id) => cachedRecord(readsOf(client), id, stored(id), 0)),
    );
    expect(got).toEqual([undefined, undefined, undefined]);
    await cachedRecord(readsOf(client), 1, stored(1), 10);
    expect(client.queries).toHaveLength(1);
    expect(readCacheStats()).toMatchObject({ searches: 1, failedSearches: 1, fallbacks: 4 });
  });

  it("keeps one cache per account (a new account's cache starts empty)", async () => {
    const a = fakeClient([row(1)]);
    const b = fakeClient([row(1)]);
    await cachedRecord(readsOf(a), 1, stored(1), 0);
    await cachedRecord(readsOf(b), 1, stored(1), 0);
    expect([a.queries.length, b.queries.length]).toEqual([1, 1]);
    readsOf(a).invalidate();
    await cachedRecord(readsOf(a), 1, stored(1), 0);
    await cachedRecord(readsOf(b), 1, stored(1), 0);
    expect([a.queries.length, b.queries.length]).toEqual([2, 1]);
  });
});

describe("rowMatchesState", () => {
  it("needs the same UpdatedOn and the same managed fields", () => {
    expect(rowMatchesState(row(1), stored(1))).toBe(true);
    for (const patch of [
      { Name: "renamed" },
      { URL: "https://other.example.com/" },
      { Action: 7 },
      { Active: false },
      { BusinessId: 1 },
      { UpdatedOn: "2026-01-02T03:04:06.000Z" },
      { UpdatedOn: null },
    ]) {
      expect(rowMatchesState(row(1, patch), stored(1))).toBe(false);
    }
    expect(rowMatchesState(row(1), stored(1, { updatedOn: "" }))).toBe(false);
  });
});
