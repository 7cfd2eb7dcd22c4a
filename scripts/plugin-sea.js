#!/usr/bin/env node
// Builds the nexudus plugin as a Node.js single executable (SEA), for machines without Node.js
// (a Python, Go or YAML user's): one `pulumi-resource-nexudus` binary that is a copy of a Node.js
// binary with the plugin bundled inside, packed as
// `pulumi-resource-nexudus-v<version>-linux-amd64-sea.tar.gz` for
// `pulumi plugin install resource nexudus <version> --file <tarball>`.
//
// How, with well-kept tools only (both from npm, dev dependencies):
//   1. esbuild bundles dist/provider/plugin/main.js with its dependencies into one CommonJS file.
//      The gRPC stubs the plugin takes from @pulumi/pulumi (provider/plugin/server.ts
//      MODULE_PATHS) are required statically by a generated entry and handed over on globalThis,
//      with the package version (there is no package.json beside a single executable);
//   2. `node --experimental-sea-config` turns the bundle into a blob (by the same Node.js that the
//      executable is a copy of: by default node@24 from the npm registry, installed once under
//      .tools/node24 as scripts/test-matrix.js installs it);
//   3. postject injects the blob into the copy (the SEA fuse and section Node.js documents).
//
// Usage: plugin-sea.js [--out <dir>] [--node <path to a node binary>]   (default out: dist-plugin/)
// Prints the tarball's path on its last line. Needs `npm run build` first.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`${name} needs a value`);
  return v;
}

/** The Node.js binary to copy: --node, else node@24 from the npm registry (cached in .tools/). */
function nodeBinary() {
  const given = arg("--node");
  if (given) return path.resolve(given);
  const { ensureNode } = require("./test-matrix.js");
  return path.join(ensureNode("24").binDir, "node");
}

/** The generated entry: the stubs required statically, then the plugin's main. */
function entrySource(version) {
  const { MODULE_PATHS } = require(path.join(ROOT, "dist", "provider", "plugin", "server.js"));
  const lines = Object.entries(MODULE_PATHS).map(([key, spec]) => {
    const from = spec.startsWith("./") ? `@pulumi/pulumi/${spec.slice(2)}` : spec;
    return `  ${JSON.stringify(key)}: require(${JSON.stringify(from)}),`;
  });
  return [
    '"use strict";',
    `globalThis.__nexudusPackageVersion = ${JSON.stringify(version)};`,
    "globalThis.__nexudusPluginModules = {",
    ...lines,
    "};",
    `require(${JSON.stringify(path.join(ROOT, "dist", "provider", "plugin", "main.js"))});`,
    "",
  ].join("\n");
}

function main() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  if (!fs.existsSync(path.join(ROOT, "dist", "provider", "plugin", "main.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first");
  }
  const out = path.resolve(arg("--out") ?? path.join(ROOT, "dist-plugin"));
  const node = nodeBinary();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-sea-"));
  try {
    const entry = path.join(work, "entry.js");
    fs.writeFileSync(entry, entrySource(pkg.version));
    const bundle = path.join(work, "plugin.js");
    const esbuild = require("esbuild");
    esbuild.buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile: bundle,
      nodePaths: [path.join(ROOT, "node_modules")],
      logLevel: "warning",
    });
    const config = path.join(work, "sea-config.json");
    const blob = path.join(work, "plugin.blob");
    fs.writeFileSync(
      config,
      JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }),
    );
    execFileSync(node, ["--experimental-sea-config", config], { stdio: ["ignore", 2, 2] });
    const stage = path.join(work, "stage");
    fs.mkdirSync(stage);
    const exe = path.join(stage, "pulumi-resource-nexudus");
    fs.copyFileSync(node, exe);
    fs.chmodSync(exe, 0o755);
    const postject = require.resolve("postject/dist/cli.js");
    execFileSync(
      process.execPath,
      [postject, exe, "NODE_SEA_BLOB", blob, "--sentinel-fuse", FUSE],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    fs.copyFileSync(path.join(ROOT, "LICENSE"), path.join(stage, "LICENSE"));
    fs.mkdirSync(out, { recursive: true });
    const tarball = path.join(
      out,
      `pulumi-resource-nexudus-v${pkg.version}-linux-amd64-sea.tar.gz`,
    );
    execFileSync("tar", ["-czf", tarball, "-C", stage, "."]);
    const nodeVersion = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
    console.log(`plugin-sea: a single executable on Node.js ${nodeVersion}`);
    console.log(tarball);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  console.error(`plugin-sea: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
