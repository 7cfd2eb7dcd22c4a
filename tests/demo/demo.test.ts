/**
 * The README's main job, `npm run demo`: through the real Pulumi CLI when one is there
 * (.tools/bin from `npm run pulumi:install`, or PATH), and through the dynamic-provider host
 * where none is (NEXUDUS_DEMO_ENGINE=host takes that path on purpose). Both exit 0 and say first
 * which path they took.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { HOW_TO_GET_PULUMI } from "../../testing/pulumiCli";
import { REPO_ROOT } from "../../testing/host";

function runDemo(env: NodeJS.ProcessEnv) {
  const run = spawnSync(
    process.execPath,
    [
      path.join(REPO_ROOT, "node_modules/ts-node/dist/bin.js"),
      "--transpile-only",
      "scripts/demo.ts",
    ],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 240_000,
    },
  );
  return { run, out: run.stdout + run.stderr };
}

function expectEverySteps(out: string): void {
  for (const line of [
    "preview plans the creates and writes nothing",
    "three webhooks exist in Nexudus",
    "the receiver verified X-Nexudus-Hook-Signature",
    "lastTrigger moved for webhook",
    "✓ no changes",
    "every webhook is deleted",
    "Demo complete.",
  ]) {
    expect(out).toContain(line);
  }
  expect(out).not.toContain("demo-admin-token");
}

test("without a CLI the demo says so first and runs every step through the host", () => {
  const { run, out } = runDemo({ NEXUDUS_DEMO_ENGINE: "host", PATH: "/usr/bin:/bin" });
  expect(out.split("\n")[0]).toContain("Engine: the real dynamic-provider host over gRPC");
  expect(out).toContain("npm run pulumi:install");
  expect(out).toContain("running through the real Pulumi dynamic-provider host");
  expectEverySteps(out);
  expect(run.status).toBe(0);
}, 300_000);

test("with the CLI in .tools/bin the demo runs every step through the real engine", () => {
  const cli = path.join(REPO_ROOT, ".tools", "bin", "pulumi");
  if (!fs.existsSync(cli)) throw new Error(HOW_TO_GET_PULUMI);
  const { run, out } = runDemo({});
  expect(out.split("\n")[0]).toContain("Engine: the real Pulumi CLI");
  expect(out).toContain("running through Pulumi Automation API");
  expectEverySteps(out);
  expect(run.status).toBe(0);
}, 300_000);
