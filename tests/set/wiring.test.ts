/**
 * WebhookSet wiring under setMocks: which children it declares, with which names, inputs,
 * aliases and options, and which arguments it refuses before registering anything.
 */
import * as pulumi from "@pulumi/pulumi";
import { urlSha256 } from "../../provider/exclusion";
import { UNKNOWN } from "../../provider/inputs";
import { planWebhookSet, urlNameHash } from "../../provider/setPlan";
import {
  WebhookSet,
  WebhookSetArgsError,
  type WebhookSetArgs,
  type WebhookSetHook,
} from "../../sdk/webhookSet";
import * as sdk from "../../sdk";
import { thrownBy } from "../../testing/thrown";
import { captureSet, EXCLUSION_TYPE, SET_TYPE, valueOf, WEBHOOK_TYPE } from "./helpers";
import { providerSource } from "../../sdk/providerSource";

const URL = "https://hooks.example.com/nexudus";
const BILLING = "https://billing.example.com/hook";
const OTHER = "https://other.example.com/hook";

/** The issue's example. */
const issueArgs = (): WebhookSetArgs => ({
  businessId: 1234,
  url: URL,
  hooks: [
    "BookingCreate",
    "BookingUpdate",
    "BookingDelete",
    { action: "CoworkerInvoicePaid", url: BILLING, description: "Billing sync" },
  ],
  namePrefix: "ops",
  active: true,
  adopt: false,
  exclusive: false,
});

/** Inputs without `__provider`, for comparisons. */
function plain(inputs: Record<string, unknown>): Record<string, unknown> {
  const { __provider: _p, ...rest } = inputs;
  return rest;
}

const errorOf = (fn: () => unknown) => thrownBy(fn) as Error;

describe("the issue's example", () => {
  let set: WebhookSet;
  let captured: Awaited<ReturnType<typeof captureSet>>;
  beforeAll(async () => {
    captured = await captureSet(() => {
      set = new WebhookSet("hq", issueArgs());
    });
  });

  test("declares one component and one WebHook per hook, named after the action", () => {
    const component = captured.byName("hq");
    expect(component.type).toBe(SET_TYPE);
    expect(component.custom).toBe(false);
    expect(captured.names(WEBHOOK_TYPE)).toEqual([
      "hq-BookingCreate",
      "hq-BookingDelete",
      "hq-BookingUpdate",
      "hq-CoworkerInvoicePaid",
    ]);
    expect(captured.names(EXCLUSION_TYPE)).toEqual([]);
    for (const name of captured.names(WEBHOOK_TYPE)) {
      const child = captured.byName(name);
      expect(child.parent).toBe(component.urn);
      expect(child.urn).toBe(`urn:pulumi:stack::project::${SET_TYPE}$${WEBHOOK_TYPE}::${name}`);
    }
  });

  test("children get the set's defaults, the Name '<prefix> <Action>' and their own overrides", () => {
    expect(plain(captured.byName("hq-BookingCreate").inputs)).toEqual({
      businessId: 1234,
      name: "ops BookingCreate",
      action: "BookingCreate",
      url: URL,
      active: true,
      adopt: false,
    });
    expect(plain(captured.byName("hq-CoworkerInvoicePaid").inputs)).toEqual({
      businessId: 1234,
      name: "ops CoworkerInvoicePaid",
      action: "CoworkerInvoicePaid",
      url: BILLING,
      description: "Billing sync",
      active: true,
      adopt: false,
    });
  });

  test("the children carry the WebHook shim as provider, which captures nothing", () => {
    const provider = String(captured.byName("hq-BookingDelete").inputs.__provider);
    expect(provider).toBe(providerSource("webhookProvider"));
    expect(provider).not.toMatch(/zod|hooks\.example\.com|emulator-admin-token/);
  });

  test("webhooks and webhookIds map the children's outputs", async () => {
    const ids = await valueOf(set.webhookIds);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    const webhooks = await valueOf(set.webhooks);
    expect(Object.keys(webhooks).sort()).toEqual(captured.names(WEBHOOK_TYPE));
    expect(webhooks["hq-CoworkerInvoicePaid"]).toEqual({
      webhookId: ids[3],
      action: "CoworkerInvoicePaid",
      url: BILLING,
      active: true,
    });
    expect(webhooks["hq-BookingCreate"]?.webhookId).toBe(ids[0]);
    expect(Object.keys(set.resources).sort()).toEqual(captured.names(WEBHOOK_TYPE));
    expect(set.namePrefix).toBe("ops");
    expect(set.exclusion).toBeUndefined();
  });

  test("is exported from the package entry point", () => {
    expect(sdk.WebhookSet).toBe(WebhookSet);
    expect(sdk.WebhookSetExclusion).toBeDefined();
  });
});

