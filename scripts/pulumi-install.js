#!/usr/bin/env node
/**
 * `npm run pulumi:install`: builds the Pulumi CLI, the Node.js language host and the
 * dynamic-provider launcher into .tools/bin/ from the Go module proxy (no download from
 * get.pulumi.com or GitHub). The versions are pinned in scripts/pulumi-cli/ (go.mod and go.sum of
 * two small Go modules; how to bump them: scripts/pulumi-cli/README.md).
 *
 * Idempotent: a stamp (a hash of the pinned module files and of this script) is written after a
 * successful build; when it matches and the three binaries are present the script only checks
 * them and exits in about a second. `--force` rebuilds.
 */
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const MODULES = path.join(ROOT, "scripts", "pulumi-cli");
const BIN = path.join(ROOT, ".tools", "bin");
const STAMP = path.join(BIN, ".stamp");

/**
 * The engine starts every dynamic resource's provider as the plugin `pulumi-nodejs`, i.e. an
 * executable `pulumi-resource-pulumi-nodejs` found next to `pulumi` or on PATH. Pulumi's release
 * tarball ships a shell launcher that runs the dynamic-provider host of the @pulumi/pulumi
 * installed in the program's folder (the engine starts plugins there); this is the same job.
 */
const LAUNCHER = `#!/bin/sh
# Written by scripts/pulumi-install.js: the engine's "pulumi-nodejs" resource plugin, i.e. the
# dynamic-provider host of the @pulumi/pulumi installed in the program's folder.
if [ -n "\${PULUMI_RUNTIME_TYPESCRIPT}" ]; then
  export PULUMI_NODEJS_TYPESCRIPT="\${PULUMI_RUNTIME_TYPESCRIPT}"
fi
exec node ./node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js "$@"
`;

/** What each binary is built from: the Go module folder and the package path. */
const TARGETS = [
  {
    name: "pulumi",
    dir: MODULES,
    pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
    versionOf: "github.com/pulumi/pulumi/pkg/v3",
    versionVar: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
  },
  {
    name: "pulumi-language-nodejs",
    dir: path.join(MODULES, "nodejs-host"),
    pkg: "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs",
    versionOf: "github.com/pulumi/pulumi/sdk/v3",
    versionVar: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
  },
];

function log(line) {
  process.stdout.write(`pulumi:install: ${line}\n`);
}

function fail(line) {
  process.stderr.write(`pulumi:install: ${line}\n`);
  process.exit(1);
}

function stampOf() {
  const h = crypto.createHash("sha256");
  for (const t of TARGETS) {
    for (const f of ["go.mod", "go.sum", "tools.go"]) {
      h.update(fs.readFileSync(path.join(t.dir, f)));
    }
  }
  h.update(fs.readFileSync(__filename));
  return h.digest("hex");
}

/** The version a go.mod requires of a module (the pinned one). */
function requiredVersion(dir, modulePath) {
  const mod = fs.readFileSync(path.join(dir, "go.mod"), "utf8");
  const re = new RegExp(
    `^\\s*(?:require\\s+)?${modulePath.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\s+(v\\S+)`,
    "m",
  );
  const m = re.exec(mod);
  if (!m) fail(`${path.relative(ROOT, dir)}/go.mod does not require ${modulePath}`);
  return m[1];
}

function goVersion() {
  const r = spawnSync("go", ["version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    fail(
      "Go is not installed (the `go` command was not found). The Pulumi CLI is built from the Go " +
        "module proxy; install Go 1.26+ or put your own Pulumi CLI (with its pulumi-language-nodejs) on PATH.",
    );
  }
  return r.stdout.trim();
}

function upToDate(stamp) {
  if (!fs.existsSync(STAMP) || fs.readFileSync(STAMP, "utf8").trim() !== stamp) return false;
  for (const name of [...TARGETS.map((t) => t.name), "pulumi-resource-pulumi-nodejs"]) {
    if (!fs.existsSync(path.join(BIN, name))) return false;
  }
  // A binary that no longer runs (another OS, a truncated file) is rebuilt.
  const r = spawnSync(path.join(BIN, "pulumi"), ["version"], { encoding: "utf8", timeout: 30_000 });
  return r.status === 0;
}

function main() {
  const force = process.argv.includes("--force");
  const started = Date.now();
  const stamp = stampOf();
  if (!force && upToDate(stamp)) {
    const v = execFileSync(path.join(BIN, "pulumi"), ["version"], { encoding: "utf8" }).trim();
    log(`.tools/bin is up to date (pulumi ${v}); --force rebuilds`);
    return;
  }
  log(
    `${goVersion()}; building into .tools/bin (the first build takes about 5 1/2 minutes on 2 cores)`,
  );
  fs.mkdirSync(BIN, { recursive: true });
  fs.rmSync(STAMP, { force: true });
  for (const t of TARGETS) {
    const version = requiredVersion(t.dir, t.versionOf);
    const out = path.join(BIN, t.name);
    const t0 = Date.now();
    log(`go build ${t.pkg}@${version}`);
    const r = spawnSync(
      "go",
      [
        "build",
        "-trimpath",
        "-ldflags",
        `-s -w -X ${t.versionVar}=${version}`,
        "-o",
        out + ".tmp",
        t.pkg,
      ],
      {
        cwd: t.dir,
        stdio: "inherit",
        env: { ...process.env, GOFLAGS: "-mod=readonly", GOWORK: "off", CGO_ENABLED: "0" },
      },
    );
    if (r.status !== 0)
      fail(`go build of ${t.pkg} failed (exit ${r.status}); see the errors above`);
    fs.renameSync(out + ".tmp", out);
    log(`built ${path.relative(ROOT, out)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const launcher = path.join(BIN, "pulumi-resource-pulumi-nodejs");
  fs.writeFileSync(launcher, LAUNCHER, { mode: 0o755 });
  fs.chmodSync(launcher, 0o755);
  fs.writeFileSync(STAMP, stamp + "\n");
  const v = execFileSync(path.join(BIN, "pulumi"), ["version"], { encoding: "utf8" }).trim();
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s: pulumi ${v} in .tools/bin`);
}

main();
require("./lint-tools.js"); // the recipe linters (tests/recipes), installed the same way
