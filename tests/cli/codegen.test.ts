/**
 * The program `export` writes, as text: identifiers, escaping, the records it leaves out, and the
 * `--set` form. (Compiling and running the program is in export.test.ts.)
 */
import { generateProgram, identifierFor } from "../../cli/codegen";
import type { WebhookRecord } from "../../client/schemas";

let nextId = 100;
function record(fields: Partial<WebhookRecord> = {}): WebhookRecord {
  const id = fields.Id ?? nextId++;
  return {
    Id: id,
    BusinessId: 1234,
    Name: `Hook ${id}`,
    Action: 6,
    URL: `https://hooks.example.com/${id}`,
    Active: true,
    Description: null,
    ...fields,
  };
}

describe("identifierFor", () => {
  test.each([
    [6, 87654321, "bookingCreate_87654321"],
    [45, 7, "helDeskMessageCreated_7"],
    [21, 12, "coworkerInvoicePaid_12"],
    [95, 3, "action95_3"],
  ])("action %i, id %i -> %s", (action, id, expected) => {
    const name = identifierFor({ Action: action, Id: id });
    expect(name).toBe(expected);
    expect(name).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/);
  });
});

describe("generateProgram", () => {
  test("one WebHook per record, every field, adopt: true, in id order", () => {
    const a = record({ Id: 2, Action: 3, Active: false, Description: "Members" });
    const b = record({ Id: 1, Name: "Bookings" });
    const { code, names, skipped } = generateProgram([a, b], { businessId: 1234, set: false });
    expect(names).toEqual(["bookingCreate_1", "coworkerCreate_2"]);
    expect(skipped).toEqual([]);
    const body = code.slice(code.indexOf("import "));
    expect(body).toBe(
      `import * as nexudus from "pulumi-nexudus";

const bookingCreate_1 = new nexudus.WebHook("bookingCreate_1", {
  businessId: 1234,
  name: "Bookings",
  action: "BookingCreate",
  url: "https://hooks.example.com/1",
  active: true,
  adopt: true,
});

const coworkerCreate_2 = new nexudus.WebHook("coworkerCreate_2", {
  businessId: 1234,
  name: "Hook 2",
  action: "CoworkerCreate",
  url: "https://hooks.example.com/2",
  description: "Members",
  active: false,
  adopt: true,
});

/** The Nexudus id of each webhook, by resource name. */
export const webhookIds = {
  bookingCreate_1: bookingCreate_1.webhookId,
  coworkerCreate_2: coworkerCreate_2.webhookId,
};
`,
    );
    expect(code).toMatch(
      /^\/\/ The webhooks of Nexudus location 1234, written by `nexudus-webhooks export --business 1234`\./,
    );
  });

  test("--set: one WebhookSet whose hooks keep their names, keyed by id", () => {
    const a = record({ Id: 11, Action: 21, Description: 'Say "paid"' });
    const b = record({ Id: 12, Action: 21, URL: "https://hooks.example.com/other", Active: false });
    const { code, names } = generateProgram([b, a], { businessId: 1234, set: true });
    expect(names).toEqual(["11", "12"]);
    expect(code.slice(code.indexOf("import "))).toBe(
      `import * as nexudus from "pulumi-nexudus";

const location1234 = new nexudus.WebhookSet("location1234", {
  businessId: 1234,
  adopt: true,
  hooks: [
    {
      key: "11",
      name: "Hook 11",
      action: "CoworkerInvoicePaid",
      url: "https://hooks.example.com/11",
      description: "Say \\"paid\\"",
      active: true,
    },
    {
      key: "12",
      name: "Hook 12",
      action: "CoworkerInvoicePaid",
      url: "https://hooks.example.com/other",
      active: false,
    },
  ],
});

/** The Nexudus ids of the hooks, in the order of \`hooks\`. */
export const webhookIds = location1234.webhookIds;
`,
    );
    expect(code).toContain("`nexudus-webhooks export --business 1234 --set`");
  });

  test("strings are escaped as JSON, so they survive quotes, newlines and template syntax", () => {
    const tricky = 'He said "hi" \\ `${process.exit(1)}` \n\u2028 ünïcødé 🎉 */';
    const { code } = generateProgram([record({ Id: 5, Name: tricky, Description: tricky })], {
      businessId: 1234,
      set: false,
    });
    const lines = code.split("\n").filter((l) => l.includes("He said"));
    expect(lines).toEqual([
      `  name: ${JSON.stringify(tricky)},`,
      `  description: ${JSON.stringify(tricky)},`,
    ]);
    // The literal evaluates back to the exact value.
    const literal = lines[0]!.slice("  name: ".length, -1);
    expect(JSON.parse(literal)).toBe(tricky);
  });

  test("names are stable: the same records give the same program whatever their order", () => {
    const records = [record(), record({ Action: 7 }), record({ Action: 3 })];
    const one = generateProgram(records, { businessId: 1234, set: false });
    const two = generateProgram([...records].reverse(), { businessId: 1234, set: false });
    expect(two.code).toBe(one.code);
  });

  test("records `pulumi up` could not adopt are left out, with the reason", () => {
    const ok = record({ Id: 1 });
    const none = record({ Id: 2, Action: 1, Name: "Nothing" });
    const badUrl = record({ Id: 3, URL: "ftp://files.example.com/x" });
    const blank = record({ Id: 4, Name: "   " });
    const dupA = record({ Id: 5, Action: 7, URL: "https://hooks.example.com/same" });
    const dupB = record({ Id: 6, Action: 7, URL: "https://hooks.example.com/same" });
    const sameUrlOtherAction = record({ Id: 7, Action: 8, URL: "https://hooks.example.com/same" });
    const unknownAction = record({ Id: 8, Action: 95 });
    const { code, names, skipped } = generateProgram(
      [ok, none, badUrl, blank, dupA, dupB, sameUrlOtherAction, unknownAction],
      { businessId: 1234, set: false },
    );
    expect(names).toEqual(["bookingCreate_1", "bookingDelete_7"]);
    expect(skipped.map((s) => s.id)).toEqual([2, 3, 4, 5, 6, 8]);
    const reasons = Object.fromEntries(skipped.map((s) => [s.id, s.reasons.join("; ")]));
    expect(reasons[2]).toContain("None (1) fires for nothing");
    expect(reasons[3]).toContain('got the scheme "ftp"');
    expect(reasons[4]).toContain("name must be a non-empty string");
    expect(reasons[5]).toContain("2 webhooks (ids 5, 6) share this action and URL");
    expect(reasons[6]).toBe(reasons[5]);
    expect(reasons[8]).toContain("action 95 is not a Nexudus webhook action");
    expect(code).toContain("// Not exported (fix them in Nexudus, then export again):");
    expect(code).toContain('// - 2 "Nothing": action None (1) fires for nothing');
    expect(code.match(/new nexudus\.WebHook\(/g)).toHaveLength(2);
  });

  test("a location without webhooks gives a valid, empty program", () => {
    const hooks = generateProgram([], { businessId: 9, set: false });
    expect(hooks.code).toContain("export const webhookIds = {};");
    const set = generateProgram([], { businessId: 9, set: true });
    expect(set.code).toContain("  hooks: [],\n});\n");
  });
});
