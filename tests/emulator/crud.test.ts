/**
 * The emulator's create / get / update / delete endpoints: status codes, envelopes, validation,
 * full-replace updates and the request log.
 */
import { DEFAULT_START_ID, startEmulator, type EmulatorHandle } from "../../emulator";
import { basic, call, createWebhook, ISO_Z, UUID, webhookBody } from "./helpers";

let emu: EmulatorHandle;

beforeAll(async () => {
  emu = await startEmulator({
    port: 0,
    locations: [
      { id: 1234, name: "HQ" },
      { id: 42, name: "Lab" },
    ],
    users: [
      {
        username: "admin@example.com",
        password: "admin-password",
        roles: ["Administrator"],
        apiTokens: ["emulator-admin-token"],
      },
      { username: "editor@example.com", password: "pw", roles: ["WebHook-Edit", "WebHook-Read"] },
    ],
  });
});
afterAll(async () => {
  await emu.stop();
});
beforeEach(() => {
  emu.clearRequests();
});

describe("create", () => {
  it("answers the documented success envelope and stores the record", async () => {
    const first = emu.records().length === 0;
    const r = await call(emu, "POST", "/api/sys/webhooks", { body: webhookBody() });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^application\/json/);
    const body = r.json as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        "Status",
        "Message",
        "Value",
        "OpenInDialog",
        "OpenInWindow",
        "RedirectURL",
        "JavaScript",
        "UpdatedOn",
        "UpdatedBy",
        "Errors",
        "WasSuccessful",
      ].sort(),
    );
    expect(body).toEqual({
      Status: 200,
      Message: "WebHook was successfully created.",
      Value: { Id: expect.any(Number) },
      OpenInDialog: false,
      OpenInWindow: false,
      RedirectURL: null,
      JavaScript: null,
      UpdatedOn: expect.stringMatching(ISO_Z),
      UpdatedBy: "admin@example.com",
      Errors: null,
      WasSuccessful: true,
    });
    const id = (body["Value"] as { Id: number }).Id;
    if (first) expect(id).toBe(DEFAULT_START_ID);
    expect(emu.record(id)).toMatchObject({ Name: "Bookings to CRM", Action: 6, BusinessId: 1234 });
    expect(emu.requests()).toEqual([
      {
        time: expect.any(Number),
        method: "POST",
        path: "/api/sys/webhooks",
        query: "",
        route: "create",
        status: 200,
        client: "admin@example.com",
      },
    ]);
  });

  it("hands out increasing Ids", async () => {
    const a = await createWebhook(emu);
    const b = await createWebhook(emu);
    expect(b).toBe(a + 1);
  });

  it("defaults Description to null and Active to false when left out", async () => {
    const id = await createWebhook(emu, { Description: undefined, Active: undefined });
    expect(emu.record(id)).toMatchObject({ Description: null, Active: false });
  });

  it("ignores server fields and an Id in the body", async () => {
    const id = await createWebhook(emu, {
      Id: 5,
      ErrorCount: 7,
      LastError: "boom",
      UniqueId: "x",
      CreatedOn: "2001-01-01T00:00:00Z",
    });
    expect(id).not.toBe(5);
    const r = emu.record(id);
    expect(r).toMatchObject({ ErrorCount: 0, LastError: null, LastTrigger: null });
    expect(r?.UniqueId).toMatch(UUID);
    expect(r?.CreatedOn).not.toBe("2001-01-01T00:00:00Z");
  });
});

