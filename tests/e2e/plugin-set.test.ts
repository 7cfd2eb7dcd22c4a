/**
 * Through the real `pulumi` CLI: `nexudus:index:WebhookSet` as a multi-language component, from
 * a Pulumi YAML program (the language host knows it is a component from the plugin's schema and
 * the engine asks the plugin to `Construct` it). The plugin registers the component, one
 * `nexudus:index:WebHook` per hook and, for an exclusive set, a `WebhookSetExclusion`:
 * preview (no write, the exclusion lists what the up deletes, the warning says what the set
 * cannot know), up, a no-change preview, a set refused naming the entry, destroy. No secret in
 * clear in the state. Needs `npm run build` (npm test does it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorHandle } from "../../emulator";
import {
  installPlugin,
  parseJson,
  REPO_ROOT,
  useE2e,
  type PreviewJson,
  type PulumiSession,
} from "../../testing/pulumiCli";

const TOKEN = "e2e-plugin-set-token-7b3e";
const HQ = 1234;
const URL_DEFAULT = "https://hooks.example.com/set/SECRET-PATH-SET";
const URL_BILLING = "https://billing.example.com/hook";
/** A plain http:// target off loopback: a warning (from the packed plugin, through the engine). */
const URL_PLAIN = "http://plain.example.com/teams";
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;

const e2e = useE2e({ name: "plugin-set", token: TOKEN });
let pulumi: PulumiSession;
let emulator: EmulatorHandle;
let dir: string;

/** The program: one exclusive set of three hooks, keeping another team's webhooks by prefix. */
function program(hooks: string): string {
  return `name: plugin-set-e2e
runtime: yaml
config:
  hookUrl:
    type: string
    secret: true
resources:
  hq:
    type: nexudus:index:WebhookSet
    properties:
      businessId: ${HQ}
      url: \${hookUrl}
      namePrefix: ops
      exclusive: true
      alsoKeep:
        namePrefixes: [billing-team]
      hooks:
${hooks}
    options:
      version: ${VERSION}
outputs:
  ids: \${hq.webhookIds}
  prefix: \${hq.namePrefix}
`;
}

const HOOKS = `        - action: BookingCreate
        - action: BookingUpdate
        - action: CoworkerInvoicePaid
          url: ${URL_BILLING}
          description: Billing sync
        - action: TeamCreated
          url: ${URL_PLAIN}`;

const writes = () => emulator.requests().filter((r) => r.method !== "GET");
const stepOf = (p: PreviewJson, suffix: string) =>
  (p.steps ?? []).find((s) => s.urn.endsWith(suffix));

let stray: number;
let kept: number;

beforeAll(async () => {
  ({ pulumi, emulator } = e2e);
  await installPlugin(pulumi, e2e.root);
  dir = path.join(e2e.root, "yaml");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program(HOOKS));
  await e2e.stack(dir, "dev");
  await pulumi.ok(dir, ["config", "set", "--secret", "hookUrl", URL_DEFAULT]);
  stray = emulator.insert({
    BusinessId: HQ,
    Action: 7,
    Name: "stray",
    URL: "https://stray.example.com",
  }).Id;
  kept = emulator.insert({
    BusinessId: HQ,
    Action: 21,
    Name: "billing-team invoices",
    URL: "https://billing.example.com/theirs",
  }).Id;
}, 600_000);

test("preview: the component, its hooks and its exclusion, the stray listed, the warning, no write", async () => {
  emulator.clearRequests();
  const p = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
  expect(stepOf(p, "nexudus:index:WebhookSet::hq")?.op).toBe("create");
  for (const child of [
    "hq-BookingCreate",
    "hq-BookingUpdate",
    "hq-CoworkerInvoicePaid",
    "hq-TeamCreated",
  ]) {
    expect(stepOf(p, `nexudus:index:WebHook::${child}`)?.op).toBe("create");
  }
  const exclusion = stepOf(p, "nexudus:index:WebhookSetExclusion::hq-exclusive");
  expect(exclusion?.op).toBe("create");
  expect(exclusion?.newState?.inputs?.unmanaged).toEqual([
    { id: stray, name: "stray", action: "BookingUpdate" },
  ]);
  expect(JSON.stringify(p.diagnostics ?? [])).toContain(
    'WebhookSet \\"hq\\" is exclusive: declared from a non-TypeScript program',
  );
  expect(JSON.stringify(p.diagnostics ?? [])).toContain("NEXUDUS_ALLOW_PLAIN_HTTP=1");
  expect(writes()).toEqual([]);
});

