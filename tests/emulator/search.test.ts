/**
 * `GET /api/sys/webhooks`: every filter and range filter of the Search page, paging, ordering and
 * the envelope.
 */
import { parseRangeDate } from "../../emulator/search";
import { startEmulator, type EmulatorHandle, type WebhookRecord } from "../../emulator";
import { call } from "./helpers";

interface Envelope {
  Records: WebhookRecord[];
  CurrentPage: number;
  CurrentPageSize: number;
  CurrentOrderField: string;
  CurrentSortDirection: number;
  FirstItem: number;
  LastItem: number;
  TotalItems: number;
  TotalPages: number;
  HasNextPage: boolean;
  HasPreviousPage: boolean;
}

async function search(emu: EmulatorHandle, query: string): Promise<Envelope> {
  const r = await call(emu, "GET", `/api/sys/webhooks${query === "" ? "" : `?${query}`}`);
  if (r.status !== 200) throw new Error(`search ${query}: ${r.status} ${r.text}`);
  return r.json as Envelope;
}

async function names(emu: EmulatorHandle, query: string): Promise<string[]> {
  return (await search(emu, `${query}&size=1000`)).Records.map((r) => r.Name).sort();
}

describe("filters", () => {
  let emu: EmulatorHandle;

  beforeAll(async () => {
    emu = await startEmulator({
      locations: [
        { id: 1234, name: "HQ" },
        { id: 42, name: "Lab" },
      ],
    });
    emu.insert({
      Name: "Alpha bookings",
      BusinessId: 1234,
      Action: 6,
      URL: "https://a.example.com/hook",
      Description: "Sends BOOKINGS",
      Active: true,
      LastError: null,
      ErrorCount: 0,
      LastTrigger: "2025-03-10T08:15:30.000Z",
      CreatedOn: "2025-01-01T10:00:00.000Z",
      UpdatedOn: "2025-02-01T10:00:00.000Z",
    });
    emu.insert({
      Name: "Beta invoices",
      BusinessId: 1234,
      Action: 21,
      URL: "https://b.example.com/invoices",
      Description: "paid invoices",
      Active: false,
      LastError: "HTTP 500 from receiver",
      ErrorCount: 3,
      LastTrigger: "2025-03-12T23:59:59.000Z",
      CreatedOn: "2025-01-05T00:00:00.000Z",
      UpdatedOn: "2025-06-01T00:00:00.000Z",
    });
    emu.insert({
      Name: "Gamma lab bookings",
      BusinessId: 42,
      Action: 6,
      URL: "https://c.example.com/lab",
      Description: null,
      Active: true,
      LastError: "Timeout",
      ErrorCount: 10,
      LastTrigger: null,
      CreatedOn: "2025-02-01T00:00:00.000Z",
      UpdatedOn: "2025-02-01T00:00:00.000Z",
    });
  });
  afterAll(async () => {
    await emu.stop();
  });

  it.each([
    ["WebHook_Business=1234", ["Alpha bookings", "Beta invoices"]],
    ["WebHook_Business=42", ["Gamma lab bookings"]],
    ["WebHook_Business=7", []],
    ["WebHook_Name=bookings", ["Alpha bookings", "Gamma lab bookings"]],
    ["WebHook_Name=ALPHA", ["Alpha bookings"]],
    ["WebHook_Name=Alpha%20bookings", ["Alpha bookings"]],
    ["WebHook_Name=", ["Alpha bookings", "Beta invoices", "Gamma lab bookings"]],
    ["WebHook_Action=6", ["Alpha bookings", "Gamma lab bookings"]],
    ["WebHook_Action=21", ["Beta invoices"]],
    ["WebHook_Description=bookings", ["Alpha bookings"]],
    ["WebHook_Description=invoice", ["Beta invoices"]],
    ["WebHook_URL=example.com%2Flab", ["Gamma lab bookings"]],
    ["WebHook_URL=HTTPS://B.", ["Beta invoices"]],
    ["WebHook_Active=true", ["Alpha bookings", "Gamma lab bookings"]],
    ["WebHook_Active=false", ["Beta invoices"]],
    ["WebHook_Active=False", ["Beta invoices"]],
    ["WebHook_LastError=http%20500", ["Beta invoices"]],
    ["WebHook_LastError=timeout", ["Gamma lab bookings"]],
    ["WebHook_ErrorCount=3", ["Beta invoices"]],
    ["WebHook_ErrorCount=0", ["Alpha bookings"]],
    ["WebHook_LastTrigger=2025-03-10", ["Alpha bookings"]],
    ["WebHook_LastTrigger=2025-03-1", ["Alpha bookings", "Beta invoices"]],
    ["from_WebHook_ErrorCount=3", ["Beta invoices", "Gamma lab bookings"]],
    ["to_WebHook_ErrorCount=3", ["Alpha bookings", "Beta invoices"]],
    ["from_WebHook_ErrorCount=1&to_WebHook_ErrorCount=9", ["Beta invoices"]],
    ["from_WebHook_LastTrigger=2025-03-10T08:16", ["Beta invoices"]],
    ["from_WebHook_LastTrigger=2025-03-10T08:15", ["Alpha bookings", "Beta invoices"]],
    ["to_WebHook_LastTrigger=2025-03-10T08:15", ["Alpha bookings"]],
    ["to_WebHook_LastTrigger=2025-03-10T08:14", []],
    ["to_WebHook_LastTrigger=2025-03-12T23:59", ["Alpha bookings", "Beta invoices"]],
    ["from_WebHook_CreatedOn=2025-01-05T00:00", ["Beta invoices", "Gamma lab bookings"]],
    ["to_WebHook_CreatedOn=2025-01-04T23:59", ["Alpha bookings"]],
    [
      "from_WebHook_CreatedOn=2025-01-01T10:00&to_WebHook_CreatedOn=2025-01-31T23:59",
      ["Alpha bookings", "Beta invoices"],
    ],
    ["from_WebHook_UpdatedOn=2025-03-01T00:00", ["Beta invoices"]],
    ["to_WebHook_UpdatedOn=2025-02-01T00:00", ["Gamma lab bookings"]],
    ["to_WebHook_UpdatedOn=2025-02-01T10:00", ["Alpha bookings", "Gamma lab bookings"]],
    [
      "from_WebHook_UpdatedOn=2025-01-01&to_WebHook_UpdatedOn=2025-02-01",
      ["Alpha bookings", "Gamma lab bookings"],
    ],
    ["WebHook_Business=1234&WebHook_Action=6&WebHook_Active=true", ["Alpha bookings"]],
  ])("%s", async (query, expected) => {
    expect(await names(emu, query)).toEqual(expected);
  });

  it("leaves Description null in search rows but not in GET", async () => {
    const env = await search(emu, "WebHook_Name=Alpha");
    expect(env.Records).toHaveLength(1);
    const row = env.Records[0]!;
    expect(row.Description).toBeNull();
    expect(Object.keys(row)).toContain("Description");
    const full = await call(emu, "GET", `/api/sys/webhooks/${row.Id}`);
    expect((full.json as WebhookRecord).Description).toBe("Sends BOOKINGS");
    expect({ ...row, Description: "Sends BOOKINGS" }).toEqual(full.json);
  });

  it.each([
    "WebHook_Business=abc",
    "WebHook_Action=6x",
    "WebHook_ErrorCount=1.5",
    "WebHook_Active=yes",
    "from_WebHook_ErrorCount=many",
    "from_WebHook_CreatedOn=yesterday",
    "to_WebHook_UpdatedOn=2025-13-45T10:00",
  ])("answers 400 naming the parameter for %s", async (query) => {
    const r = await call(emu, "GET", `/api/sys/webhooks?${query}`);
    expect(r.status).toBe(400);
    const param = query.split("=")[0]!;
    expect(r.json).toMatchObject({
      Value: null,
      WasSuccessful: false,
      Errors: [{ PropertyName: param, AttemptedValue: query.split("=")[1] }],
    });
    expect((r.json as { Message: string }).Message.startsWith(`${param}: `)).toBe(true);
  });
});

