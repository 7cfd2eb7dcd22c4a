// Jest global setup of the unit project: pure tables need no build, no server and no link of the
// package into node_modules; only the figures folder (testing/figures.ts) is made ready.
const fs = require("node:fs");
const path = require("node:path");

module.exports = async function globalSetupUnit() {
  const root = path.resolve(__dirname, "..");
  const figures = process.env.NEXUDUS_FIGURES_DIR || path.join(root, ".figures");
  fs.mkdirSync(figures, { recursive: true });
};