test("up creates the hooks under the set, deletes the stray, keeps the other team's webhook", async () => {
  const up = await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
  expect(up.stdout).toContain("is exclusive");
  const ours = emulator.records().filter((r) => r.Name.startsWith("ops "));
  expect(ours.map((r) => [r.Name, r.Action, r.URL]).sort()).toEqual(
    [
      ["ops BookingCreate", 6, URL_DEFAULT],
      ["ops BookingUpdate", 7, URL_DEFAULT],
      ["ops CoworkerInvoicePaid", 21, URL_BILLING],
      ["ops TeamCreated", 57, URL_PLAIN],
    ].sort(),
  );
  expect(ours.find((r) => r.Action === 21)?.Description).toBe("Billing sync");
  expect(emulator.record(stray)).toBeUndefined();
  expect(emulator.record(kept)).toBeDefined();
  const outputs = JSON.parse((await pulumi.ok(dir, ["stack", "output", "--json"])).stdout) as {
    ids: number[];
    prefix: string;
  };
  expect(outputs.prefix).toBe("ops");
  expect([...outputs.ids].sort()).toEqual(ours.map((r) => r.Id).sort());
  // The state: children under the component, the secret URL never in clear, no token.
  const state = (await pulumi.ok(dir, ["stack", "export"])).stdout;
  expect(state).toContain("nexudus:index:WebhookSet$nexudus:index:WebHook::hq-BookingCreate");
  expect(state).not.toContain("SECRET-PATH-SET");
  expect(state).not.toContain(TOKEN);
});

test("a second preview shows no change and writes nothing", async () => {
  emulator.clearRequests();
  await pulumi.ok(dir, ["preview", "--expect-no-changes"]);
  expect(writes()).toEqual([]);
});

test("a set with the same action and URL twice is refused naming both entries, before any write", async () => {
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    program(`        - action: BookingCreate
          url: ${URL_BILLING}
        - action: 6
          url: ${URL_BILLING}`),
  );
  try {
    emulator.clearRequests();
    const r = await pulumi.run(dir, ["preview"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(
      `WebhookSet "hq": hooks[0] and hooks[1] both declare BookingCreate for ${URL_BILLING}; remove one`,
    );
    expect(writes()).toEqual([]);
  } finally {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program(HOOKS));
  }
});

test("destroy deletes the set's hooks only", async () => {
  await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
  expect(emulator.records().filter((r) => r.Name.startsWith("ops "))).toEqual([]);
  expect(emulator.record(kept)).toBeDefined();
});

test("an exclusive set's hook with adopt takes over the matching record, which the preview never lists", async () => {
  const made = emulator.insert({
    BusinessId: HQ,
    Action: 6,
    Name: "made by hand",
    URL: URL_BILLING,
  }).Id;
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    program(`        - action: BookingCreate
          url: ${URL_BILLING}
          adopt: true`),
  );
  try {
    emulator.clearRequests();
    const p = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
    const exclusion = stepOf(p, "nexudus:index:WebhookSetExclusion::hq-exclusive");
    // The hook's id is not known yet: the record it will adopt is kept, not listed to delete.
    expect(exclusion?.newState?.inputs?.adoptable).toEqual([
      { action: 6, urlSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(JSON.stringify(exclusion?.newState?.inputs?.unmanaged ?? [])).not.toContain(
      `"id":${made}`,
    );
    expect(writes()).toEqual([]);
    await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
    // Adopted in place: the same record, renamed to the set's Name.
    expect(emulator.record(made)).toMatchObject({ Name: "ops BookingCreate", URL: URL_BILLING });
    expect(emulator.records().filter((r) => r.Name.startsWith("ops "))).toHaveLength(1);
    await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
  } finally {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), program(HOOKS));
  }
});
