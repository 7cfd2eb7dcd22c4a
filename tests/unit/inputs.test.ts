import * as pulumi from "@pulumi/pulumi";
import {
  applyInputs,
  checkWebhookInputs,
  COMPUTED_OUTPUT_KEYS,
  computedOutputs,
  diffWebhook,
  outputsFromRecord,
  recordMatches,
  UNKNOWN,
  WEBHOOK_INPUT_KEYS,
  type WebhookInputs,
} from "../../provider/inputs";
import { WebhookAction, actionName, actionNumber, suggestAction } from "../../client/actions";
import type { WebhookRecord } from "../../client/schemas";

const valid = {
  businessId: 1234,
  name: "Bookings to Slack",
  action: "BookingCreate",
  url: "https://hooks.example.com/nexudus/bookings",
};

function failuresOf(news: Record<string, unknown>) {
  return checkWebhookInputs(news).failures;
}

test("the preview's unknown marker is the SDK's own", () => {
  expect(UNKNOWN).toBe(pulumi.runtime.unknownValue);
});

describe("WebhookAction", () => {
  it("holds all 90 actions with the enum's own spellings", () => {
    expect(Object.keys(WebhookAction)).toHaveLength(90);
    expect(WebhookAction.None).toBe(1);
    expect(WebhookAction.BookingCreate).toBe(6);
    expect(WebhookAction.HelDeskMessageCreated).toBe(45);
    expect(WebhookAction.CoworkerPaymentMethodUpdate).toBe(90);
    expect(new Set(Object.values(WebhookAction)).size).toBe(90);
    expect(actionName(21)).toBe("CoworkerInvoicePaid");
    expect(actionNumber("constructor")).toBeUndefined();
    expect(actionName(91)).toBeUndefined();
  });

  it.each([
    ["BookingCreated", "BookingCreate"],
    ["bookingcreate", "BookingCreate"],
    ["HelpDeskMessageCreated", "HelDeskMessageCreated"],
    ["CoworkerInvoicePayed", "CoworkerInvoicePaid"],
  ])("suggests %s -> %s", (typo, suggestion) => {
    expect(suggestAction(typo)).toBe(suggestion);
  });

  it("suggests nothing for something unlike any action", () => {
    expect(suggestAction("Xyzzy")).toBeUndefined();
  });
});

describe("checkWebhookInputs", () => {
  it("normalises the action name to its number and fills defaults", () => {
    const { inputs, failures } = checkWebhookInputs({ ...valid, __provider: "code" });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      businessId: 1234,
      name: "Bookings to Slack",
      action: 6,
      actionName: "BookingCreate",
      url: valid.url,
      description: null,
      active: true,
      adopt: false,
      __provider: "code",
    });
  });

  it("takes back the actionName it derived (read's inputs are checked again) but not another one", () => {
    const first = checkWebhookInputs(valid).inputs;
    const again = checkWebhookInputs(first);
    expect(again.failures).toEqual([]);
    expect(again.inputs).toEqual(first);
    expect(checkWebhookInputs({ ...valid, actionName: "TeamCreated" }).failures).toEqual([
      {
        property: "actionName",
        reason:
          'actionName is derived from action (BookingCreate); leave it out; got the string "TeamCreated"',
      },
    ]);
  });

  it("treats the action name and its number the same", () => {
    expect(checkWebhookInputs({ ...valid, action: 6 }).inputs).toEqual(
      checkWebhookInputs(valid).inputs,
    );
  });

  it.each<[string, Record<string, unknown>, string, string | RegExp]>([
    [
      "relative url",
      { url: "/hook" },
      "url",
      "url must be an absolute http(s) URL; got a string of 5 characters (not quoted: it may be a secret)",
    ],
    [
      "ftp url",
      { url: "ftp://x.example.com/h" },
      "url",
      /url must be an absolute http\(s\) URL; got the scheme "ftp"/,
    ],
    ["url with a space", { url: "https://x.example.com/a b" }, "url", /without spaces/],
    ["empty url", { url: "" }, "url", /empty string/],
    ["numeric url", { url: 5 }, "url", /got number 5/],
    [
      "misspelt action",
      { action: "BookingCreated" },
      "action",
      'action "BookingCreated" is not a Nexudus webhook action; did you mean "BookingCreate"?',
    ],
    ["None by name", { action: "None" }, "action", /action None \(1\) fires for nothing/],
    ["None by number", { action: 1 }, "action", /action None \(1\) fires for nothing/],
    ["action 0", { action: 0 }, "action", /numbers run from 1 to 90/],
    ["action 91", { action: 91 }, "action", /numbers run from 1 to 90/],
    ["action 6.5", { action: 6.5 }, "action", /not a Nexudus webhook action/],
    ["action boolean", { action: true }, "action", /must be a Nexudus webhook action name/],
    [
      "negative businessId",
      { businessId: -1 },
      "businessId",
      /businessId must be a positive integer/,
    ],
    ["zero businessId", { businessId: 0 }, "businessId", /businessId must be a positive integer/],
    [
      "fractional businessId",
      { businessId: 1.5 },
      "businessId",
      /businessId must be a positive integer/,
    ],
    ["huge businessId", { businessId: 2 ** 40 }, "businessId", /no greater than 2147483647/],
    ["string businessId", { businessId: "1234" }, "businessId", /got the string "1234"/],
    ["empty name", { name: "" }, "name", /name must be a non-empty string, not empty/],
    ["blank name", { name: "   " }, "name", /not only white space/],
    ["numeric name", { name: 7 }, "name", /name must be a non-empty string/],
    ["long name", { name: "x".repeat(256) }, "name", /at most 255/],
    ["numeric description", { description: 3 }, "description", /description must be a string/],
    ["string active", { active: "yes" }, "active", /active must be a boolean/],
    ["string adopt", { adopt: "true" }, "adopt", /adopt must be a boolean/],
    ["unknown argument", { colour: "red" }, "colour", /unknown argument "colour"/],
  ])("rejects %s naming the property", (_label, patch, property, reason) => {
    const failures = failuresOf({ ...valid, ...patch });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.property).toBe(property);
    if (typeof reason === "string") expect(failures[0]!.reason).toBe(reason);
    else expect(failures[0]!.reason).toMatch(reason);
  });

  it("reports every missing required argument", () => {
    expect(
      failuresOf({})
        .map((f) => f.property)
        .sort(),
    ).toEqual(["action", "businessId", "name", "url"]);
  });

  it("lets values not known yet in a preview through untouched", () => {
    const news = {
      businessId: UNKNOWN,
      name: UNKNOWN,
      action: UNKNOWN,
      url: UNKNOWN,
      active: UNKNOWN,
    };
    const { inputs, failures } = checkWebhookInputs(news);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject(news);
  });
});

