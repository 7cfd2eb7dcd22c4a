/**
 * A WebhookSet's arguments as a schema (sdk/setArgs.ts): every problem named by its path, with
 * did-you-means for actions and argument names; values given as Outputs taken as they are; the
 * valid form handed to a planner that is a pure function of it (provider/setPlan.ts planValidSet).
 */
import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../provider/inputs";
import { planValidSet } from "../../provider/setPlan";
import {
  formatPath,
  parseWebhookSetArgs,
  WebhookSetArgsError,
  type ValidWebhookSetArgs,
  type WebhookSetArgs,
} from "../../provider/setArgs";

const URL = "https://hooks.example.com/nexudus";

function problems(args: unknown): string[] {
  try {
    parseWebhookSetArgs("hq", args as WebhookSetArgs);
  } catch (e) {
    expect(e).toBeInstanceOf(WebhookSetArgsError);
    return (e as WebhookSetArgsError).problems;
  }
  throw new Error("expected a WebhookSetArgsError");
}

describe("formatPath", () => {
  test.each([
    [["hooks", 3, "url"], "hooks[3].url"],
    [["alsoKeep", "namePrefixes", 1], "alsoKeep.namePrefixes[1]"],
    [["businessId"], "businessId"],
    [[], "arguments"],
  ])("%j reads %s", (path, text) => {
    expect(formatPath(path)).toBe(text);
  });
});

describe("every problem names its path", () => {
  test.each<[string, Record<string, unknown>, string]>([
    [
      "a hook's url, deep in the list",
      { hooks: ["BookingCreate", "BookingUpdate", "TeamCreated", { action: 7, url: "ftp://x" }] },
      'hooks[3].url must be an absolute http(s) URL; got the scheme "ftp"',
    ],
    [
      "a misspelt action, with the suggestion",
      { hooks: ["BookingCreate", "BokingUpdate"] },
      'hooks[1].action "BokingUpdate" is not a Nexudus webhook action; did you mean "BookingUpdate"?',
    ],
    [
      "a misspelt hook field, with the suggestion",
      { hooks: [{ action: "BookingCreate", urll: URL }] },
      'hooks[0] has an unknown field "urll"; a hook takes action, url, name, description, active, adopt, key; did you mean "url"?',
    ],
    [
      "a misspelt set argument, with the suggestion",
      { hooks: ["BookingCreate"], exclusiv: true },
      'unknown argument "exclusiv"; a WebhookSet takes businessId, url, hooks, namePrefix, active, adopt, exclusive, alsoKeep; did you mean "exclusive"?',
    ],
    [
      "a field far from every name: no suggestion",
      { hooks: [{ action: "BookingCreate", colour: "red" }] },
      'hooks[0] has an unknown field "colour"; a hook takes action, url, name, description, active, adopt, key',
    ],
    [
      "alsoKeep's own fields",
      { hooks: ["BookingCreate"], alsoKeep: { otherSet: false } },
      'alsoKeep has an unknown field "otherSet"; alsoKeep takes ids, namePrefixes, otherSets; did you mean "otherSets"?',
    ],
    [
      "an alsoKeep prefix by its index",
      { hooks: ["BookingCreate"], alsoKeep: { namePrefixes: ["ops", ""] } },
      "alsoKeep.namePrefixes[1] must be a non-empty string, not empty",
    ],
    [
      "an alsoKeep id by its index",
      { hooks: ["BookingCreate"], alsoKeep: { ids: [12, -3] } },
      "alsoKeep.ids[1] must be a webhook id (a positive integer); got number -3",
    ],
    [
      "alsoKeep.otherSets is plain",
      { hooks: ["BookingCreate"], alsoKeep: { otherSets: pulumi.output(false) } },
      "alsoKeep.otherSets must be a plain boolean, not an Output: it decides which webhooks are kept",
    ],
    [
      "a key given as the engine's unknown marker (a component's input in a preview)",
      { hooks: [{ action: "BookingCreate", key: UNKNOWN }] },
      "hooks[0].key must be a plain string, not an Output: the hook's resource name is derived from it",
    ],
    [
      "a namePrefix not known yet",
      { hooks: ["BookingCreate"], namePrefix: pulumi.output("ops") },
      "namePrefix must be a plain string, not an Output: it is part of every hook's Name",
    ],
    [
      "the set's default active",
      { hooks: ["BookingCreate"], active: "yes" },
      'active must be a boolean; got the string "yes"',
    ],
    [
      "a hook's adopt",
      { hooks: [{ action: "BookingCreate", adopt: 1 }] },
      "hooks[0].adopt must be a boolean; got number 1",
    ],
    [
      "hooks that are no list",
      { hooks: "BookingCreate" },
      'hooks must be a list of actions or {action, url?, ...} objects; got the string "BookingCreate"',
    ],
    [
      "hooks missing",
      { hooks: undefined },
      "hooks must be a list of actions or {action, url?, ...} objects; got nothing (the argument is missing)",
    ],
    [
      "alsoKeep that is no object",
      { hooks: ["BookingCreate"], alsoKeep: ["ops"] },
      "alsoKeep must be an object; got an array",
    ],
  ])("%s", (_, args, expected) => {
    expect(problems({ businessId: 1234, url: URL, ...args })).toEqual([expected]);
  });

  test("a missing businessId and a missing action", () => {
    expect(problems({ url: URL, hooks: [{ url: URL }] })).toEqual([
      "businessId is required",
      "hooks[0].action is required",
    ]);
  });

  test("the set-wide rules run once every field is valid, and name both entries", () => {
    expect(
      problems({ businessId: 1, url: URL, hooks: ["BookingCreate", { action: 6, url: URL }] }),
    ).toEqual([`hooks[0] and hooks[1] both declare BookingCreate for ${URL}; remove one`]);
  });
});