describe("validation", () => {
  it("answers 400 with the documented shape for a missing Name", async () => {
    const before = emu.records().length;
    const r = await call(emu, "POST", "/api/sys/webhooks", {
      body: webhookBody({ Name: undefined }),
    });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      Message: "Name: is a required field",
      Value: null,
      Errors: [{ AttemptedValue: null, Message: "is a required field", PropertyName: "Name" }],
      WasSuccessful: false,
    });
    expect(emu.records()).toHaveLength(before);
    expect(emu.requests()[0]).toMatchObject({ route: "create", status: 400 });
  });

  it("reports every missing required field, each in the joined Message", async () => {
    const r = await call(emu, "POST", "/api/sys/webhooks", { body: {} });
    expect(r.status).toBe(400);
    const body = r.json as { Message: string; Errors: { PropertyName: string }[] };
    expect(body.Errors.map((e) => e.PropertyName).sort()).toEqual(
      ["Action", "BusinessId", "Name", "URL"].sort(),
    );
    for (const p of ["Action", "BusinessId", "Name", "URL"]) {
      expect(body.Message).toContain(`${p}: is a required field`);
    }
  });

  it.each([
    ["blank Name", { Name: "   " }, "Name", "is a required field"],
    ["empty URL", { URL: "" }, "URL", "is a required field"],
    ["Action 0", { Action: 0 }, "Action", "must be an eWebhookAction value between 1 and 90"],
    ["Action 91", { Action: 91 }, "Action", "must be an eWebhookAction value between 1 and 90"],
    ["Action 1.5", { Action: 1.5 }, "Action", "must be an integer"],
    ["Action as a string", { Action: "6" }, "Action", "must be an integer"],
    ["BusinessId not configured", { BusinessId: 999 }, "BusinessId", "is not a valid location"],
    ["BusinessId as a string", { BusinessId: "1234" }, "BusinessId", "must be an integer"],
    ["Name as a number", { Name: 12 }, "Name", "must be a string"],
    ["Description as a number", { Description: 5 }, "Description", "must be a string"],
    ["Active as a string", { Active: "yes" }, "Active", "must be a boolean"],
  ])("rejects %s", async (_label, override, property, message) => {
    const before = emu.records().length;
    const r = await call(emu, "POST", "/api/sys/webhooks", { body: webhookBody(override) });
    expect(r.status).toBe(400);
    const value = (override as Record<string, unknown>)[property];
    expect(r.json).toEqual({
      Message: `${property}: ${message}`,
      Value: null,
      Errors: [{ AttemptedValue: value, Message: message, PropertyName: property }],
      WasSuccessful: false,
    });
    expect(emu.records()).toHaveLength(before);
  });

  it.each([1, 45, 90])("accepts Action %i", async (action) => {
    const id = await createWebhook(emu, { Action: action });
    expect(emu.record(id)?.Action).toBe(action);
  });

  it("accepts every configured location", async () => {
    const id = await createWebhook(emu, { BusinessId: 42 });
    expect(emu.record(id)?.BusinessId).toBe(42);
  });

  it.each([
    ["malformed JSON", '{"Name": '],
    ["an empty body", ""],
    ["a JSON array", "[]"],
    ["a JSON string", '"hello"'],
  ])("answers 400 for %s", async (_label, raw) => {
    const before = emu.records().length;
    const r = await call(emu, "POST", "/api/sys/webhooks", {
      rawBody: raw,
      headers: { "Content-Type": "application/json" },
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ Value: null, WasSuccessful: false });
    expect((r.json as { Errors: unknown[] }).Errors.length).toBeGreaterThan(0);
    expect(emu.records()).toHaveLength(before);
  });

  it.each([
    ["no Content-Type", undefined],
    ["text/plain", "text/plain;charset=UTF-8"],
    ["a form", "application/x-www-form-urlencoded"],
  ])("answers 415 to a JSON body sent with %s", async (_label, contentType) => {
    const before = emu.records().length;
    const r = await call(emu, "POST", "/api/sys/webhooks", {
      rawBody: JSON.stringify(webhookBody()),
      headers: contentType === undefined ? {} : { "Content-Type": contentType },
    });
    expect(r.status).toBe(415);
    expect(r.json).toMatchObject({
      WasSuccessful: false,
      Message: expect.stringMatching(/application\/json/),
    });
    expect(emu.records()).toHaveLength(before);
  });

  it("accepts application/json with a charset", async () => {
    const r = await call(emu, "POST", "/api/sys/webhooks", {
      rawBody: JSON.stringify(webhookBody()),
      headers: { "Content-Type": "application/json; charset=utf-8" },
    });
    expect(r.status).toBe(200);
  });
});

