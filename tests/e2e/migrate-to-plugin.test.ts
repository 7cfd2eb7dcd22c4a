/**
 * Moving a stack from the dynamic provider to the `nexudus` plugin, through the real CLI, with
 * no webhook created or deleted: a TypeScript program made with the dynamic `WebHook` (the
 * packed tarball installed as a user installs it) is changed to `native.WebHook` with the same
 * names and `aliases: [native.fromDynamic]`; the preview shows no create, delete or replace, the
 * `up` sends no POST and no DELETE, and the state then holds the plugin's type with the same ids.
 */
import type { EmulatorHandle } from "../../emulator";
import {
  installPlugin,
  makeProgram,
  parseJson,
  useE2e,
  type Deployment,
  type PreviewJson,
  type PulumiSession,
} from "../../testing/pulumiCli";

const TOKEN = "e2e-migrate-token-71f0";
const SECRET_URL = "https://hooks.example.com/migrate/SECRET-PATH-M1";

const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as nexudus from "pulumi-nexudus";

const cfg = new pulumi.Config();
// false: the dynamic provider (as the stack was made); true: the plugin, moved by an alias.
const onPlugin = cfg.getBoolean("onPlugin") ?? false;

const hooks: Record<string, nexudus.WebHookArgs> = {
  bookings: { businessId: 1234, name: "Bookings", action: "BookingCreate", url: pulumi.secret(${JSON.stringify(SECRET_URL)}) },
  members: { businessId: 1234, name: "Members", action: "CoworkerCreate",
    url: "https://hooks.example.com/migrate/members", description: "new members" },
};

export const ids = Object.entries(hooks).map(([name, args]) =>
  onPlugin
    ? new nexudus.native.WebHook(name, args, { aliases: [nexudus.native.fromDynamic] }).webhookId
    : new nexudus.WebHook(name, args).webhookId,
);
`;

const e2e = useE2e({ name: "migrate", token: TOKEN });
let emulator: EmulatorHandle;
let pulumi: PulumiSession;
let dir: string;

const webhooks = (d: Deployment) =>
  (d.deployment.resources ?? []).filter((r) => r.type.endsWith("WebHook"));
const writes = () => emulator.requests().filter((r) => r.method !== "GET");

beforeAll(async () => {
  ({ emulator, pulumi } = e2e);
  await installPlugin(pulumi, e2e.root);
  dir = makeProgram(e2e.root, "migrate", { files: { "index.ts": PROGRAM } });
  await e2e.stack(dir, "dev");
}, 600_000);

let before: Deployment;

test("the stack is made with the dynamic provider", async () => {
  await pulumi.ok(dir, ["up", "--yes", "--non-interactive"]);
  before = parseJson<Deployment>(await pulumi.ok(dir, ["stack", "export"]));
  const hooks = webhooks(before);
  expect(hooks.map((h) => h.type)).toEqual([
    "pulumi-nodejs:dynamic/nexudus:WebHook",
    "pulumi-nodejs:dynamic/nexudus:WebHook",
  ]);
  expect(emulator.records()).toHaveLength(2);
}, 300_000);

test("with the alias, the preview moves both webhooks to the plugin without create, delete or replace", async () => {
  await pulumi.ok(dir, ["config", "set", "onPlugin", "true"]);
  emulator.clearRequests();
  const preview = parseJson<PreviewJson>(
    await pulumi.ok(dir, ["preview", "--json", "--diff", "--non-interactive"]),
  );
  // The stack and both webhooks are the same resources: nothing to create, delete or replace.
  expect(preview.changeSummary).toEqual({ same: 3 });
  for (const s of preview.steps ?? []) expect(["same", "update"]).toContain(s.op);
  expect(writes()).toEqual([]);
}, 300_000);

test("the up keeps both records: no POST, no DELETE, the same ids under the plugin's type", async () => {
  emulator.clearRequests();
  const recordsBefore = emulator
    .records()
    .map((r) => r.Id)
    .sort();
  await pulumi.ok(dir, ["up", "--yes", "--non-interactive"]);
  expect(writes().filter((r) => r.method === "POST" || r.method === "DELETE")).toEqual([]);
  expect(
    emulator
      .records()
      .map((r) => r.Id)
      .sort(),
  ).toEqual(recordsBefore);
  const after = parseJson<Deployment>(await pulumi.ok(dir, ["stack", "export"]));
  const hooks = webhooks(after);
  expect(hooks.map((h) => h.type)).toEqual(["nexudus:index:WebHook", "nexudus:index:WebHook"]);
  expect(hooks.map((h) => h.id).sort()).toEqual(
    webhooks(before)
      .map((h) => h.id)
      .sort(),
  );
  // The secret URL stays secret, and no credential is in the state in clear.
  const text = JSON.stringify(after);
  expect(text).not.toContain(SECRET_URL);
  expect(text).not.toContain(TOKEN);
}, 300_000);

test("afterwards the plugin owns them: a preview finds nothing to change, destroy deletes both", async () => {
  const preview = parseJson<PreviewJson>(
    await pulumi.ok(dir, ["preview", "--json", "--non-interactive"]),
  );
  const changed = (preview.steps ?? []).filter((s) => s.op !== "same");
  expect(changed.map((s) => `${s.op} ${s.urn}`)).toEqual([]);
  emulator.clearRequests();
  await pulumi.ok(dir, ["destroy", "--yes", "--non-interactive"]);
  expect(writes().filter((r) => r.method === "DELETE")).toHaveLength(2);
  expect(emulator.records()).toEqual([]);
}, 300_000);
