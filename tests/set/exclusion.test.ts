/**
 * The WebhookSetExclusion provider's pure parts: input validation and normalisation, the
 * managed-record rule, and the diff. (Its API calls run through the host in host.test.ts.)
 */
import {
  checkExclusionInputs,
  exclusionProvider,
  keepRule,
  unmanagedRecords,
  urlSha256,
  type ExclusionInputs,
} from "../../provider/exclusion";
import { UNKNOWN } from "../../provider/inputs";
import type { WebhookSummary } from "../../client/schemas";

function row(
  Id: number,
  Name: string,
  Action = 6,
  URL = `https://x.example.com/${Id}`,
  BusinessId = 1234,
): WebhookSummary {
  return { Id, BusinessId, Name, Action, URL, Active: true };
}
function inputs(news: Record<string, unknown>): ExclusionInputs {
  const { inputs: checked, failures } = checkExclusionInputs(news);
  expect(failures).toEqual([]);
  return checked;
}

describe("checkExclusionInputs", () => {
  test("sorts and deduplicates lists, keeps one unknown marker, defaults absent lists to []", () => {
    expect(
      inputs({
        __provider: "code",
        businessId: 1234,
        memberIds: [30, 10, UNKNOWN, 10, UNKNOWN, 2],
        keepNamePrefixes: ["b", "a", "b"],
      }),
    ).toEqual({
      businessId: 1234,
      memberIds: [2, 10, 30, UNKNOWN],
      keepIds: [],
      alsoKeepIds: [],
      keepNamePrefixes: ["a", "b"],
      adoptable: [],
      unmanaged: UNKNOWN,
    });
    expect(inputs({ businessId: UNKNOWN, memberIds: UNKNOWN, keepIds: UNKNOWN })).toMatchObject({
      businessId: UNKNOWN,
      memberIds: UNKNOWN,
      keepIds: UNKNOWN,
    });
  });

  test("names each bad property", () => {
    const { failures } = checkExclusionInputs({
      businessId: 0,
      memberIds: [1, "2"],
      keepIds: 5,
      keepNamePrefixes: [""],
      adoptable: [{ action: 6, urlSha256: "short" }],
      extra: true,
    });
    expect(failures).toEqual([
      {
        property: "extra",
        reason:
          'unknown argument "extra"; a WebhookSetExclusion takes businessId, memberIds, keepIds, alsoKeepIds, keepNamePrefixes, adoptable',
      },
      {
        property: "businessId",
        reason: expect.stringContaining(
          "businessId must be a positive integer",
        ) as unknown as string,
      },
      {
        property: "memberIds",
        reason: 'memberIds[1] must be a positive integer webhook id; got the string "2"',
      },
      {
        property: "keepIds",
        reason: "keepIds must be a list of positive integer webhook ids; got number 5",
      },
      {
        property: "keepNamePrefixes",
        reason: 'keepNamePrefixes[0] must be a non-empty string; got the string ""',
      },
      {
        property: "adoptable",
        reason:
          "adoptable[0] must be {action: an action number, urlSha256: 64 lower-case hex digits}; got an object",
      },
    ]);
  });
});

