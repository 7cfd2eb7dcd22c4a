/**
 * The emulator's opt-in quirks (servers the API documentation allows): each off by default, each
 * doing what it says when on, and bad quirks refused naming the field.
 */
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { call } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator();
  for (let i = 0; i < 5; i++) {
    emu.insert({ BusinessId: 1234, Action: 6, URL: `https://x.example.com/${i}`, Name: `n${i}` });
  }
});
afterAll(() => emu.stop());
afterEach(() => emu.setQuirks({}));

async function page(query: string) {
  const r = await call(emu, "GET", `/api/sys/webhooks?${query}`);
  expect(r.status).toBe(200);
  return r.json as {
    Records: { Id: number; Action: unknown }[];
    TotalItems: number;
    TotalPages: number;
    CurrentPageSize: number;
    HasNextPage: boolean;
  };
}

test("defaults are the documented behaviour", async () => {
  const p = await page("page=1&size=10");
  expect(p).toMatchObject({ TotalItems: 5, TotalPages: 1, HasNextPage: false });
  expect(p.Records[0]!.Action).toBe(6);
  const routing = await call(emu, "GET", "/api/v2/api/sys/webhooks/1");
  expect(routing.status).toBe(404);
  expect(routing.json).toEqual({
    Message:
      "No HTTP resource was found that matches the request URI '/api/v2/api/sys/webhooks/1'.",
  });
});

test("paging quirks", async () => {
  emu.setQuirks({ endlessPaging: "hasNextPage" });
  expect(await page("page=1&size=10")).toMatchObject({ HasNextPage: true, TotalPages: 2 });
  emu.setQuirks({ endlessPaging: "repeatPage" });
  const again = await page("page=7&size=2");
  expect(again.Records.map((r) => r.Id)).toEqual(
    (await page("page=1&size=2")).Records.map((r) => r.Id),
  );
  emu.setQuirks({ endlessPaging: "growing" });
  const p3 = await page("page=3&size=10");
  expect(p3.Records[0]!.Id).toBeGreaterThan(20_000_000);
  emu.setQuirks({ maxPageSize: 2 });
  expect(await page("page=1&size=10")).toMatchObject({ CurrentPageSize: 2, TotalPages: 3 });
  emu.setQuirks({ maxPageSize: 2, silentPageSizeCap: true });
  const silent = await page("page=1&size=10");
  expect(silent.Records).toHaveLength(2);
  expect(silent).toMatchObject({ CurrentPageSize: 10, TotalPages: 1, HasNextPage: false });
  emu.setQuirks({ totalItemsOffset: 1 });
  expect((await page("page=1&size=10")).TotalItems).toBe(6);
});

test("record and routing quirks", async () => {
  emu.setQuirks({ actionAsName: true, extraFields: true, routeNotFoundAsString: true });
  const p = await page("page=1&size=1");
  expect(p.Records[0]).toMatchObject({ Action: "BookingCreate", TenantTimeZone: "Europe/London" });
  const routing = await call(emu, "GET", "/api/v2/api/sys/webhooks/1");
  expect(routing.json).toBe("Not found");
});

test("normalised writes and echoed URLs", async () => {
  emu.setQuirks({
    normalise: { trimName: true, punycodeHost: true, maxDescription: 5 },
    echoRequestInErrors: true,
  });
  const r = await call(emu, "POST", "/api/sys/webhooks", {
    body: {
      BusinessId: 1234,
      Name: "  padded  ",
      Action: 6,
      URL: "https://bücher.example/x",
      Description: "longer than five",
    },
  });
  const id = (r.json as { Value: { Id: number } }).Value.Id;
  expect(emu.record(id)).toMatchObject({
    Name: "padded",
    URL: "https://xn--bcher-kva.example/x",
    Description: "longe",
  });
  const bad = await call(emu, "POST", "/api/sys/webhooks", {
    body: { BusinessId: 999, Name: "x", Action: 6, URL: "https://secret.example/t0k3n" },
  });
  expect(bad.status).toBe(400);
  expect(bad.text).toContain("https://secret.example/t0k3n");
});

test("bad quirks are refused naming the field", async () => {
  expect(() => emu.setQuirks({ maxPageSize: 0 })).toThrow(
    /quirks\.maxPageSize must be an integer >= 1/,
  );
  expect(() => emu.setQuirks({ nope: true } as never)).toThrow(/quirks\.nope is not a quirk/);
  await expect(startEmulator({ quirks: { endlessPaging: "forever" as never } })).rejects.toThrow(
    /quirks\.endlessPaging must be/,
  );
});
