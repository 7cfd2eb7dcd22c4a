/**
 * The README's main job, `npm run demo`, runs in CI through its host-harness path (the Pulumi CLI
 * is not on PATH here, and the demo never downloads it) and exits 0.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import { REPO_ROOT } from "../support/host";

test("the demo runs every step against the emulator and exits 0", () => {
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
      env: { ...process.env, PATH: "/usr/bin:/bin" },
      timeout: 120_000,
    },
  );
  const out = run.stdout + run.stderr;
  expect(out).toContain("running through the real Pulumi dynamic-provider host");
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
  expect(run.status).toBe(0);
}, 150_000);
