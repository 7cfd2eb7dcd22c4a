#!/usr/bin/env node
/**
 * `npm run pulumi:install`: builds the Pulumi CLI, the Node.js, Python and YAML language hosts,
 * the dynamic-provider launcher and our SDK generator into .tools/bin/ from the Go module proxy
 * (no download from get.pulumi.com or GitHub). The versions are pinned in scripts/pulumi-cli/ (go.mod and go.sum of
 * one small Go module per executable; which module each comes from, and why, and how to bump
 * them: scripts/pulumi-cli/README.md).
 *
 * Idempotent, per executable: after a successful build a stamp (a hash of its pinned module
 * files and of its build recipe) is written to .tools/bin/.stamps/<name>; an executable whose
 * stamp matches and whose files are present is not rebuilt, so a second run only checks and exits
 * in about a second, and a new pin rebuilds only what it pins. An executable found without a
 * stamp (built by an earlier version of this script) is kept when the module versions recorded in
 * the binary itself (`go version -m`) are the pinned ones. `--force` rebuilds everything;
 * `--bin <dir>` builds into another folder than .tools/bin (the tests use it).
 * Every target is attempted; the script exits 1 at the end if any failed, naming them.
 */
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const MODULES = path.join(ROOT, "scripts", "pulumi-cli");
const binAt = process.argv.indexOf("--bin");
const BIN =
  binAt >= 0 && process.argv[binAt + 1]
    ? path.resolve(process.argv[binAt + 1])
    : path.join(ROOT, ".tools", "bin");
const STAMPS = path.join(BIN, ".stamps");

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

/** What each executable is built from: the Go module folder and the package path. */
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
    extra: [{ name: "pulumi-resource-pulumi-nodejs", write: () => LAUNCHER }],
  },
  {
    name: "pulumi-language-python",
    dir: path.join(MODULES, "python-host"),
    pkg: "github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python",
    versionOf: "github.com/pulumi/pulumi/sdk/v3",
    versionVar: "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version",
    // The host runs every program through this script (python <it> <program>), found beside
    // the host; it is part of the same module release.
    extra: [
      {
        name: "pulumi-language-python-exec",
        copyFrom: "python/cmd/pulumi-language-python-exec",
      },
    ],
  },
  {
    name: "pulumi-language-yaml",
    dir: path.join(MODULES, "yaml-host"),
    pkg: "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml",
    versionOf: "github.com/pulumi/pulumi-yaml",
    versionVar: "github.com/pulumi/pulumi-yaml/pkg/version.Version",
  },
  {
    // Not part of Pulumi's release: our SDK generator (scripts/gen-sdks.js), Pulumi's code
    // generators for Python, Go and .NET behind a four-line command line.
    name: "pulumi-nexudus-sdkgen",
    dir: path.join(MODULES, "sdkgen"),
    pkg: "github.com/pulumi-nexudus/pulumi-cli/sdkgen",
    versionOf: "github.com/pulumi/pulumi/pkg/v3",
    versionVar: "main.Version",
  },
];

function log(line) {
  process.stdout.write(`pulumi:install: ${line}\n`);
}

function fail(line) {
  process.stderr.write(`pulumi:install: ${line}\n`);
  process.exit(1);
}

const GO_ENV = { ...process.env, GOFLAGS: "-mod=readonly", GOWORK: "off", CGO_ENABLED: "0" };

/** A target's stamp: its pinned module files and its recipe (what changes the binary). */
function stampOf(t) {
  const h = crypto.createHash("sha256");
  const goFiles = fs.readdirSync(t.dir).filter((f) => f.endsWith(".go"));
  for (const f of ["go.mod", "go.sum", ...goFiles.sort()]) {
    h.update(f);
    h.update(fs.readFileSync(path.join(t.dir, f)));
  }
  const recipe = { ...t, dir: path.relative(ROOT, t.dir), extra: t.extra?.map((e) => e.name) };
  h.update(JSON.stringify(recipe));
  h.update(LAUNCHER);
  return h.digest("hex");
}

function stampFile(t) {
  return path.join(STAMPS, t.name);
}

