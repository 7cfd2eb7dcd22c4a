/**
 * Every endpoint of the client over real HTTP against the emulator: search (filters, paging),
 * get, create, update, delete.
 */
import type { EmulatorHandle } from "../../emulator";
import {
  NexudusClient,
  SEARCH_PARAMS,
  searchQueryString,
  type SearchQuery,
} from "../../client/client";
import { NexudusNotFoundError, NexudusValidationError } from "../../client/errors";
import type { WebhookSummary } from "../../client/schemas";
import {
  BUSINESS,
  OTHER_BUSINESS,
  body,
  logged,
  rejection,
  startTestEmulator,
  tokenClient,
} from "./helpers";

let emu: EmulatorHandle;
let client: NexudusClient;

beforeAll(async () => {
  emu = await startTestEmulator();
  client = tokenClient(emu);
});
afterAll(() => emu.stop());
beforeEach(() => emu.clearRequests());

async function all(q: SearchQuery): Promise<WebhookSummary[]> {
  const rows: WebhookSummary[] = [];
  for await (const row of client.search(q)) rows.push(row);
  return rows;
}

describe("create, get, update, delete", () => {
  it("round-trips a record and answers each write with the record's Id", async () => {
    const created = await client.create({ ...body("crud"), Description: "first", Active: true });
    expect(created.id).toBeGreaterThan(0);
    expect(created.updatedBy).toBe("ops-admin@example.com");

    const record = await client.get(created.id);
    expect(record).toMatchObject({
      Id: created.id,
      BusinessId: BUSINESS,
      Name: "crud",
      Action: 6,
      URL: "https://example.com/crud",
      Description: "first",
      Active: true,
    });

    const updated = await client.update({
      Id: created.id,
      BusinessId: BUSINESS,
      Name: "crud-2",
      Action: 7,
      URL: "https://example.com/crud-2",
      Description: "second",
      Active: false,
    });
    expect(updated.id).toBe(created.id);
    expect(emu.record(created.id)).toMatchObject({ Name: "crud-2", Action: 7, Active: false });

    await client.delete(created.id);
    expect(emu.record(created.id)).toBeUndefined();
    const gone = await rejection(client.get(created.id));
    expect(gone).toBeInstanceOf(NexudusNotFoundError);

    expect(emu.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /api/sys/webhooks 200",
      `GET /api/sys/webhooks/${created.id} 200`,
      "PUT /api/sys/webhooks 200",
      `DELETE /api/sys/webhooks/${created.id} 200`,
      `GET /api/sys/webhooks/${created.id} 404`,
      // The first 404 of a process is confirmed as "no such record" by one search page: the API
      // answers at this baseUrl, so the 404 is the record's, not the route's.
      "GET /api/sys/webhooks 200",
    ]);
  });

  it("sends JSON bodies with exactly the given fields", async () => {
    const created = await client.create(body("json-body"));
    const record = emu.record(created.id);
    expect(record).toMatchObject({ Name: "json-body", Description: null, Active: false });
  });

  it("deleting a missing record is a NexudusNotFoundError (no ambiguity, no retry)", async () => {
    const e = await rejection(client.delete(99));
    expect(e).toBeInstanceOf(NexudusNotFoundError);
    expect(e.message).toContain("DELETE /api/sys/webhooks/99: not found (404)");
    expect(logged(emu, "delete")).toHaveLength(1);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2])(
    "refuses id %p before sending anything",
    async (id) => {
      const e = await rejection(client.get(id));
      expect(e).toBeInstanceOf(NexudusValidationError);
      expect(e.message).toContain("id: must be a positive integer");
      expect(emu.requests()).toHaveLength(0);
    },
  );

  it("refuses a create body that misses a required field, naming it, before sending", async () => {
    const e = await rejection(
      client.create({ BusinessId: BUSINESS, Name: "x", Action: 6 } as never),
    );
    expect(e).toBeInstanceOf(NexudusValidationError);
    expect((e as NexudusValidationError).fieldErrors).toEqual([
      { property: "URL", message: "expected string, missing" },
    ]);
    expect(emu.requests()).toHaveLength(0);
  });
  it("refuses a body that cannot be sent as JSON, without throwing a TypeError", async () => {
    const e = await rejection(client.create({ ...body("big"), Extra: BigInt(1) }));
    expect(e).toBeInstanceOf(NexudusValidationError);
    expect(e.message).toContain("(body): cannot be sent as JSON");
    expect(emu.requests()).toHaveLength(0);
  });
});