describe("what is valid", () => {
  test("Outputs are taken as they are, for each WebHook to check once known", () => {
    const url = pulumi.secret(URL);
    const businessId = pulumi.output(1234);
    const valid = parseWebhookSetArgs("hq", {
      businessId,
      url,
      hooks: ["BookingCreate", { action: "TeamCreated", name: pulumi.output("x") }],
    });
    expect(valid.businessId).toBe(businessId);
    expect(valid.url).toBe(url);
    expect(valid.hooks.map((h) => [h.index, h.action, h.actionName])).toEqual([
      [0, 6, "BookingCreate"],
      [1, 57, "TeamCreated"],
    ]);
  });

  test("defaults of the valid form: namePrefix is the set's name, alsoKeep filled in", () => {
    const valid = parseWebhookSetArgs("hq", { businessId: 1, url: URL, hooks: [7] });
    expect(valid).toEqual({
      businessId: 1,
      url: URL,
      hooks: [{ index: 0, action: 7, actionName: "BookingUpdate" }],
      namePrefix: "hq",
      exclusive: false,
      alsoKeep: { ids: [], namePrefixes: [], otherSets: true },
    });
  });
});

describe("planValidSet: a pure function of the valid form", () => {
  const valid: ValidWebhookSetArgs = {
    businessId: 1234,
    url: URL,
    hooks: [
      { index: 0, action: 6, actionName: "BookingCreate" },
      { index: 1, action: 6, actionName: "BookingCreate", url: "https://b.example.com/", key: "b" },
      { index: 2, action: 57, actionName: "TeamCreated", active: false, description: "teams" },
    ],
    namePrefix: "ops",
    exclusive: false,
    alsoKeep: { ids: [], namePrefixes: [], otherSets: true },
  };

  test("names, aliases and defaults; same input, same plan; the input untouched", () => {
    const frozen = JSON.stringify(valid);
    const plan = planValidSet("hq", valid);
    expect(JSON.stringify(valid)).toBe(frozen);
    expect(planValidSet("hq", valid)).toEqual(plan);
    expect(plan.map((p) => [p.childName, p.aliases])).toEqual([
      [expect.stringMatching(/^hq-BookingCreate-[0-9a-f]{8}$/), ["hq-BookingCreate"]],
      ["hq-BookingCreate-b", [expect.stringMatching(/^hq-BookingCreate-[0-9a-f]{8}$/)]],
      // a lone hook answers to its hashed name too (a second TeamCreated hook was just removed)
      ["hq-TeamCreated", [expect.stringMatching(/^hq-TeamCreated-[0-9a-f]{8}$/)]],
    ]);
    expect(plan[2]!.args).toEqual({
      businessId: 1234,
      name: "ops TeamCreated",
      action: "TeamCreated",
      url: URL,
      active: false,
      adopt: false,
      description: "teams",
    });
  });
});