function filesOf(t) {
  return [t.name, ...(t.extra ?? []).map((e) => e.name)].map((n) => path.join(BIN, n));
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

let goChecked;
function goVersion() {
  if (goChecked) return goChecked;
  const r = spawnSync("go", ["version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    fail(
      "Go is not installed (the `go` command was not found). The Pulumi CLI and the language " +
        "hosts are built from the Go module proxy; install Go 1.26+ or put your own Pulumi CLI " +
        "(with its pulumi-language-nodejs, -python, -yaml) on PATH.",
    );
  }
  goChecked = r.stdout.trim();
  return goChecked;
}

/**
 * Whether an executable without a stamp was built from the pins: `go version -m` reads the
 * package path and the module versions Go records in every binary (kept by -s -w).
 */
function builtFromPins(t) {
  const r = spawnSync("go", ["version", "-m", path.join(BIN, t.name)], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.error || r.status !== 0) return false;
  const version = requiredVersion(t.dir, t.versionOf);
  const lines = r.stdout.split("\n").map((l) => l.trim().split(/\s+/));
  const pathOk = lines.some((f) => f[0] === "path" && f[1] === t.pkg);
  const modOk = lines.some(
    (f) => (f[0] === "mod" || f[0] === "dep") && f[1] === t.versionOf && f[2] === version,
  );
  return pathOk && modOk;
}

/** "stamp", "adopted" (kept, stamp written now) or false (to build). */
function upToDate(t, stamp) {
  if (!filesOf(t).every((f) => fs.existsSync(f))) return false;
  const file = stampFile(t);
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim() === stamp ? "stamp" : false;
  if (spawnSync("go", ["version"]).status !== 0 || !builtFromPins(t)) return false;
  return "adopted";
}

/** The folder of the module `modulePath` the target's go.mod pins (in the module cache). */
function moduleDir(t, modulePath) {
  const r = spawnSync("go", ["list", "-m", "-f", "{{.Dir}}", modulePath], {
    cwd: t.dir,
    encoding: "utf8",
    env: GO_ENV,
  });
  const dir = r.stdout.trim();
  if (r.status !== 0 || !dir) {
    throw new Error(`go list -m ${modulePath} failed: ${r.stderr.trim()}`);
  }
  return dir;
}

/** Builds one target; returns an error message or undefined. */
function build(t, stamp) {
  const version = requiredVersion(t.dir, t.versionOf);
  const out = path.join(BIN, t.name);
  const t0 = Date.now();
  fs.rmSync(stampFile(t), { force: true });
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
    { cwd: t.dir, stdio: "inherit", env: GO_ENV },
  );
  if (r.status !== 0) {
    fs.rmSync(out + ".tmp", { force: true });
    return `go build of ${t.pkg}@${version} failed (exit ${r.status}); see the errors above`;
  }
  fs.renameSync(out + ".tmp", out);
  for (const e of t.extra ?? []) {
    const dest = path.join(BIN, e.name);
    try {
      if (e.write) fs.writeFileSync(dest + ".tmp", e.write());
      else fs.copyFileSync(path.join(moduleDir(t, t.versionOf), e.copyFrom), dest + ".tmp");
    } catch (err) {
      return `${e.name}: ${err.message}`;
    }
    fs.chmodSync(dest + ".tmp", 0o755);
    fs.renameSync(dest + ".tmp", dest);
  }
  fs.writeFileSync(stampFile(t), stamp + "\n");
  log(`built ${path.relative(ROOT, out)} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return undefined;
}

function main() {
  const force = process.argv.includes("--force");
  const started = Date.now();
  fs.mkdirSync(STAMPS, { recursive: true });
  const todo = [];
  for (const t of TARGETS) {
    const stamp = stampOf(t);
    const state = force ? false : upToDate(t, stamp);
    if (state === "adopted") {
      fs.writeFileSync(stampFile(t), stamp + "\n");
      log(`kept ${t.name}: built from the pins (go version -m); stamp written`);
    }
    if (state) continue;
    todo.push({ t, stamp });
  }
  if (todo.length === 0) {
    const v = execFileSync(path.join(BIN, "pulumi"), ["version"], { encoding: "utf8" }).trim();
    log(
      `${path.relative(ROOT, BIN) || BIN} is up to date (pulumi ${v}, ${TARGETS.length} executables); --force rebuilds`,
    );
    return;
  }
  log(
    `${goVersion()}; building ${todo.map((x) => x.t.name).join(", ")} into ${BIN} ` +
      "(the first build of all five takes under 11 minutes on 2 cores, the CLI about 5 1/2 of them)",
  );
  const failed = [];
  for (const { t, stamp } of todo) {
    const err = build(t, stamp);
    if (err) {
      process.stderr.write(`pulumi:install: ${err}\n`);
      failed.push(t.name);
    }
  }
  if (failed.length > 0) fail(`not built: ${failed.join(", ")} (the others are in ${BIN})`);
  const v = execFileSync(path.join(BIN, "pulumi"), ["version"], { encoding: "utf8" }).trim();
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s: pulumi ${v} in ${BIN}`);
}

main();
require("./lint-tools.js"); // the recipe linters (tests/recipes), installed the same way
