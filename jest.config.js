/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  globalSetup: "<rootDir>/tests/support/global-setup.js",
  testTimeout: 60000,
  // Several suites spawn dynamic-provider hosts and emulators; two workers fit a 2-core machine.
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/tests/support/figures-reporter.js"],
};
