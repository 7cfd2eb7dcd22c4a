/**
 * The plugin as one executable, for a machine without Node.js: scripts/plugin-sea.js builds a
 * Node.js single executable (esbuild bundle + postject, both from npm) and packs it for
 * `pulumi plugin install`. Through the real CLI, with a PATH that holds the Pulumi CLI and its
 * language hosts only (no `node`), a Pulumi YAML program declares a WebHook and a WebhookSet:
 * preview, up, a no-change preview, destroy, against the emulator. Needs `npm run build`.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorHandle } from "../../emulator";
import {
  findPulumi,
  installPlugin,
  PulumiSession,
  REPO_ROOT,
  useE2e,
} from "../../testing/pulumiCli";

const TOKEN = "e2e-sea-token-4a7d";
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;

const e2e = useE2e({ name: "sea", token: TOKEN });
let emulator: EmulatorHandle;
let pulumi: PulumiSession;
let dir: string;

beforeAll(async () => {
  emulator = e2e.emulator;
  const cli = findPulumi();
  // No node anywhere on PATH: only the CLI's own folder (pulumi and its language hosts).
  expect(fs.existsSync(path.join(cli.binDir, "node"))).toBe(false);
  pulumi = new PulumiSession(cli, path.join(e2e.root, "sea-session"), { PATH: cli.binDir });
  const out = execFileSync(
    process.execPath,
    [path.join(REPO_ROOT, "scripts", "plugin-sea.js"), "--out", path.join(e2e.root, "sea")],
    { encoding: "utf8", timeout: 600_000, stdio: ["ignore", "pipe", "pipe"] },
  );
  const tarball = out.trim().split("\n").pop()!;
  expect(path.basename(tarball)).toBe(`pulumi-resource-nexudus-v${VERSION}-linux-amd64-sea.tar.gz`);
  const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" });
  expect(listing).toContain("pulumi-resource-nexudus");
  expect(listing).not.toContain("node_modules");
  await installPlugin(pulumi, e2e.root, tarball);
  dir = path.join(e2e.root, "program");
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: sea-e2e
runtime: yaml
resources:
  alone:
    type: nexudus:index:WebHook
    properties:
      businessId: 1234
      name: Alone
      action: BookingCreate
      url:
        fn::secret: https://hooks.example.com/sea/SECRET-PATH-SEA
    options:
      version: ${VERSION}
  team:
    type: nexudus:index:WebhookSet
    properties:
      businessId: 1234
      url: https://hooks.example.com/sea/team
      namePrefix: sea
      hooks:
        - action: TeamCreated
    options:
      version: ${VERSION}
outputs:
  alone: \${alone.webhookId}
`,
  );
  await pulumi.ok(dir, ["stack", "init", "dev"]);
  await pulumi.ok(dir, ["config", "set", "nexudus:baseUrl", emulator.url]);
  await pulumi.ok(dir, ["config", "set", "--secret", "nexudus:token", TOKEN]);
}, 900_000);

test("without node on PATH: preview, up, no-change preview, destroy", async () => {
  emulator.clearRequests();
  await pulumi.ok(dir, ["preview"]);
  expect(emulator.requests().filter((r) => r.method !== "GET")).toEqual([]);
  await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
  expect(
    emulator
      .records()
      .map((r) => r.Name)
      .sort(),
  ).toEqual(["Alone", "sea TeamCreated"]);
  const state = (await pulumi.ok(dir, ["stack", "export"])).stdout;
  expect(state).not.toContain("SECRET-PATH-SEA");
  expect(state).not.toContain(TOKEN);
  await pulumi.ok(dir, ["preview", "--expect-no-changes"]);
  await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
  expect(emulator.records()).toEqual([]);
}, 600_000);
