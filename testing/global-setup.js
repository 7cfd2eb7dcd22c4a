// Jest global setup: make `require("pulumi-nexudus/...")` resolve from this repo's node_modules,
// as it does for a user who installed the package, because the dynamic-provider host runs the
// serialized provider with no file of its own and resolves modules from its working directory.
const fs = require("node:fs");
const path = require("node:path");
const { linkSelf } = require("../scripts/link-self");

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, "..");
  // Figures recorded by tests (testing/figures.ts), printed by figures-reporter.js.
  const figures = process.env.NEXUDUS_FIGURES_DIR || path.join(root, ".figures");
  fs.rmSync(figures, { recursive: true, force: true });
  fs.mkdirSync(figures, { recursive: true });
  linkSelf(root);
  // The limiters' shared call history (client/ratelimit/callHistory.ts): one folder per run, so that no
  // test counts the calls of an earlier run that happened to use the same emulator port.
  if (!process.env.NEXUDUS_CALL_HISTORY) {
    process.env.NEXUDUS_CALL_HISTORY = fs.mkdtempSync(
      path.join(require("node:os").tmpdir(), "pulumi-nexudus-test-calls-"),
    );
  }
  if (!fs.existsSync(path.join(root, "dist", "provider", "index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` before jest (npm test does it)");
  }
};