describe("get", () => {
  it("answers the full record with every documented field", async () => {
    const id = await createWebhook(emu, { Name: "Full", Description: "the description" });
    const r = await call(emu, "GET", `/api/sys/webhooks/${id}`);
    expect(r.status).toBe(200);
    const rec = r.json as Record<string, unknown>;
    expect(Object.keys(rec).sort()).toEqual(
      [
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
        "LocalizationDetails",
        "CustomFields",
      ].sort(),
    );
    expect(rec).toEqual({
      Id: id,
      UniqueId: expect.stringMatching(UUID),
      BusinessId: 1234,
      Name: "Full",
      Action: 6,
      Description: "the description",
      URL: "https://hooks.example.com/bookings",
      Active: true,
      LastError: null,
      ErrorCount: 0,
      LastTrigger: null,
      CreatedOn: expect.stringMatching(ISO_Z),
      UpdatedOn: expect.stringMatching(ISO_Z),
      UpdatedBy: "admin@example.com",
      IsNew: false,
      SystemId: null,
      ToStringText: "Full",
      LocalizationDetails: null,
      CustomFields: null,
    });
    expect(rec["CreatedOn"]).toBe(rec["UpdatedOn"]);
    expect(emu.requests().at(-1)).toMatchObject({
      route: "get",
      status: 200,
      path: `/api/sys/webhooks/${id}`,
    });
  });

  it.each(["1", "99999999", "abc"])('answers 404 "Not found" for Id %s', async (id) => {
    const r = await call(emu, "GET", `/api/sys/webhooks/${id}`);
    expect(r.status).toBe(404);
    expect(r.text).toBe('"Not found"');
    expect(r.json).toBe("Not found");
    expect(emu.requests().at(-1)).toMatchObject({ route: "get", status: 404 });
  });
});

describe("update (PUT, full replace)", () => {
  it("replaces the writable fields, clears left-out optional fields and keeps server fields", async () => {
    const id = await createWebhook(emu, { Description: "keep me?", Active: true });
    const before = emu.patch(id, {
      LastError: "HTTP 500",
      ErrorCount: 3,
      LastTrigger: "2025-01-15T10:30:00.000Z",
    });
    await new Promise((r) => setTimeout(r, 5));
    const r = await call(emu, "PUT", "/api/sys/webhooks", {
      auth: basic("editor@example.com", "pw"),
      body: {
        Id: id,
        BusinessId: 42,
        Name: "Renamed",
        Action: 7,
        URL: "https://hooks.example.com/v2",
      },
    });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      Status: 200,
      Message: "WebHook was successfully updated.",
      Value: { Id: id },
      OpenInDialog: false,
      OpenInWindow: false,
      RedirectURL: null,
      JavaScript: null,
      UpdatedOn: expect.stringMatching(ISO_Z),
      UpdatedBy: "editor@example.com",
      Errors: null,
      WasSuccessful: true,
    });
    const after = emu.record(id);
    expect(after).toEqual({
      ...before,
      BusinessId: 42,
      Name: "Renamed",
      ToStringText: "Renamed",
      Action: 7,
      URL: "https://hooks.example.com/v2",
      Description: null,
      Active: false,
      UpdatedOn: expect.stringMatching(ISO_Z),
      UpdatedBy: "editor@example.com",
    });
    expect(Date.parse(after!.UpdatedOn)).toBeGreaterThan(Date.parse(before.UpdatedOn));
    expect((r.json as { UpdatedOn: string }).UpdatedOn).toBe(after!.UpdatedOn);
    const got = await call(emu, "GET", `/api/sys/webhooks/${id}`);
    expect(got.json).toEqual(after);
  });

  it("accepts a body built from a GET (server fields are ignored)", async () => {
    const id = await createWebhook(emu);
    const got = (await call(emu, "GET", `/api/sys/webhooks/${id}`)).json as Record<string, unknown>;
    const r = await call(emu, "PUT", "/api/sys/webhooks", {
      body: { ...got, Name: "From GET", ErrorCount: 99, CreatedOn: "2000-01-01T00:00:00Z" },
    });
    expect(r.status).toBe(200);
    expect(emu.record(id)).toMatchObject({
      Name: "From GET",
      Description: got["Description"],
      Active: true,
      ErrorCount: 0,
      CreatedOn: got["CreatedOn"],
      UniqueId: got["UniqueId"],
    });
  });

  it('answers 404 "Not found" for an unknown Id and writes nothing', async () => {
    const before = emu.records();
    const r = await call(emu, "PUT", "/api/sys/webhooks", { body: webhookBody({ Id: 1 }) });
    expect(r.status).toBe(404);
    expect(r.json).toBe("Not found");
    expect(emu.records()).toEqual(before);
  });

  it("requires Id", async () => {
    const r = await call(emu, "PUT", "/api/sys/webhooks", { body: webhookBody() });
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      Message: "Id: is a required field",
      Value: null,
      Errors: [{ AttemptedValue: null, Message: "is a required field", PropertyName: "Id" }],
      WasSuccessful: false,
    });
  });

  it("validates like create", async () => {
    const id = await createWebhook(emu);
    const before = emu.record(id);
    const r = await call(emu, "PUT", "/api/sys/webhooks", {
      body: webhookBody({ Id: id, Action: 0, Name: "" }),
    });
    expect(r.status).toBe(400);
    const errors = (r.json as { Errors: { PropertyName: string }[] }).Errors;
    expect(errors.map((e) => e.PropertyName).sort()).toEqual(["Action", "Name"]);
    expect(emu.record(id)).toEqual(before);
  });
});

