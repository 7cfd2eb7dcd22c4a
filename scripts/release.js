#!/usr/bin/env node
// `npm run release`: everything a user needs to install pulumi-nexudus without the npm registry,
// in one folder (release/, git-ignored):
//   pulumi-nexudus-<version>.tgz   the npm package (`npm install ./release/pulumi-nexudus-<v>.tgz`),
//                                  packed from a staging copy whose package.json is cleaned of
//                                  dev-only fields (scripts, devDependencies, overrides) by
//                                  clean-pkg-json, so the repository's package.json is never touched
//   templates/nexudus-yaml/        the Pulumi YAML template (the plugin's WebhookSet; needs the plugin)
//   templates/nexudus-typescript/  the `pulumi new` template (templates/ of the repository) with the
//                                  npm package inside as pulumi-nexudus.tgz, which its package.json
//                                  installs (`file:pulumi-nexudus.tgz`): `pulumi new` copies it into
//                                  the new project, so no registry entry is needed
//   <more artifacts>               each entry of ARTIFACTS whose npm script exists in package.json
//                                  (the plugin tarball from `plugin:pack`, SDK packages...)
//   SHA256SUMS                     `sha256sum -c SHA256SUMS` checks every file above
//   INSTALL.txt                    how to install from this folder
//
// Usage: node scripts/release.js [--out <dir>] [--no-build]
"use strict";
const { execFileSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");

/**
 * Optional artifacts: built when package.json has the script, each writing into `out` through
 * `args(out)`; `files(out, version)` names what it made. With --no-build, `node` (the script
 * without its `npm run build` step) runs instead when given, so that dist/ is not rebuilt under
 * whoever is using it. Add an entry to ship one more artifact.
 */
const ARTIFACTS = [
  {
    script: "plugin:pack",
    node: "scripts/plugin-pack.js",
    what: "the `nexudus` resource-provider plugin (pulumi plugin install resource nexudus <v> --file <tarball>)",
    args: (out) => ["--out", out],
    files: (out, version) => [`pulumi-resource-nexudus-v${version}-linux-amd64.tar.gz`],
  },
  {
    script: "plugin:sea",
    node: "scripts/plugin-sea.js",
    what: "the plugin as one executable, for machines without Node.js (same install command)",
    args: (out) => ["--out", out],
    files: (out, version) => [`pulumi-resource-nexudus-v${version}-linux-amd64-sea.tar.gz`],
  },
  {
    script: "sdk:pack",
    what: "the SDK packages of other languages",
    args: (out) => ["--out", out],
    files: (out) =>
      fs.readdirSync(out).filter((f) => /^(pulumi_nexudus|pulumi-nexudus-sdk)/.test(f)),
  },
];

function parseArgs(argv) {
  const opts = { out: path.join(ROOT, "release"), build: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out" && argv[i + 1]) opts.out = path.resolve(argv[++i]);
    else if (argv[i] === "--no-build") opts.build = false;
    else {
      throw new Error(
        `unknown argument ${JSON.stringify(argv[i])}; usage: release.js [--out <dir>] [--no-build]`,
      );
    }
  }
  return opts;
}

const run = (cmd, args, cwd) =>
  execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

/** npm pack of a staging copy (the files `npm pack` would ship) with a cleaned package.json. */
function packNpm(out) {
  const listing = JSON.parse(run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], ROOT));
  const stage = fs.mkdtempSync(path.join(out, ".stage-"));
  try {
    for (const { path: f } of listing[0].files) {
      fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
    }
    run(
      process.execPath,
      [require.resolve("clean-pkg-json/dist/index.mjs", { paths: [ROOT] })],
      stage,
    );
    const name = run(
      "npm",
      ["pack", "--ignore-scripts", "--silent", "--pack-destination", out],
      stage,
    )
      .trim()
      .split("\n")
      .pop();
    return name;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function installText(version, files) {
  const tgz = `pulumi-nexudus-${version}.tgz`;
  return [
    `pulumi-nexudus ${version}: install without the npm registry`,
    "",
    "Check the files:   sha256sum -c SHA256SUMS",
    "",
    "In your Pulumi project (Node.js 22+, npm):",
    `  npm install @pulumi/pulumi /absolute/path/to/this/folder/${tgz}`,
    "",
    "Or start a new project from the template in this folder (it carries the package):",
    "  mkdir my-webhooks && cd my-webhooks",
    "  pulumi new /absolute/path/to/this/folder/templates/nexudus-typescript",
    "",
    "Pulumi YAML (and other languages) use the nexudus plugin; install it once, then the template:",
    `  pulumi plugin install resource nexudus ${version} --file /absolute/path/to/this/folder/pulumi-resource-nexudus-v${version}-linux-amd64.tar.gz`,
    "  pulumi new /absolute/path/to/this/folder/templates/nexudus-yaml",
    "  pulumi new /absolute/path/to/this/folder/templates/nexudus-python   (Python 3.9+, pip)",
    "",
    "Once the package is on npm, `npm install pulumi-nexudus @pulumi/pulumi` replaces the",
    "tarball; the package name (and so the state) stays the same.",
    "",
    "Files:",
    ...files.map((f) => `  ${f.name}${f.what ? `  ${f.what}` : ""}`),
    "",
  ].join("\n");
}

function release(opts) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  if (opts.build) run("npm", ["run", "build", "--silent"], ROOT);
  if (!fs.existsSync(path.join(ROOT, "dist", "sdk", "index.js"))) {
    throw new Error("dist/ is missing: run `npm run build` (or drop --no-build)");
  }
  fs.rmSync(opts.out, { recursive: true, force: true });
  fs.mkdirSync(opts.out, { recursive: true });
  const tgz = packNpm(opts.out);
  const files = [{ name: tgz, what: "the npm package" }];
  for (const t of fs.readdirSync(path.join(ROOT, "templates"))) {
    const dest = path.join(opts.out, "templates", t);
    fs.cpSync(path.join(ROOT, "templates", t), dest, { recursive: true });
    // A Python template installs the generated SDK it carries (requirements.txt names it).
    if (fs.existsSync(path.join(dest, "requirements.txt"))) {
      execFileSync("tar", [
        "-czf",
        path.join(dest, "pulumi-nexudus-sdk.tar.gz"),
        "-C",
        path.join(ROOT, "sdk"),
        "python",
      ]);
      files.push({
        name: `templates/${t}/pulumi-nexudus-sdk.tar.gz`,
        what: "the Python SDK, carried by the template",
      });
    }
    // A Node.js template installs the npm package it carries; a YAML one needs the plugin only.
    if (!fs.existsSync(path.join(dest, "package.json"))) continue;
    fs.copyFileSync(path.join(opts.out, tgz), path.join(dest, "pulumi-nexudus.tgz"));
    files.push({
      name: `templates/${t}/pulumi-nexudus.tgz`,
      what: "the npm package, carried by the template",
    });
  }
  for (const a of ARTIFACTS) {
    if (!pkg.scripts?.[a.script]) continue;
    if (!opts.build && a.node && fs.existsSync(path.join(ROOT, a.node))) {
      run(process.execPath, [path.join(ROOT, a.node), ...a.args(opts.out)], ROOT);
    } else {
      run("npm", ["run", "--silent", a.script, "--", ...a.args(opts.out)], ROOT);
    }
    for (const name of a.files(opts.out, pkg.version)) {
      if (!fs.existsSync(path.join(opts.out, name))) {
        throw new Error(`npm run ${a.script} did not write ${name} into ${opts.out}`);
      }
      files.push({ name, what: a.what });
    }
  }
  const sums = files.map(({ name }) => {
    const hash = crypto.createHash("sha256").update(fs.readFileSync(path.join(opts.out, name)));
    return `${hash.digest("hex")}  ${name}\n`;
  });
  fs.writeFileSync(path.join(opts.out, "SHA256SUMS"), sums.join(""));
  fs.writeFileSync(path.join(opts.out, "INSTALL.txt"), installText(pkg.version, files));
  return { out: opts.out, files: files.map((f) => f.name) };
}

if (require.main === module) {
  try {
    const { out, files } = release(parseArgs(process.argv.slice(2)));
    process.stdout.write(
      `${out}\n${[...files, "SHA256SUMS", "INSTALL.txt"].map((f) => `  ${f}`).join("\n")}\n`,
    );
  } catch (e) {
    process.stderr.write(`release: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}

module.exports = { release, ARTIFACTS };