describe("defaults and overrides", () => {
  test("namePrefix defaults to the set's name; active/adopt default to true/false", () => {
    const plan = planWebhookSet("eu-west", { businessId: 7, url: URL, hooks: ["TeamCreated", 6] });
    expect(
      plan.map((p) => [p.childName, p.args.name, p.args.action, p.args.active, p.args.adopt]),
    ).toEqual([
      ["eu-west-TeamCreated", "eu-west TeamCreated", "TeamCreated", true, false],
      ["eu-west-BookingCreate", "eu-west BookingCreate", "BookingCreate", true, false],
    ]);
  });

  test("set-level active/adopt apply to every hook; a hook's own values win", async () => {
    const captured = await captureSet(() => {
      new WebhookSet("s", {
        businessId: 1,
        url: URL,
        active: false,
        adopt: true,
        hooks: [
          "BookingCreate",
          { action: "BookingUpdate", name: "Custom name", active: true, adopt: false },
        ],
      });
    });
    expect(plain(captured.byName("s-BookingCreate").inputs)).toMatchObject({
      name: "s BookingCreate",
      active: false,
      adopt: true,
    });
    expect(plain(captured.byName("s-BookingUpdate").inputs)).toMatchObject({
      name: "Custom name",
      active: true,
      adopt: false,
    });
  });

  test("a secret URL stays secret on the child", async () => {
    const captured = await captureSet(() => {
      new WebhookSet("s", { businessId: 1, url: pulumi.secret(URL), hooks: ["BookingCreate"] });
    });
    const child = captured.byName("s-BookingCreate");
    expect(child.secretInputs).toEqual(["url"]);
    expect(child.inputs.url).toBe(URL);
  });
});