describe("paging and ordering", () => {
  let emu: EmulatorHandle;

  beforeAll(async () => {
    emu = await startEmulator();
    for (let i = 0; i < 2500; i++) {
      emu.insert({
        Name: `hook-${String(2500 - i).padStart(4, "0")}`,
        BusinessId: 1234,
        Action: (i % 90) + 1,
        URL: `https://h.example.com/${i}`,
        ErrorCount: i % 3,
      });
    }
  });
  afterAll(async () => {
    await emu.stop();
  });

  it("defaults to page 1, size 25, ordered by Id ascending", async () => {
    const env = await search(emu, "");
    expect(env).toMatchObject({
      CurrentPage: 1,
      CurrentPageSize: 25,
      CurrentOrderField: "Id",
      CurrentSortDirection: 0,
      FirstItem: 1,
      LastItem: 25,
      TotalItems: 2500,
      TotalPages: 100,
      HasNextPage: true,
      HasPreviousPage: false,
    });
    expect(env.Records).toHaveLength(25);
    const ids = env.Records.map((r) => r.Id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids[0]).toBe(emu.records()[0]!.Id);
  });

  it("walks 2,500 records in 3 pages of 1000", async () => {
    const p1 = await search(emu, "page=1&size=1000");
    const p2 = await search(emu, "page=2&size=1000");
    const p3 = await search(emu, "page=3&size=1000");
    expect([p1, p2, p3].map((p) => p.Records.length)).toEqual([1000, 1000, 500]);
    expect(p1).toMatchObject({
      FirstItem: 1,
      LastItem: 1000,
      HasNextPage: true,
      HasPreviousPage: false,
    });
    expect(p2).toMatchObject({
      FirstItem: 1001,
      LastItem: 2000,
      HasNextPage: true,
      HasPreviousPage: true,
    });
    expect(p3).toMatchObject({
      CurrentPage: 3,
      FirstItem: 2001,
      LastItem: 2500,
      TotalItems: 2500,
      TotalPages: 3,
      HasNextPage: false,
      HasPreviousPage: true,
    });
    const all = [...p1.Records, ...p2.Records, ...p3.Records].map((r) => r.Id);
    expect(new Set(all).size).toBe(2500);
    expect(all).toEqual(emu.records().map((r) => r.Id));
  });

  it("clamps size to 1000", async () => {
    const env = await search(emu, "size=5000");
    expect(env.CurrentPageSize).toBe(1000);
    expect(env.Records).toHaveLength(1000);
    expect(env.TotalPages).toBe(3);
  });

  it("answers an empty page past the end", async () => {
    const env = await search(emu, "page=4&size=1000");
    expect(env).toMatchObject({
      Records: [],
      CurrentPage: 4,
      TotalItems: 2500,
      TotalPages: 3,
      HasNextPage: false,
      HasPreviousPage: true,
    });
  });

  it("orders by a field ascending (dir=0) and descending (dir=1)", async () => {
    const asc = await search(emu, "orderBy=Name&dir=0&size=3");
    expect(asc.Records.map((r) => r.Name)).toEqual(["hook-0001", "hook-0002", "hook-0003"]);
    expect(asc).toMatchObject({ CurrentOrderField: "Name", CurrentSortDirection: 0 });
    const desc = await search(emu, "orderBy=name&dir=1&size=3");
    expect(desc.Records.map((r) => r.Name)).toEqual(["hook-2500", "hook-2499", "hook-2498"]);
    expect(desc).toMatchObject({ CurrentOrderField: "Name", CurrentSortDirection: 1 });
  });

  it("breaks ties by Id so pages never overlap", async () => {
    const rows: WebhookRecord[] = [];
    for (let page = 1; page <= 3; page++) {
      rows.push(...(await search(emu, `orderBy=ErrorCount&dir=1&size=1000&page=${page}`)).Records);
    }
    expect(new Set(rows.map((r) => r.Id)).size).toBe(2500);
    const counts = rows.map((r) => r.ErrorCount);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it("falls back to Id for an unknown orderBy", async () => {
    const env = await search(emu, "orderBy=Bogus&size=2");
    expect(env.CurrentOrderField).toBe("Id");
  });

  it("pages a filtered result", async () => {
    const env = await search(emu, "WebHook_Action=1&size=10&page=3");
    // Action 1 every 90th record: 28 matches (i = 0, 90, ..., 2430).
    expect(env).toMatchObject({ TotalItems: 28, TotalPages: 3, FirstItem: 21, LastItem: 28 });
    expect(env.Records.every((r) => r.Action === 1)).toBe(true);
  });
});

describe("parseRangeDate", () => {
  it.each([
    ["2025-01-15T10:30", "2025-01-15T10:30:00.000Z", "2025-01-15T10:30:59.999Z"],
    ["2025-01-15", "2025-01-15T00:00:00.000Z", "2025-01-15T23:59:59.999Z"],
    ["2025-01-15T10:30:05", "2025-01-15T10:30:05.000Z", "2025-01-15T10:30:05.999Z"],
    ["2025-01-15T10:30:05.250Z", "2025-01-15T10:30:05.250Z", "2025-01-15T10:30:05.250Z"],
  ])("%s", (input, start, end) => {
    expect(parseRangeDate(input)).toEqual({ start: Date.parse(start), end: Date.parse(end) });
  });

  it.each(["", "tomorrow", "2025-1-5", "15/01/2025"])("rejects %j", (input) => {
    expect(parseRangeDate(input)).toBeUndefined();
  });
});
