/**
 * The layers and their one direction of imports (docs/architecture.md), checked in `npm test`
 * (`npm run lint:layers`): no import cycle anywhere, and no layer importing one above it.
 *
 *   client/  (REST client: transport, auth, routes, schemas, errors, redaction; ratelimit/)
 *     ^
 *   config/  (one settings schema and reader for stack config, environment and CLI flags)
 *     ^
 *   provider/ (the dynamic provider: per-resource logic, the account context)
 *     ^
 *   sdk/     (public resource and component classes)      cli/ (the operator CLI, beside sdk/)
 *
 * emulator/ stands alone (it may read the API's own tables in client/); testing/ (the rigs shared
 * by tests, bench and the demo) may use everything shipped; nothing shipped imports testing/.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const SHIPPED = "^(client|config|provider|sdk|cli|emulator)/";
const DEV = "^(testing|tests|bench|scripts)/";
/** A rule that `from` imports nothing under `to`. */
const forbid = (name, from, to, comment) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: to },
});
module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "Import cycles hide the layers and break module load order.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    forbid(
      "client-is-the-bottom",
      "^client/",
      "^(config|provider|sdk|cli|emulator)/",
      "client/ imports no other layer of ours.",
    ),
    forbid(
      "config-above-client-only",
      "^config/",
      "^(provider|sdk|cli|emulator)/",
      "config/ imports client/ only.",
    ),
    forbid(
      "provider-below-sdk-and-cli",
      "^provider/",
      "^(sdk|cli|emulator)/",
      "provider/ imports client/ and config/ only.",
    ),
    forbid(
      "sdk-not-cli",
      "^sdk/",
      "^(cli|emulator)/",
      "sdk/ is the public classes: no CLI, no emulator.",
    ),
    forbid(
      "cli-not-sdk",
      "^cli/",
      "^(sdk|emulator)/",
      "cli/ talks to the API through client/, config/ and provider/ helpers.",
    ),
    forbid(
      "emulator-alone",
      "^emulator/",
      "^(config|provider|sdk|cli)/",
      "The emulator is an independent fake of the API.",
    ),
    forbid("shipped-not-dev", SHIPPED, DEV, "Nothing shipped imports test, bench or script code."),
    forbid(
      "testing-not-tests",
      "^testing/",
      "^(tests|bench)/",
      "The shared rigs do not import suites or the benchmark (scripts/link-self.js is a tool they run).",
    ),
    forbid(
      "tools-not-tests",
      "^(bench|scripts)/",
      "^tests/",
      "bench/ and scripts/ share rigs through testing/, not tests/.",
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist|examples|sdk/(python|go|dotnet))/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
  },
};
