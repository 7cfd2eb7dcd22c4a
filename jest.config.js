/**
 * Jest projects, one per test level (CONTRIBUTING.md, "Tests by level"):
 * - unit: pure tables, no build, no server (`npm run test:unit`, seconds);
 * - integration: the emulator and the REST client over real HTTP on loopback;
 * - host: the real dynamic-provider host (and the provider plugin) driven over gRPC, the CLI, perf;
 * - e2e: the real `pulumi` CLI.
 * `npm test` runs all four. A new folder under tests/ is a host-level suite unless listed below.
 * @type {import('jest').Config}
 */
const transform = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] };
const UNIT = ["<rootDir>/tests/unit/"];
const INTEGRATION = ["<rootDir>/tests/emulator/", "<rootDir>/tests/client/"];
const E2E = ["<rootDir>/tests/e2e/", "<rootDir>/tests/user/"];

/** A project of the folders `dirs` (or, with `dirs` undefined, every folder the others do not hold). */
function project(displayName, dirs, extra = {}) {
  const others = [UNIT, INTEGRATION, E2E].flat();
  return {
    displayName,
    testEnvironment: "node",
    rootDir: __dirname,
    roots: ["<rootDir>/tests"],
    testMatch: dirs ? dirs.map((d) => `${d}**/*.test.ts`) : ["<rootDir>/tests/**/*.test.ts"],
    testPathIgnorePatterns: dirs ? ["/node_modules/"] : ["/node_modules/", ...others],
    transform,
    globalSetup: "<rootDir>/testing/global-setup.js",
    ...extra,
  };
}

module.exports = {
  projects: [
    project("unit", UNIT, { globalSetup: "<rootDir>/testing/global-setup-unit.js" }),
    project("integration", INTEGRATION),
    project("host", undefined),
    project("e2e", E2E, { globalSetup: "<rootDir>/tests/e2e/global-setup.ts" }),
  ],
  testTimeout: 60000,
  // Several suites spawn dynamic-provider hosts and emulators; two workers fit a 2-core machine.
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/testing/figures-reporter.js"],
};
