/**
 * Through the real `pulumi` CLI: `nexudus.native.WebhookSet` in a TypeScript program (the packed
 * package installed as a user installs it, the plugin installed with `pulumi plugin install`):
 * two sets (the same location id in two accounts), each bound to its own explicit `native.Provider` on its own emulator with its own
 * token, so one program manages sets in two Nexudus accounts, which the dynamic `WebhookSet`
 * cannot. Preview writes nothing; up puts each set's hooks in its own account only; a second
 * preview has no change; destroy removes them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { adminUser } from "../../testing/rig";
import {
  installPlugin,
  makeProgram,
  parseJson,
  useE2e,
  type PulumiSession,
} from "../../testing/pulumiCli";

const TOKEN_A = "e2e-native-set-token-a-2c9d";
const TOKEN_B = "e2e-native-set-token-b-6f1a";
const URL_A = "https://hooks.example.com/native-set/SECRET-PATH-NA";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { native } from "pulumi-nexudus";

const cfg = new pulumi.Config();
const a = new native.Provider("account-a", { baseUrl: cfg.require("urlA"), token: cfg.requireSecret("tokenA") });
const b = new native.Provider("account-b", { baseUrl: cfg.require("urlB"), token: cfg.requireSecret("tokenB") });

const hq = new native.WebhookSet("hq", {
  businessId: 1234,
  url: pulumi.secret(${JSON.stringify(URL_A)}),
  namePrefix: "hq",
  hooks: ["BookingCreate", { action: "TeamCreated", description: "teams" }],
}, { provider: a });

const annex = new native.WebhookSet("annex", {
  businessId: 1234,
  url: "https://hooks.example.com/native-set/annex",
  hooks: [7],
}, { provider: b });

export const hqIds = hq.webhookIds;
export const annexIds = annex.webhookIds;
export const annexPrefix = annex.namePrefix;
`;

const e2e = useE2e({ name: "native-set", token: TOKEN_A });
let pulumi: PulumiSession;
let emuA: EmulatorHandle;
let emuB: EmulatorHandle;
let dir: string;

const writes = () => [...emuA.requests(), ...emuB.requests()].filter((r) => r.method !== "GET");

beforeAll(async () => {
  ({ pulumi, emulator: emuA } = e2e);
  emuB = await startEmulator({ port: 0, users: [adminUser(TOKEN_B, "ops-b@example.com")] });
  await installPlugin(pulumi, e2e.root);
  dir = makeProgram(e2e.root, "native-set", { files: { "index.ts": PROGRAM } });
  await pulumi.ok(dir, ["stack", "init", "dev"]);
  await pulumi.ok(dir, ["config", "set", "urlA", emuA.url]);
  await pulumi.ok(dir, ["config", "set", "urlB", emuB.url]);
  await pulumi.ok(dir, ["config", "set", "--secret", "tokenA", TOKEN_A]);
  await pulumi.ok(dir, ["config", "set", "--secret", "tokenB", TOKEN_B]);
}, 600_000);

afterAll(async () => {
  await emuB?.stop();
});

test("preview plans both sets and their hooks and writes nothing", async () => {
  const p = parseJson<{ steps?: { op: string; urn: string }[] }>(
    await pulumi.ok(dir, ["preview", "--json", "--non-interactive"]),
  );
  const creates = (p.steps ?? [])
    .filter((s) => s.op === "create")
    .map((s) => s.urn.split("::").pop());
  expect(creates).toEqual(
    expect.arrayContaining([
      "hq",
      "hq-BookingCreate",
      "hq-TeamCreated",
      "annex",
      "annex-BookingUpdate",
    ]),
  );
  expect(writes()).toEqual([]);
}, 300_000);

test("up puts each set's hooks in its own account, with its own token", async () => {
  await pulumi.ok(dir, ["up", "--yes", "--non-interactive"]);
  expect(
    emuA
      .records()
      .map((r) => [r.BusinessId, r.Name, r.URL, r.Description ?? null])
      .sort(),
  ).toEqual([
    [1234, "hq BookingCreate", URL_A, null],
    [1234, "hq TeamCreated", URL_A, "teams"],
  ]);
  expect(emuB.records().map((r) => [r.BusinessId, r.Name, r.Action])).toEqual([
    [1234, "annex BookingUpdate", 7],
  ]);
  expect(new Set(emuA.requests().map((r) => r.client))).toEqual(new Set(["ops@example.com"]));
  expect(new Set(emuB.requests().map((r) => r.client))).toEqual(new Set(["ops-b@example.com"]));
  const outputs = parseJson<{ hqIds: number[]; annexIds: number[]; annexPrefix: string }>(
    await pulumi.ok(dir, ["stack", "output", "--json"]),
  );
  expect([...outputs.hqIds].sort()).toEqual(
    emuA
      .records()
      .map((r) => r.Id)
      .sort(),
  );
  expect(outputs.annexIds).toEqual(emuB.records().map((r) => r.Id));
  expect(outputs.annexPrefix).toBe("annex");
  const state = (await pulumi.ok(dir, ["stack", "export"])).stdout;
  expect(state).not.toContain("SECRET-PATH-NA");
  expect(state).not.toContain(TOKEN_A);
  expect(state).not.toContain(TOKEN_B);
}, 300_000);

test("a second preview has no change; destroy removes every hook", async () => {
  await pulumi.ok(dir, ["preview", "--expect-no-changes", "--non-interactive"]);
  await pulumi.ok(dir, ["destroy", "--yes", "--non-interactive"]);
  expect([...emuA.records(), ...emuB.records()]).toEqual([]);
  expect(fs.existsSync(path.join(dir, "index.ts"))).toBe(true);
}, 300_000);