describe("arguments refused at construction", () => {
  const message = (args: Partial<WebhookSetArgs>) =>
    errorOf(() => planWebhookSet("hq", { businessId: 1234, url: URL, hooks: [], ...args })).message;

  test("the same action and URL twice, naming both entries", () => {
    expect(
      message({
        hooks: ["BookingCreate", "BookingUpdate", "BookingDelete", { action: "BookingCreate" }],
      }),
    ).toBe(
      `WebhookSet "hq": hooks[0] and hooks[3] both declare BookingCreate for ${URL}; remove one`,
    );
    // by number and by name, explicit URL equal to the default
    expect(message({ hooks: [6, { action: "BookingCreate", url: URL }] })).toBe(
      `WebhookSet "hq": hooks[0] and hooks[1] both declare BookingCreate for ${URL}; remove one`,
    );
  });

  test("an unknown action, with the suggestion", () => {
    expect(message({ hooks: ["BookingCreate", "BokingCreate" as never] })).toBe(
      `WebhookSet "hq": hooks[1].action "BokingCreate" is not a Nexudus webhook action; did you mean "BookingCreate"?`,
    );
    expect(message({ hooks: [{ action: 999 }] })).toMatch(
      /^WebhookSet "hq": hooks\[0\]\.action 999 is not a Nexudus webhook action/,
    );
  });

  test("a missing url (no default and none on the hook)", () => {
    expect(
      message({
        url: undefined,
        hooks: [{ action: "BookingCreate", url: OTHER }, "BookingUpdate"],
      }),
    ).toBe(
      `WebhookSet "hq": hooks[1].url is required: the hook has no url and the set has no default url`,
    );
  });

  test("duplicate keys among hooks of one action; bad keys", () => {
    expect(
      message({
        hooks: [
          { action: "BookingCreate", key: "a" },
          { action: "BookingCreate", url: OTHER, key: "a" },
        ],
      }),
    ).toBe(
      `WebhookSet "hq": hooks[0] and hooks[1] both use key "a" for BookingCreate; keys must differ among hooks of one action`,
    );
    expect(message({ hooks: [{ action: "BookingCreate", key: "no spaces" }] })).toMatch(
      /hooks\[0\]\.key must be 1-40 letters/,
    );
    // the same key on different actions is fine
    expect(
      planWebhookSet("hq", {
        businessId: 1,
        url: URL,
        hooks: [
          { action: "BookingCreate", key: "a" },
          { action: "BookingUpdate", key: "a" },
        ],
      }).map((p) => p.childName),
    ).toEqual(["hq-BookingCreate", "hq-BookingUpdate"]);
  });

  test("an Output URL on a repeated action needs a key", () => {
    expect(
      message({ hooks: ["BookingCreate", { action: "BookingCreate", url: pulumi.output(OTHER) }] }),
    ).toBe(
      `WebhookSet "hq": hooks[1].key is required: BookingCreate appears 2 times in the set and this hook's url ` +
        `is an Output (e.g. a secret), which cannot name its resource; give each BookingCreate hook a key`,
    );
  });

  test("bad urls, names, unknown fields and shapes, all listed at once", () => {
    const m = message({
      businessId: -1,
      url: "ftp://x",
      namePrefix: " ",
      hooks: [
        { action: "BookingCreate", urll: OTHER } as never,
        null as never,
        { action: "TeamCreated", url: "nope", name: "" },
      ],
    });
    expect(m).toMatch(/^WebhookSet "hq" has 7 problems:/);
    expect(m).toContain("businessId must be a positive integer");
    expect(m).toContain(
      `url must be an absolute http(s) URL; got the scheme "ftp" (the default url of every hook)`,
    );
    expect(m).toContain("namePrefix must be a non-empty string, not only white space");
    expect(m).toContain(`hooks[0] has an unknown field "urll"`);
    expect(m).toContain(
      "hooks[1] must be an action name, an action number or {action, url?, ...}; got null",
    );
    // Never quoted: a value that is no URL may be a token pasted into the wrong argument.
    expect(m).toContain(
      "hooks[2].url must be an absolute http(s) URL; got a string of 4 characters (not quoted: it may be a secret)",
    );
    expect(m).toContain("hooks[2].name must be a non-empty string, not empty");
  });

  test("an Output action is refused: names derive from it", () => {
    expect(message({ hooks: [{ action: pulumi.output("BookingCreate") as never }] })).toMatch(
      /hooks\[0\]\.action must be a plain action name or number, not an Output/,
    );
  });

  test("nothing is registered when the set's arguments are bad", async () => {
    let thrown: unknown;
    const captured = await captureSet(() => {
      try {
        new WebhookSet("hq", {
          businessId: 1234,
          url: URL,
          hooks: ["BookingCreate", { action: 6 }],
        });
      } catch (e) {
        thrown = e;
      }
    });
    expect(thrown).toBeInstanceOf(WebhookSetArgsError);
    expect((thrown as WebhookSetArgsError).problems).toEqual([
      `hooks[0] and hooks[1] both declare BookingCreate for ${URL}; remove one`,
    ]);
    expect(captured.resources).toEqual([]);
  });

  test("two sets at one location may not share a namePrefix", async () => {
    let thrown: unknown;
    await captureSet(() => {
      new WebhookSet("a", {
        businessId: 1234,
        url: URL,
        hooks: ["BookingCreate"],
        namePrefix: "ops",
      });
      new WebhookSet("b", {
        businessId: 5678,
        url: URL,
        hooks: ["BookingCreate"],
        namePrefix: "ops",
      });
      try {
        new WebhookSet("c", {
          businessId: 1234,
          url: URL,
          hooks: ["BookingUpdate"],
          namePrefix: "ops",
        });
      } catch (e) {
        thrown = e;
      }
    });
    expect(String(thrown)).toContain(
      `namePrefix "ops" is already used by WebhookSet "a" at location 1234`,
    );
  });
});

