#!/usr/bin/env node
// Packs the nexudus resource-provider plugin as the tarball that
// `pulumi plugin install resource nexudus <version> --file <tarball>` installs:
// `pulumi-resource-nexudus-v<version>-linux-amd64.tar.gz`, holding
//   pulumi-resource-nexudus   a sh launcher that execs `node` on dist/provider/plugin/main.js
//   package.json, LICENSE     the package's (the plugin reads its version there)
//   dist/{client,config,provider}/  the compiled layers (run `npm run build` first: `npm run plugin:pack` does)
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
// It runs from this repository (`npm run plugin:pack`) and from the installed npm package: the
// package's bin `pulumi-nexudus-plugin` packs the plugin from the package's own files and the
// dependencies npm installed beside it, and with `--install` puts it in the Pulumi plugin cache
// (`pulumi plugin install resource nexudus <version> --file <tarball>`, the pulumi on PATH).
//
// Usage: plugin-pack.js [--out <dir>] [--install]   (default out: dist-plugin/ beside the package)
// Prints the tarball's path on its last line.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const LAUNCHER = "pulumi-resource-nexudus";
const ENTRY = "dist/provider/plugin/main.js";
/** The compiled layers the plugin loads (docs/architecture.md): the client, config and provider. */
const PLUGIN_LAYERS = ["client", "config", "provider"];
/** The dependencies @pulumi/pulumi's proto/ folder requires. */
const PROTO_DEPENDENCIES = ["@grpc/grpc-js", "google-protobuf"];
/** Most packages one closure may hold: a guard against a loop in a broken node_modules. */
const MAX_PACKAGES = 2000;

/** The folder of package `name` as Node resolves it from folder `from` (upwards). */
function findPackage(name, from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/**
 * Where a dependency's folder goes in the plugin: `node_modules/<names>` as Node resolves it
 * from the package. Found beside the installed package (`<project>/node_modules/axios`) or in it
 * (`<package>/node_modules/axios`, or this checkout's), it is the part after that node_modules.
 */
function destinationOf(dir) {
  const own = path.join(ROOT, "node_modules") + path.sep;
  if (dir.startsWith(own)) return path.join("node_modules", dir.slice(own.length));
  const parts = dir.split(path.sep);
  const rootDepth = ROOT.split(path.sep).length;
  // The node_modules above the package that holds the dependency (nested copies keep their path).
  for (let i = Math.min(rootDepth, parts.length) - 1; i >= 0; i--) {
    if (parts[i] === "node_modules") return path.join(...parts.slice(i));
  }
  throw new Error(`${dir}: not in a node_modules folder the package resolves from`);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/**
 * Every package folder (absolute) that `names`, resolved from `from`, need at run time:
 * `dependencies` and the `optionalDependencies` that are installed. A missing required dependency
 * fails the pack (the plugin would fail at its first require).
 */
function closure(names, from) {
  const found = new Set();
  const queue = names.map((name) => ({ name, from, required: true }));
  while (queue.length > 0) {
    if (found.size > MAX_PACKAGES) throw new Error(`more than ${MAX_PACKAGES} packages: stopped`);
    const { name, from: at, required } = queue.pop();
    const dir = findPackage(name, at);
    if (dir === undefined) {
      if (required)
        throw new Error(
          `${name} (needed from ${at}) is not installed: run npm ci (or npm install)`,
        );
      continue;
    }
    if (found.has(dir)) continue;
    found.add(dir);
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
  const opts = { out: path.join(ROOT, "dist-plugin"), install: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) opts.out = path.resolve(argv[++i]);
    else if (argv[i] === "--install") opts.install = true;
    else
      throw new Error(
        `unknown argument ${JSON.stringify(argv[i])}; usage: plugin-pack.js [--out <dir>] [--install]`,
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
    // The package: its package.json (without scripts or dev dependencies), LICENSE and the layers
    // the provider loads (dist/client, dist/config, dist/provider).
    const { scripts: _s, devDependencies: _d, ...shipped } = pkg;
    fs.writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(shipped, null, 2)}\n`);
    fs.copyFileSync(path.join(ROOT, "LICENSE"), path.join(stage, "LICENSE"));
    for (const layer of PLUGIN_LAYERS) {
      fs.cpSync(path.join(ROOT, "dist", layer), path.join(stage, "dist", layer), {
        recursive: true,
        filter: (file) => !file.endsWith(".d.ts") && !file.endsWith(".map"),
      });
    }

    // @pulumi/pulumi: package.json and the gRPC stubs; then the closure of what they and we load.
    const pulumiDir = findPackage("@pulumi/pulumi", ROOT);
    if (!pulumiDir) throw new Error("@pulumi/pulumi is not installed: run npm ci (or npm install)");
    const pulumiRel = destinationOf(pulumiDir);
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
      ...closure(Object.keys(pkg.dependencies ?? {}), ROOT),
      ...closure(PROTO_DEPENDENCIES, pulumiDir),
    ]);
    for (const dir of packages) copyPackage(dir, path.join(stage, destinationOf(dir)));

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
    const opts = parseArgs(process.argv.slice(2));
    const { tarball, packages } = pack(opts);
    const mb = (fs.statSync(tarball).size / 1024 / 1024).toFixed(1);
    if (opts.install) {
      const { version } = readJson(path.join(ROOT, "package.json"));
      const args = ["plugin", "install", "resource", "nexudus", version, "--file", tarball];
      process.stderr.write(`pulumi ${args.join(" ")}\n`);
      execFileSync("pulumi", args, { stdio: ["ignore", "inherit", "inherit"] });
    }
    process.stdout.write(`packed ${packages} packages (${mb} MiB)\n${tarball}\n`);
  } catch (e) {
    process.stderr.write(`plugin-pack: ${e.message}\n`);
    process.exit(1);
  }
}
