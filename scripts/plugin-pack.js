#!/usr/bin/env node
// Packs the nexudus resource-provider plugin as the tarball that
// `pulumi plugin install resource nexudus <version> --file <tarball>` installs:
// `pulumi-resource-nexudus-v<version>-linux-amd64.tar.gz`, holding
//   pulumi-resource-nexudus   a sh launcher that execs `node` on dist/provider/plugin/main.js
//   package.json, LICENSE     the package's (the plugin reads its version there)
//   dist/provider/            the compiled provider (run `npm run build` first: `npm run plugin:pack` does)
//   node_modules/             the production dependencies the plugin loads, copied from this
//                             checkout's node_modules (offline; no registry, no npm install)
// so that it runs with only `node` (>= 22) on the machine.
//
// The dependencies: the closure of this package's `dependencies` (axios, zod) and of the two
// that @pulumi/pulumi's gRPC stubs load (@grpc/grpc-js, google-protobuf), each resolved as Node
// resolves it, with nested copies kept where npm nested them. Of @pulumi/pulumi itself only
// `package.json` and `proto/` are shipped: the plugin loads nothing else of it (the SDK's runtime,
// OpenTelemetry, arborist... are 90 MB the plugin never runs).
//
// Usage: node scripts/plugin-pack.js [--out <dir>]   (default: dist-plugin/ at the repo root)
// Prints the tarball's path on its last line.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const LAUNCHER = "pulumi-resource-nexudus";
const ENTRY = "dist/provider/plugin/main.js";
/** The dependencies @pulumi/pulumi's proto/ folder requires. */
const PROTO_DEPENDENCIES = ["@grpc/grpc-js", "google-protobuf"];
/** Most packages one closure may hold: a guard against a loop in a broken node_modules. */
const MAX_PACKAGES = 2000;

/** The folder of package `name` as Node resolves it from folder `from` (upwards to `root`). */
function findPackage(name, from, root) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/**
 * Every package folder (relative to `root`) that `names`, resolved from `from`, need at run time:
 * `dependencies` and the `optionalDependencies` that are installed. A missing required dependency
 * fails the pack (the plugin would fail at its first require).
 */
function closure(names, from, root) {
  const found = new Set();
  const queue = names.map((name) => ({ name, from, required: true }));
  while (queue.length > 0) {
    if (found.size > MAX_PACKAGES) throw new Error(`more than ${MAX_PACKAGES} packages: stopped`);
    const { name, from: at, required } = queue.pop();
    const dir = findPackage(name, at, root);
    if (dir === undefined) {
      if (required)
        throw new Error(
          `${name} (needed from ${path.relative(root, at) || "."}) is not installed: run npm ci`,
        );
      continue;
    }
    const rel = path.relative(root, dir);
    if (found.has(rel)) continue;
    found.add(rel);
    const pkg = readJson(path.join(dir, "package.json"));
    for (const dep of Object.keys(pkg.dependencies ?? {}))
      queue.push({ name: dep, from: dir, required: true });
    for (const dep of Object.keys(pkg.optionalDependencies ?? {}))
      queue.push({ name: dep, from: dir, required: false });
  }
  return [...found].sort();
}

/** Copies a package folder without its own node_modules (nested packages are copied on their own). */
function copyPackage(src, dest) {
  fs.cpSync(src, dest, {
    recursive: true,
    dereference: true,
    filter: (file) => path.relative(src, file).split(path.sep)[0] !== "node_modules",
  });
}

function parseArgs(argv) {
  const opts = { out: path.join(ROOT, "dist-plugin") };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) opts.out = path.resolve(argv[++i]);
    else
      throw new Error(
        `unknown argument ${JSON.stringify(argv[i])}; usage: plugin-pack.js [--out <dir>]`,
      );
  }
  return opts;
}

function pack(opts) {
  const pkg = readJson(path.join(ROOT, "package.json"));
  if (!fs.existsSync(path.join(ROOT, ENTRY))) {
    throw new Error(
      `${ENTRY} is missing: run \`npm run build\` first (or \`npm run plugin:pack\`)`,
    );
  }
  const version = pkg.version;
  const stage = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "nexudus-plugin-"));
  try {
    // The package: its package.json (without scripts or dev dependencies), LICENSE and dist/provider.
    const { scripts: _s, devDependencies: _d, ...shipped } = pkg;
    fs.writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(shipped, null, 2)}\n`);
    fs.copyFileSync(path.join(ROOT, "LICENSE"), path.join(stage, "LICENSE"));
    fs.cpSync(path.join(ROOT, "dist", "provider"), path.join(stage, "dist", "provider"), {
      recursive: true,
      filter: (file) => !file.endsWith(".d.ts") && !file.endsWith(".map"),
    });

    // @pulumi/pulumi: package.json and the gRPC stubs; then the closure of what they and we load.
    const pulumiDir = findPackage("@pulumi/pulumi", ROOT, ROOT);
    if (!pulumiDir) throw new Error("@pulumi/pulumi is not installed: run npm ci");
    const pulumiRel = path.relative(ROOT, pulumiDir);
    fs.mkdirSync(path.join(stage, pulumiRel), { recursive: true });
    fs.copyFileSync(
      path.join(pulumiDir, "package.json"),
      path.join(stage, pulumiRel, "package.json"),
    );
    fs.cpSync(path.join(pulumiDir, "proto"), path.join(stage, pulumiRel, "proto"), {
      recursive: true,
      filter: (file) => !file.endsWith(".d.ts") && !file.endsWith(".map"),
    });
    const packages = new Set([
      ...closure(Object.keys(pkg.dependencies ?? {}), ROOT, ROOT),
      ...closure(PROTO_DEPENDENCIES, pulumiDir, ROOT),
    ]);
    for (const rel of packages) copyPackage(path.join(ROOT, rel), path.join(stage, rel));

    // The launcher: the engine runs `pulumi-resource-nexudus <engine address>` from the plugin folder.
    const launcher = path.join(stage, LAUNCHER);
    fs.writeFileSync(
      launcher,
      [
        "#!/bin/sh",
        "# The nexudus resource-provider plugin (pulumi-nexudus): runs it with the node on PATH.",
        `exec node "$(dirname "$0")/${ENTRY}" "$@"`,
        "",
      ].join("\n"),
    );
    fs.chmodSync(launcher, 0o755);

    fs.mkdirSync(opts.out, { recursive: true });
    const tarball = path.join(opts.out, `${LAUNCHER}-v${version}-linux-amd64.tar.gz`);
    execFileSync("tar", ["-czf", tarball, "-C", stage, "."], { stdio: "inherit" });
    return { tarball, packages: packages.size + 1 };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

module.exports = { pack, closure };
if (require.main === module) {
  try {
    const { tarball, packages } = pack(parseArgs(process.argv.slice(2)));
    const mb = (fs.statSync(tarball).size / 1024 / 1024).toFixed(1);
    process.stdout.write(`packed ${packages} packages (${mb} MiB)\n${tarball}\n`);
  } catch (e) {
    process.stderr.write(`plugin-pack: ${e.message}\n`);
    process.exit(1);
  }
}