const olds = {
  businessId: 1234,
  name: "Bookings",
  action: 6,
  url: "https://a.example.com/",
  description: null,
  active: true,
  adopt: false,
  webhookId: 1,
  lastError: "HTTP 500",
  errorCount: 3,
  lastTrigger: "2026-01-01T00:00:00Z",
};

describe("diffWebhook", () => {
  const news = {
    businessId: 1234,
    name: "Bookings",
    action: 6,
    url: "https://a.example.com/",
    description: null,
    active: true,
    adopt: false,
  };

  it("finds no change when only server-side fields and adopt differ", () => {
    expect(diffWebhook(olds, { ...news, adopt: true })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
      diffs: [],
    });
  });

  it.each([
    ["name", "Renamed"],
    ["action", 7],
    ["url", "https://b.example.com/"],
    ["description", "now described"],
    ["active", false],
  ])("updates in place when %s changes", (key, value) => {
    const d = diffWebhook(olds, { ...news, [key]: value });
    expect(d).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false, diffs: [key] });
  });

  it("replaces (new before old) when the location changes or is not known yet", () => {
    for (const businessId of [99, UNKNOWN]) {
      const d = diffWebhook(olds, { ...news, businessId });
      expect(d.changes).toBe(true);
      expect(d.replaces).toEqual(["businessId"]);
      expect(d.deleteBeforeReplace).toBe(false);
    }
  });

  it("counts an unknown value as a change", () => {
    expect(diffWebhook(olds, { ...news, url: UNKNOWN }).diffs).toEqual(["url"]);
  });

  it("treats an empty description and none alike", () => {
    expect(diffWebhook({ ...olds, description: "" }, news).changes).toBe(false);
  });
});

const record: WebhookRecord = {
  Id: 42,
  UniqueId: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
  BusinessId: 1234,
  Name: "Bookings",
  Action: 6,
  Description: "kept",
  URL: "https://a.example.com/",
  Active: false,
  LastError: "HTTP 500",
  ErrorCount: 10,
  LastTrigger: null,
  CreatedOn: "2026-01-01T00:00:00Z",
  UpdatedOn: "2026-01-02T00:00:00Z",
  UpdatedBy: "admin@example.com",
  IsNew: false,
  SystemId: "ext-1",
  ToStringText: "Bookings",
  LocalizationDetails: null,
  CustomFields: null,
} as WebhookRecord;

describe("records and outputs", () => {
  const inputs: WebhookInputs = {
    businessId: 1234,
    name: "Bookings",
    action: 6,
    url: "https://a.example.com/",
    description: "kept",
    active: true,
    adopt: false,
  };

  it("maps a record to outputs with no undefined values", () => {
    const outs = outputsFromRecord(record, false);
    expect(Object.values(outs)).not.toContain(undefined);
    expect(outs).toMatchObject({
      webhookId: 42,
      actionName: "BookingCreate",
      active: false,
      errorCount: 10,
    });
  });

  it("outputs are the inputs and the computed outputs, the keys the WebHook class registers", () => {
    const outs = outputsFromRecord(record, false);
    expect(Object.keys(outs).sort()).toEqual(
      [...WEBHOOK_INPUT_KEYS, ...COMPUTED_OUTPUT_KEYS].sort(),
    );
    // serverForms only when a declared value is stored in another form
    const forms = { name: { declared: "a", stored: "b" } };
    expect(outputsFromRecord(record, false, forms).serverForms).toEqual(forms);
  });

  it("a record known only by its id has every computed output, as null or 0", () => {
    expect(computedOutputs({ Id: 7 })).toEqual({
      webhookId: 7,
      uniqueId: null,
      actionName: null,
      lastError: null,
      errorCount: 0,
      lastTrigger: null,
      createdOn: null,
      updatedOn: null,
      updatedBy: null,
    });
  });

  it("builds a PUT body from the fresh record, keeping unmanaged fields", () => {
    const body = applyInputs(record, { ...inputs, name: "New" });
    expect(body).toMatchObject({
      Id: 42,
      Name: "New",
      Active: true,
      SystemId: "ext-1",
      Description: "kept",
    });
  });

  it("tells whether a record already has the declared values", () => {
    expect(recordMatches(record, inputs)).toBe(false);
    expect(recordMatches({ ...record, Active: true }, inputs)).toBe(true);
  });
});