describe("the managed-record rule", () => {
  const records = [
    row(1, "hq BookingCreate"),
    row(2, "Legacy"),
    row(3, "team TeamCreated", 57),
    row(4, "teamwork export"), // starts with "team" but not "team "
    row(5, "Other location", 6, "https://x.example.com/5", 9999),
    row(6, "hand made", 7, "https://hand.example.com/"),
  ];
  const ids = (list: { id: number }[]) => list.map((w) => w.id);

  test("keeps the set's ids, the other ids and other sets' prefixes; other locations are never touched", () => {
    const rule = keepRule(
      inputs({ businessId: 1234, memberIds: [1], keepIds: [6], keepNamePrefixes: ["team"] }),
      {},
    )!;
    const listed = unmanagedRecords(records, rule);
    expect(listed).toEqual([
      { id: 2, name: "Legacy", action: "BookingCreate" },
      { id: 4, name: "teamwork export", action: "BookingCreate" },
    ]);
    expect(JSON.stringify(listed)).not.toContain("https://");
  });

  test("a hook that just left the set is not listed (its own resource deletes it)", () => {
    const olds = { businessId: 1234, memberIds: [1, 2], keepIds: [] };
    const news = inputs({ businessId: 1234, memberIds: [1] });
    expect(ids(unmanagedRecords(records, keepRule(news, olds)!))).toEqual([3, 4, 6]);
    // ... unless the location changed
    expect(ids(unmanagedRecords(records, keepRule(news, { ...olds, businessId: 1 })!))).toEqual([
      2, 3, 4, 6,
    ]);
  });

  test("while ids are unknown, the previous keepIds and adoptable records are kept too", () => {
    const olds = { businessId: 1234, memberIds: [1], keepIds: [3] };
    const adoptable = [{ action: 7, urlSha256: urlSha256("https://hand.example.com/") }];
    const pending = inputs({
      businessId: 1234,
      memberIds: [1, UNKNOWN],
      keepIds: UNKNOWN,
      adoptable,
    });
    expect(ids(unmanagedRecords(records, keepRule(pending, olds)!))).toEqual([2, 4]);
    const known = inputs({ businessId: 1234, memberIds: [1], keepIds: [], adoptable });
    expect(ids(unmanagedRecords(records, keepRule(known, olds)!))).toEqual([2, 3, 4, 6]);
  });

  test("cannot tell while the location or the prefixes are unknown", () => {
    expect(keepRule(inputs({ businessId: UNKNOWN, memberIds: [1] }), {})).toBeUndefined();
    expect(keepRule(inputs({ businessId: 1234, keepNamePrefixes: UNKNOWN }), {})).toBeUndefined();
    expect(
      keepRule(inputs({ businessId: 1234, keepNamePrefixes: ["a", UNKNOWN] }), {}),
    ).toBeUndefined();
  });
});

describe("diff", () => {
  const outs = {
    businessId: 1234,
    memberIds: [1, 2],
    keepIds: [],
    keepNamePrefixes: ["a"],
    adoptable: [],
    unmanaged: [],
  };
  const diff = (news: Record<string, unknown>) =>
    exclusionProvider.diff("exclusive-1234", outs, news);

  test("no change when nothing is unmanaged and the inputs are the same (in any order)", async () => {
    const news = inputs({ businessId: 1234, memberIds: [2, 1], keepNamePrefixes: ["a"] });
    expect(await diff({ ...news, unmanaged: [] })).toMatchObject({ changes: false, replaces: [] });
  });

  test("a change when something is unmanaged, not known yet, or an input changed; never a replacement", async () => {
    const same = { ...inputs({ businessId: 1234, memberIds: [1, 2], keepNamePrefixes: ["a"] }) };
    expect(
      await diff({ ...same, unmanaged: [{ id: 9, name: "x", action: "BookingCreate" }] }),
    ).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect(await diff({ ...same, unmanaged: UNKNOWN })).toMatchObject({ changes: true });
    expect(await diff({ ...same, memberIds: [1, 2, 3], unmanaged: [] })).toMatchObject({
      changes: true,
    });
    expect(await diff({ ...same, memberIds: [1, UNKNOWN], unmanaged: [] })).toMatchObject({
      changes: true,
    });
    expect(await diff({ ...same, businessId: 5678, unmanaged: [] })).toMatchObject({
      changes: true,
      replaces: [],
    });
  });
});

describe("create and update refuse to guess", () => {
  test("without the list check computed, nothing is deleted", async () => {
    await expect(exclusionProvider.create({ businessId: 1234, memberIds: [1] })).rejects.toThrow(
      "the list of webhooks to delete was not computed",
    );
    await expect(
      exclusionProvider.update(
        "exclusive-1234",
        {},
        { businessId: 1234, memberIds: [1], unmanaged: UNKNOWN },
      ),
    ).rejects.toThrow("nothing was deleted");
  });
});
