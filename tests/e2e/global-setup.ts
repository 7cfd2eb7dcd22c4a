/**
 * Jest global setup of the e2e project: the repository's own set-up, then the Pulumi CLI looked
 * for once, and node@24 for the single-executable plugin installed once. Without one, the run stops here with one message naming the two ways to get it,
 * instead of every e2e test failing on its own (18 failures over 500 lines, before).
 */
import { findPulumi } from "../../testing/pulumiCli";

const repoSetup = require("../../testing/global-setup.js") as () => Promise<void>;
const { ensureNode } = require("../../scripts/test-matrix.js") as {
  ensureNode(line: string): { binDir: string };
};

export default async function globalSetupE2e(): Promise<void> {
  await repoSetup();
  findPulumi();
  // The Node.js the single-executable plugin is built on (tests/e2e/plugin-sea.test.ts, and the
  // release folder of tests/user), installed once here from the npm registry: two test workers
  // installing it at the same time would trip over each other.
  ensureNode("24");
}