describe("stable names", () => {
  const hooks: WebhookSetHook[] = [
    "BookingCreate",
    { action: "CoworkerInvoicePaid" as const, url: BILLING },
    { action: "BookingCreate" as const, url: OTHER },
    "TeamCreated",
    { action: "BookingCreate" as const, url: BILLING, key: "billing" },
  ];
  const byName = (c: Awaited<ReturnType<typeof captureSet>>) =>
    Object.fromEntries(
      c.resources.filter((r) => r.type === WEBHOOK_TYPE).map((r) => [r.name, plain(r.inputs)]),
    );

  test("reordering hooks changes no name, input or alias", async () => {
    const forward = await captureSet(() => {
      new WebhookSet("hq", { businessId: 1, url: URL, hooks });
    });
    const backward = await captureSet(() => {
      new WebhookSet("hq", { businessId: 1, url: URL, hooks: [...hooks].reverse() });
    });
    expect(Object.keys(byName(forward)).sort()).toEqual(
      [
        "hq-BookingCreate-billing",
        `hq-BookingCreate-${urlNameHash(URL)}`,
        `hq-BookingCreate-${urlNameHash(OTHER)}`,
        "hq-CoworkerInvoicePaid",
        "hq-TeamCreated",
      ].sort(),
    );
    expect(byName(backward)).toEqual(byName(forward));
    const aliasesOf = (c: Awaited<ReturnType<typeof captureSet>>) =>
      Object.fromEntries(Object.entries(c.aliases).filter(([n]) => n.startsWith("hq-")));
    expect(aliasesOf(backward)).toEqual(aliasesOf(forward));
  });

  test("adding or removing a hook leaves the other hooks' names and inputs as they were", () => {
    const before = planWebhookSet("hq", {
      businessId: 1,
      url: URL,
      hooks: ["BookingCreate", "TeamCreated", "TeamDeleted"],
    });
    const after = planWebhookSet("hq", {
      businessId: 1,
      url: URL,
      hooks: ["TeamDeleted", "BookingCreate", "TeamUpdated"],
    });
    const table = (plan: typeof before) =>
      Object.fromEntries(plan.map((p) => [p.childName, p.args]));
    expect(table(after)["hq-BookingCreate"]).toEqual(table(before)["hq-BookingCreate"]);
    expect(table(after)["hq-TeamDeleted"]).toEqual(table(before)["hq-TeamDeleted"]);
    expect(Object.keys(table(after)).sort()).toEqual([
      "hq-BookingCreate",
      "hq-TeamDeleted",
      "hq-TeamUpdated",
    ]);
  });

  test("a second hook of an action: the one on the default url inherits the former name (alias)", async () => {
    const one = await captureSet(() => {
      new WebhookSet("hq", { businessId: 1, url: URL, hooks: ["BookingCreate"] });
    });
    expect(one.names(WEBHOOK_TYPE)).toEqual(["hq-BookingCreate"]);
    for (const order of [0, 1]) {
      const list = [{ action: "BookingCreate" as const, url: OTHER }, "BookingCreate" as const];
      const two = await captureSet(() => {
        new WebhookSet("hq", {
          businessId: 1,
          url: URL,
          hooks: order ? list : [...list].reverse(),
        });
      });
      const kept = `hq-BookingCreate-${urlNameHash(URL)}`;
      const added = `hq-BookingCreate-${urlNameHash(OTHER)}`;
      expect(two.names(WEBHOOK_TYPE)).toEqual([kept, added].sort());
      expect(two.aliases[kept]).toEqual(["hq-BookingCreate"]);
      expect(two.aliases[added]).toEqual([]);
      // The kept hook's inputs are those of the former single hook: no update, no replacement.
      expect(plain(two.byName(kept).inputs)).toEqual(plain(one.byName("hq-BookingCreate").inputs));
    }
  });

  test("without a default-url hook the first listed inherits; back to one hook, it answers to its hashed name", () => {
    const two = planWebhookSet("hq", {
      businessId: 1,
      hooks: [
        { action: "BookingCreate", url: BILLING },
        { action: "BookingCreate", url: OTHER },
      ],
    });
    expect(two.map((p) => [p.childName, p.aliases])).toEqual([
      [`hq-BookingCreate-${urlNameHash(BILLING)}`, ["hq-BookingCreate"]],
      [`hq-BookingCreate-${urlNameHash(OTHER)}`, []],
    ]);
    const one = planWebhookSet("hq", {
      businessId: 1,
      hooks: [{ action: "BookingCreate", url: OTHER, key: "k" }],
    });
    expect(one.map((p) => [p.childName, p.aliases])).toEqual([
      ["hq-BookingCreate", ["hq-BookingCreate-k", `hq-BookingCreate-${urlNameHash(OTHER)}`]],
    ]);
  });

  test("a top-level set sends each alias as the URN the engine gives that name under the set", async () => {
    const captured = await captureSet(() => {
      new WebhookSet("hq", { businessId: 1, url: URL, hooks: ["BookingCreate", "TeamCreated"] });
    });
    for (const name of ["hq-BookingCreate", "hq-TeamCreated"]) {
      const own = captured.byName(name).urn;
      const hashed = `${name}-${urlNameHash(URL)}`;
      expect(captured.aliases[name]).toEqual([hashed]);
      // The child's own URN with the former name: what a `{name}` spec resolves to.
      expect(captured.aliasUrns[name]).toEqual([own.slice(0, own.lastIndexOf("::") + 2) + hashed]);
    }
  });

  test("under a parent, or with aliases of its own, a set sends alias specs for the engine to place", async () => {
    const captured = await captureSet(() => {
      const group = new pulumi.ComponentResource("acme:index:Group", "group");
      new WebhookSet(
        "nested",
        { businessId: 1, url: URL, hooks: ["BookingCreate"] },
        { parent: group },
      );
      new WebhookSet(
        "renamed",
        { businessId: 2, url: URL, hooks: ["BookingCreate"] },
        { aliases: [{ name: "old" }] },
      );
    });
    for (const name of ["nested-BookingCreate", "renamed-BookingCreate"]) {
      expect(captured.aliases[name]).toEqual([`${name}-${urlNameHash(URL)}`]);
      expect(captured.aliasUrns[name]).toEqual([]);
    }
  });

  test("keys name secret-URL hooks apart; a key added later keeps the hashed name as alias", async () => {
    const captured = await captureSet(() => {
      new WebhookSet("hq", {
        businessId: 1,
        url: URL,
        hooks: [
          { action: "BookingCreate", url: pulumi.secret(OTHER), key: "slack" },
          { action: "BookingCreate", key: "main" },
        ],
      });
    });
    expect(captured.names(WEBHOOK_TYPE)).toEqual([
      "hq-BookingCreate-main",
      "hq-BookingCreate-slack",
    ]);
    expect(captured.byName("hq-BookingCreate-slack").secretInputs).toEqual(["url"]);
    expect(captured.aliases["hq-BookingCreate-main"]).toEqual([
      `hq-BookingCreate-${urlNameHash(URL)}`,
      "hq-BookingCreate",
    ]);
    expect(captured.aliases["hq-BookingCreate-slack"]).toEqual([]);
  });
});

