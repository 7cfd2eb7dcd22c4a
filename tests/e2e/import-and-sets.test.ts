/**
 * Through the real `pulumi` CLI: what `pulumi import` and the `import` resource option do with a
 * dynamic `WebHook` (the README quotes the engine's message and points to `adopt`), `adopt`
 * doing that job instead, and examples/location-sets (two locations in a loop, one exclusive).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorHandle } from "../../emulator";
import { actionNumber } from "../../client/actions";
import { urlNameHash } from "../../provider/setPlan";
import {
  useE2e,
  makeProgram,
  parseJson,
  PulumiSession,
  webhookResources,
  type PreviewJson,
} from "../../testing/pulumiCli";

const TOKEN = "e2e-import-token";
const HQ = 1234;
const ANNEX = 5678;

const e2e = useE2e({
  name: "import",
  token: TOKEN,
  emulator: {
    locations: [
      { id: HQ, name: "HQ" },
      { id: ANNEX, name: "Annex" },
    ],
  },
});
let root: string;
let emulator: EmulatorHandle;
let pulumi: PulumiSession;
beforeAll(() => ({ root, emulator, pulumi } = e2e));

const stack = (dir: string, name: string) => e2e.stack(dir, name);

const handMade = () =>
  emulator.insert({
    BusinessId: HQ,
    Action: 6,
    Name: "Made by hand",
    URL: "https://hooks.example.com/by-hand",
  });

const program = (opts: string) => `import * as nexudus from "pulumi-nexudus";
export const id = new nexudus.WebHook("bookings", {
  businessId: ${HQ},
  name: "Made by hand",
  action: "BookingCreate",
  url: "https://hooks.example.com/by-hand",
${opts}).webhookId;
`;

describe("taking over a webhook made by hand", () => {
  let dir: string;
  beforeAll(async () => {
    dir = makeProgram(root, "takeover", { files: { "index.ts": program("}") } });
    await stack(dir, "dev");
  }, 600_000);

  test("`pulumi import` fails: the engine reads a dynamic resource without its provider code", async () => {
    const record = handMade();
    const r = await pulumi.run(dir, [
      "import",
      "pulumi-nodejs:dynamic/nexudus:WebHook",
      "bookings",
      String(record.Id),
      "--yes",
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("code must be a string, not undefined");
    expect(webhookResources(await pulumi.exportStack(dir))).toEqual([]);
    expect(emulator.records()).toHaveLength(1);
    emulator.remove(record.Id);
  });

  test("the `import` resource option fails the same way, and writes nothing", async () => {
    const record = handMade();
    fs.writeFileSync(path.join(dir, "index.ts"), program(`}, { import: "${record.Id}" }`));
    emulator.clearRequests();
    const r = await pulumi.run(dir, ["up", "--yes", "--skip-preview"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("code must be a string, not undefined");
    expect(emulator.requests().filter((q) => q.method !== "GET")).toEqual([]);
    expect(emulator.records()).toEqual([record]);
    emulator.remove(record.Id);
  });

  test("`adopt: true` takes the record over: no write when it already matches, then managed", async () => {
    const record = handMade();
    fs.writeFileSync(path.join(dir, "index.ts"), program("  adopt: true,\n}"));
    emulator.clearRequests();
    await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
    expect(emulator.requests().filter((q) => q.method !== "GET" && q.route !== "search")).toEqual(
      [],
    );
    expect(emulator.records().map((x) => x.Id)).toEqual([record.Id]);
    const outs = JSON.parse((await pulumi.ok(dir, ["stack", "output", "--json"])).stdout) as {
      id: number;
    };
    expect(outs.id).toBe(record.Id);
    expect((await pulumi.run(dir, ["preview", "--expect-no-changes"])).code).toBe(0);
    await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(emulator.records()).toEqual([]);
  });
});

describe("examples/location-sets", () => {
  let dir: string;
  beforeAll(async () => {
    dir = makeProgram(root, "location-sets", { example: "location-sets" });
    await stack(dir, "dev");
    const config = [
      "locations[0].name",
      "hq",
      "locations[0].businessId",
      String(HQ),
      "locations[0].url",
      "https://hooks.example.com/nexudus/hq",
      "locations[0].exclusive",
      "true",
      "locations[1].businessId",
      String(ANNEX),
      "locations[1].url",
      "https://hooks.example.com/nexudus/annex",
    ];
    for (let i = 0; i < config.length; i += 2) {
      const value = config[i + 1]!;
      const typed = /^(\d+|true)$/.test(value)
        ? ["--type", /^\d+$/.test(value) ? "int" : "bool"]
        : [];
      await pulumi.ok(dir, ["config", "set", "--path", config[i]!, value, ...typed]);
    }
  }, 600_000);

  test("up creates the declared hooks at both locations; the exclusive one prunes a stray", async () => {
    const stray = emulator.insert({
      BusinessId: HQ,
      Action: 7,
      Name: "stray",
      URL: "https://stray.example.com",
    });
    const annexForeign = emulator.insert({
      BusinessId: ANNEX,
      Action: 7,
      Name: "someone else's",
      URL: "https://other.example.com",
    });
    const plan = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
    expect(
      (plan.steps ?? []).filter((s) => s.urn.includes("nexudus:WebHook::")).map((s) => s.op),
    ).toEqual(Array(6).fill("create"));
    await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
    const at = (b: number) =>
      emulator
        .records()
        .filter((r) => r.BusinessId === b)
        .map((r) => r.Action)
        .sort((a, b2) => a - b2);
    // Default hooks: BookingCreate (6), BookingUpdate, BookingDelete at each location.
    expect(at(HQ)).toHaveLength(3);
    expect(emulator.record(stray.Id)).toBeUndefined();
    expect(at(ANNEX)).toHaveLength(4);
    expect(emulator.record(annexForeign.Id)).toBeDefined();
    expect(webhookResources(await pulumi.exportStack(dir))).toHaveLength(6);
    emulator.clearRequests();
    expect((await pulumi.run(dir, ["preview", "--expect-no-changes"])).code).toBe(0);
  });

  test("destroy removes what the sets made and leaves the foreign webhook", async () => {
    await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(emulator.records().map((r) => r.Name)).toEqual(["someone else's"]);
  });
});

describe("a WebhookSet's renames, applied by the engine through its aliases", () => {
  const URL_MAIN = "https://hooks.example.com/nexudus/teams";
  const URL_OTHER = "https://other.example.com/teams";
  const setProgram = (hooks: string) => `import * as nexudus from "pulumi-nexudus";
export const ids = new nexudus.WebhookSet("teams", {
  businessId: ${ANNEX},
  url: "${URL_MAIN}",
  hooks: ${hooks},
}).webhookIds;
`;
  let dir: string;
  const write = (hooks: string) => fs.writeFileSync(path.join(dir, "index.ts"), setProgram(hooks));
  const teamRecords = () =>
    emulator
      .records()
      .filter((r) => r.BusinessId === ANNEX && r.Action === actionNumber("TeamCreated"))
      .map((r) => ({ id: r.Id, url: r.URL }))
      .sort((a, b) => a.id - b.id);
  const names = async () =>
    webhookResources(await pulumi.exportStack(dir))
      .map((r) => `${r.urn.slice(r.urn.lastIndexOf("::") + 2)}=${r.id}`)
      .sort();
  /** `up`, and the methods of the writes it sent. */
  const upWrites = async () => {
    emulator.clearRequests();
    await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
    return emulator
      .requests()
      .filter((q) => q.method !== "GET")
      .map((q) => q.method);
  };
  const ops = async () =>
    (parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"])).steps ?? [])
      .filter((s) => s.urn.includes("nexudus:WebHook::"))
      .map((s) => `${s.op} ${s.urn.slice(s.urn.lastIndexOf("::") + 2)}`)
      .sort();

  beforeAll(async () => {
    dir = makeProgram(root, "renames", { files: { "index.ts": setProgram(`["TeamCreated"]`) } });
    await stack(dir, "dev");
  }, 600_000);

  test("one hook, then a second of the same action, then one again: the first record is never replaced", async () => {
    await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
    const [first] = teamRecords();
    expect(first).toBeDefined();
    expect(await names()).toEqual([`teams-TeamCreated=${first!.id}`]);

    // A second TeamCreated hook: both are named by URL; the first takes its new name by alias.
    write(`["TeamCreated", { action: "TeamCreated", url: "${URL_OTHER}" }]`);
    const kept = `teams-TeamCreated-${urlNameHash(URL_MAIN)}`;
    const added = `teams-TeamCreated-${urlNameHash(URL_OTHER)}`;
    // Only the new hook changes (the JSON lists no unchanged step); without the alias the kept
    // hook would be a create and `teams-TeamCreated` a delete.
    expect(await ops()).toEqual([`create ${added}`]);
    expect(await upWrites()).toEqual(["POST"]);
    const two = teamRecords();
    expect(two.map((r) => r.url)).toEqual([URL_MAIN, URL_OTHER]);
    expect(two[0]!.id).toBe(first!.id);
    expect(await names()).toEqual([`${added}=${two[1]!.id}`, `${kept}=${first!.id}`].sort());

    // Back to one: the survivor answers to its hashed name (the alias sent as a URN).
    write(`["TeamCreated"]`);
    expect(await ops()).toEqual([`delete ${added}`]);
    expect(await upWrites()).toEqual(["DELETE"]);
    expect(teamRecords()).toEqual([{ id: first!.id, url: URL_MAIN }]);
    expect(await names()).toEqual([`teams-TeamCreated=${first!.id}`]);
    expect((await pulumi.run(dir, ["preview", "--expect-no-changes"])).code).toBe(0);

    await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(teamRecords()).toEqual([]);
  }, 600_000);
});