describe("delete", () => {
  it("answers the documented body, then 404 once gone", async () => {
    const id = await createWebhook(emu);
    const r = await call(emu, "DELETE", `/api/sys/webhooks/${id}`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      Status: 200,
      Message: "WebHook was successfully deleted.",
      Value: null,
      WasSuccessful: true,
      Errors: null,
    });
    expect(emu.record(id)).toBeUndefined();
    const again = await call(emu, "DELETE", `/api/sys/webhooks/${id}`);
    expect(again.status).toBe(404);
    expect(again.json).toBe("Not found");
    expect(emu.requests().map((e) => [e.route, e.status])).toEqual([
      ["create", 200],
      ["delete", 200],
      ["delete", 404],
    ]);
  });
});

describe("routing", () => {
  it("answers 405 for a method a route does not have, and 404 for an unknown path", async () => {
    const patch = await call(emu, "PATCH", "/api/sys/webhooks", { body: {} });
    expect(patch.status).toBe(405);
    expect(patch.headers.get("allow")).toBe("GET, POST, PUT");
    const unknown = await call(emu, "GET", "/api/sys/bookings");
    expect(unknown.status).toBe(404);
    expect(emu.requests().map((e) => [e.route, e.status])).toEqual([
      ["unknown", 405],
      ["unknown", 404],
    ]);
  });

  it("accepts a trailing slash and any letter case in the path", async () => {
    const r = await call(emu, "GET", "/API/Sys/WebHooks/?size=1");
    expect(r.status).toBe(200);
    expect(emu.requests()[0]).toMatchObject({ route: "search", query: "size=1" });
  });
});

describe("out-of-band handle methods", () => {
  it("insert, patch, record and remove work without the API and are not logged", () => {
    const r = emu.insert({ BusinessId: 1234, Action: 3, URL: "http://x", Name: "oob" });
    expect(r).toMatchObject({
      Active: true,
      Description: null,
      ErrorCount: 0,
      ToStringText: "oob",
    });
    expect(r.UniqueId).toMatch(UUID);
    const p = emu.patch(r.Id, { Active: false, Name: "oob2" });
    expect(p).toMatchObject({ Id: r.Id, Active: false, Name: "oob2", ToStringText: "oob2" });
    expect(emu.record(r.Id)).toEqual(p);
    expect(emu.remove(r.Id)).toBe(true);
    expect(emu.remove(r.Id)).toBe(false);
    expect(() => emu.patch(r.Id, { Active: true })).toThrow(/no record/);
    expect(emu.requests()).toEqual([]);
  });

  it("returns copies, not the stored objects", () => {
    const r = emu.insert({ BusinessId: 1234, Action: 3, URL: "http://x", Name: "copy" });
    const got = emu.record(r.Id)!;
    got.Name = "mutated";
    emu.records()[0]!.Name = "mutated";
    expect(emu.record(r.Id)?.Name).toBe("copy");
  });
});
