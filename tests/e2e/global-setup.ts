/**
 * Jest global setup of the e2e project: the repository's own set-up, then the Pulumi CLI looked
 * for once. Without one, the run stops here with one message naming the two ways to get it,
 * instead of every e2e test failing on its own (18 failures over 500 lines, before).
 */
import { findPulumi } from "../../testing/pulumiCli";

const repoSetup = require("../../testing/global-setup.js") as () => Promise<void>;

export default async function globalSetupE2e(): Promise<void> {
  await repoSetup();
  findPulumi();
}
