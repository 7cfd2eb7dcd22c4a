/**
 * The plugin installed from the npm package, as a user with only the package does: in a project
 * where `npm install <tarball> @pulumi/pulumi` ran, `npx pulumi-nexudus-plugin --install` packs
 * the plugin from the installed package (its files and the dependencies npm put beside it) and
 * puts it in the Pulumi plugin cache; a program with `nexudus.native.WebHook` then manages a
 * webhook through it, with the real CLI, against the emulator.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EmulatorHandle } from "../../emulator";
import {
  makeProgram,
  parseJson,
  REPO_ROOT,
  useE2e,
  type Deployment,
  type PulumiSession,
} from "../../testing/pulumiCli";

const TOKEN = "e2e-plugin-install-token-3a9e";
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;

const PROGRAM = `import * as nexudus from "pulumi-nexudus";
const hook = new nexudus.native.WebHook("bookings", {
  businessId: 1234,
  name: "Bookings",
  action: "BookingCreate",
  url: "https://hooks.example.com/installed/bookings",
});
export const id = hook.webhookId;
`;

const e2e = useE2e({ name: "plugin-install", token: TOKEN });
let emulator: EmulatorHandle;
let pulumi: PulumiSession;
let dir: string;

beforeAll(async () => {
  ({ emulator, pulumi } = e2e);
  dir = makeProgram(e2e.root, "installed", { files: { "index.ts": PROGRAM } });
  await e2e.stack(dir, "dev");
}, 600_000);

test("npx pulumi-nexudus-plugin --install puts the plugin in the Pulumi plugin cache", () => {
  const r = spawnSync("npx", ["--no-install", "pulumi-nexudus-plugin", "--install"], {
    cwd: dir,
    env: pulumi.env,
    encoding: "utf8",
    timeout: 300_000,
  });
  expect({ code: r.status, stderr: r.status === 0 ? "" : r.stderr }).toEqual({
    code: 0,
    stderr: "",
  });
  const tarball = r.stdout.trim().split("\n").pop()!;
  expect(path.basename(tarball)).toBe(`pulumi-resource-nexudus-v${VERSION}-linux-amd64.tar.gz`);
  // Packed from the installed package, not from this checkout.
  expect(tarball.startsWith(path.join(dir, "node_modules", "pulumi-nexudus"))).toBe(true);
  const installed = path.join(pulumi.env.PULUMI_HOME!, "plugins", `resource-nexudus-v${VERSION}`);
  expect(fs.existsSync(path.join(installed, "pulumi-resource-nexudus"))).toBe(true);
});

test("a program then manages a webhook through the installed plugin", async () => {
  await pulumi.ok(dir, ["up", "--yes"]);
  const state = parseJson<Deployment>(await pulumi.ok(dir, ["stack", "export"]));
  const hooks = (state.deployment.resources ?? []).filter(
    (r) => r.type === "nexudus:index:WebHook",
  );
  expect(hooks).toHaveLength(1);
  expect(emulator.records().map((r) => String(r.Id))).toEqual([hooks[0]!.id]);
  await pulumi.ok(dir, ["destroy", "--yes"]);
  expect(emulator.records()).toEqual([]);
}, 300_000);