describe("search", () => {
  let ids: Record<string, number>;
  beforeAll(() => {
    const a = emu.insert({ ...body("alpha", 6), Active: true, ErrorCount: 0 });
    const b = emu.insert({ ...body("beta", 6), Active: false, ErrorCount: 3 });
    const c = emu.insert({ ...body("gamma", 21), Active: true, ErrorCount: 7 });
    const d = emu.insert({ ...body("delta", 6), BusinessId: OTHER_BUSINESS, Active: true });
    ids = { alpha: a.Id, beta: b.Id, gamma: c.Id, delta: d.Id };
  });

  it("maps every SearchQuery field to the API's parameter name", () => {
    const q: Required<SearchQuery> = {
      businessId: 1,
      name: "n",
      action: 2,
      description: "d",
      url: "u",
      active: true,
      lastError: "le",
      errorCount: 3,
      lastTrigger: "2025-01-01T00:00",
      fromErrorCount: 4,
      toErrorCount: 5,
      fromLastTrigger: "2025-01-02T00:00",
      toLastTrigger: "2025-01-03T00:00",
      fromCreatedOn: "2025-01-04T00:00",
      toCreatedOn: "2025-01-05T00:00",
      fromUpdatedOn: "2025-01-06T00:00",
      toUpdatedOn: "2025-01-07T00:00",
      page: 2,
      size: 10,
      orderBy: "Name",
      dir: 1,
    };
    const params = new URLSearchParams(searchQueryString(q));
    expect(Object.fromEntries(params)).toEqual({
      WebHook_Business: "1",
      WebHook_Name: "n",
      WebHook_Action: "2",
      WebHook_Description: "d",
      WebHook_URL: "u",
      WebHook_Active: "true",
      WebHook_LastError: "le",
      WebHook_ErrorCount: "3",
      WebHook_LastTrigger: "2025-01-01T00:00",
      from_WebHook_ErrorCount: "4",
      to_WebHook_ErrorCount: "5",
      from_WebHook_LastTrigger: "2025-01-02T00:00",
      to_WebHook_LastTrigger: "2025-01-03T00:00",
      from_WebHook_CreatedOn: "2025-01-04T00:00",
      to_WebHook_CreatedOn: "2025-01-05T00:00",
      from_WebHook_UpdatedOn: "2025-01-06T00:00",
      to_WebHook_UpdatedOn: "2025-01-07T00:00",
      page: "2",
      size: "10",
      orderBy: "Name",
      dir: "1",
    });
    expect(Object.keys(SEARCH_PARAMS).sort()).toEqual(Object.keys(q).sort());
  });

  it("sends the mapped filters on the wire", async () => {
    await client.searchPage({ businessId: BUSINESS, action: 6, active: true, fromErrorCount: 0 });
    const [entry] = logged(emu, "search");
    expect(Object.fromEntries(new URLSearchParams(entry?.query))).toEqual({
      WebHook_Business: String(BUSINESS),
      WebHook_Action: "6",
      WebHook_Active: "true",
      from_WebHook_ErrorCount: "0",
    });
  });

  it.each<[string, SearchQuery, string[]]>([
    ["location", { businessId: OTHER_BUSINESS }, ["delta"]],
    ["location and action", { businessId: BUSINESS, action: 6 }, ["alpha", "beta"]],
    ["active", { businessId: BUSINESS, active: false }, ["beta"]],
    ["error count range", { businessId: BUSINESS, fromErrorCount: 1, toErrorCount: 5 }, ["beta"]],
    ["name", { businessId: BUSINESS, name: "gamma" }, ["gamma"]],
  ])("filters by %s", async (_label, q, names) => {
    const rows = await all(q);
    const known = new Set(Object.values(ids));
    expect(
      rows
        .filter((r) => known.has(r.Id))
        .map((r) => r.Name)
        .sort(),
    ).toEqual(names);
  });

  it("rejects an unknown search field or an out-of-range size before sending", async () => {
    const unknown = await rejection(client.searchPage({ business: 1 } as never));
    expect(unknown).toBeInstanceOf(NexudusValidationError);
    expect(unknown.message).toContain("business: is not a search field");
    const big = await rejection(client.searchPage({ size: 5000 }));
    expect(big.message).toContain("size: must be <= 1000");
    expect(emu.requests()).toHaveLength(0);
  });
});

describe("paging", () => {
  const PAGED_BUSINESS = 4321;
  let paged: EmulatorHandle;
  let pagedClient: NexudusClient;
  beforeAll(async () => {
    paged = await startTestEmulator({ locations: [{ id: PAGED_BUSINESS, name: "Big" }] });
    pagedClient = tokenClient(paged);
    for (let i = 0; i < 2500; i++) {
      paged.insert({
        BusinessId: PAGED_BUSINESS,
        Name: `hook-${i}`,
        Action: (i % 89) + 2,
        URL: `https://example.com/${i}`,
      });
    }
  });
  afterAll(() => paged.stop());
  beforeEach(() => paged.clearRequests());

  it("iterates 2,500 records in three pages of 1000", async () => {
    const rows: WebhookSummary[] = [];
    for await (const row of pagedClient.search({ businessId: PAGED_BUSINESS })) rows.push(row);
    expect(rows).toHaveLength(2500);
    expect(new Set(rows.map((r) => r.Id)).size).toBe(2500);
    const pages = logged(paged, "search").map((r) => {
      const p = new URLSearchParams(r.query);
      return `${p.get("page")}/${p.get("size")}`;
    });
    expect(pages).toEqual(["1/1000", "2/1000", "3/1000"]);
  });

  it("follows a smaller page size to the last page and starts at the given page", async () => {
    const rows: WebhookSummary[] = [];
    for await (const row of pagedClient.search({
      businessId: PAGED_BUSINESS,
      size: 700,
      page: 2,
    })) {
      rows.push(row);
    }
    expect(rows).toHaveLength(2500 - 700);
    expect(logged(paged, "search")).toHaveLength(3);
  });

  it("stops after one request when nothing matches", async () => {
    const rows: WebhookSummary[] = [];
    for await (const row of pagedClient.search({ businessId: 999 })) rows.push(row);
    expect(rows).toEqual([]);
    expect(logged(paged, "search")).toHaveLength(1);
  });

  it("searchPage returns one page with its envelope", async () => {
    const page = await pagedClient.searchPage({ businessId: PAGED_BUSINESS, page: 3, size: 1000 });
    expect(page.Records).toHaveLength(500);
    expect(page).toMatchObject({
      CurrentPage: 3,
      TotalItems: 2500,
      TotalPages: 3,
      HasNextPage: false,
    });
  });
});