describe("exclusive", () => {
  test("adds a WebhookSetExclusion child wired to the set's ids, other sets at the location and alsoKeep", async () => {
    let hq!: WebhookSet;
    let later!: WebhookSet;
    const captured = await captureSet(() => {
      hq = new WebhookSet("hq", {
        businessId: 1234,
        url: URL,
        hooks: ["BookingCreate", { action: "TeamCreated", adopt: true }],
        exclusive: true,
        alsoKeep: { ids: [42, pulumi.output(43)], namePrefixes: ["Zapier"] },
      });
      // Declared after the exclusive set: still counted.
      later = new WebhookSet("billing", {
        businessId: 1234,
        url: BILLING,
        hooks: ["CoworkerInvoicePaid"],
      });
      new WebhookSet("elsewhere", { businessId: 9999, url: URL, hooks: ["BookingCreate"] });
    });
    const exclusion = captured.byName("hq-exclusive");
    expect(exclusion.type).toBe(EXCLUSION_TYPE);
    expect(exclusion.parent).toBe(captured.byName("hq").urn);
    expect(hq.exclusion).toBeDefined();
    const ownIds = await valueOf(hq.webhookIds);
    const laterIds = await valueOf(later.webhookIds);
    expect(plain(exclusion.inputs)).toEqual({
      businessId: 1234,
      memberIds: ownIds,
      keepIds: laterIds,
      alsoKeepIds: [42, 43],
      keepNamePrefixes: ["billing", "Zapier"],
      // TeamCreated (57) is declared with adopt: its record is found by action and URL digest.
      adoptable: [{ action: 57, urlSha256: urlSha256(URL) }],
    });
    // It runs after the hooks it keeps exist: its own and the other set's.
    for (const name of ["hq-BookingCreate", "hq-TeamCreated", "billing-CoworkerInvoicePaid"]) {
      expect(exclusion.dependencies).toContain(captured.byName(name).urn);
    }
    expect(exclusion.dependencies).not.toContain(captured.byName("elsewhere-BookingCreate").urn);
    const provider = String(exclusion.inputs.__provider);
    expect(provider).toBe(providerSource("exclusionProvider"));
    expect(provider).not.toMatch(/zod|example\.com/);
  });

  test("alsoKeep.otherSets: false ignores other sets", async () => {
    const captured = await captureSet(() => {
      new WebhookSet("hq", {
        businessId: 1,
        url: URL,
        hooks: ["BookingCreate"],
        exclusive: true,
        alsoKeep: { otherSets: false },
      });
      new WebhookSet("b", { businessId: 1, url: URL, hooks: ["BookingUpdate"] });
    });
    expect(plain(captured.byName("hq-exclusive").inputs)).toMatchObject({
      keepIds: [],
      keepNamePrefixes: [],
    });
  });

  test("in a first preview the ids are unknown, the location and prefixes are not", async () => {
    const captured = await captureSet(
      () => {
        new WebhookSet("hq", {
          businessId: 1234,
          url: URL,
          hooks: ["BookingCreate", "BookingUpdate"],
          exclusive: true,
        });
        new WebhookSet("b", {
          businessId: 1234,
          url: URL,
          hooks: ["TeamCreated"],
          namePrefix: "team",
        });
      },
      { preview: true },
    );
    const inputs = plain(captured.byName("hq-exclusive").inputs);
    expect(inputs.businessId).toBe(1234);
    expect(inputs.keepNamePrefixes).toEqual(["team"]);
    expect(inputs.memberIds).toEqual([UNKNOWN, UNKNOWN]);
    expect(inputs.keepIds).toBe(UNKNOWN);
  });
});
