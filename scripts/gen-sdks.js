#!/usr/bin/env node
/**
 * `npm run sdks:gen`: the Python, Go and .NET SDKs of the `nexudus` package, generated from
 * schema.json (written by `npm run plugin:schema`) with Pulumi's code generators, into
 * sdk/python, sdk/go and sdk/dotnet (committed; the TypeScript classes in sdk/*.ts stay as they
 * are). `npm run sdks:build`: builds what was generated (Python: a venv with the SDK installed by
 * pip, then `import pulumi_nexudus`; Go: `go build ./...`; .NET: `dotnet build` where a .NET SDK
 * is installed, else it says why it is skipped). docs/languages.md has the how and why.
 *
 *   node scripts/gen-sdks.js [--out <dir>] [python|go|dotnet ...]   generate (default: all three)
 *   node scripts/gen-sdks.js --build [python|go|dotnet ...]         build the generated folders
 *
 * The generator is `.tools/bin/pulumi-nexudus-sdkgen` (built by `npm run pulumi:install` from
 * scripts/pulumi-cli/sdkgen). Generation reads nothing but schema.json and writes nothing but
 * sdk/<language>/ (each folder replaced whole, so a file the generator no longer writes goes);
 * the Go SDK's go.mod is written here and its go.sum by `go mod tidy` (Go module proxy).
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const SCHEMA = path.join(ROOT, "schema.json");
const SDKGEN = path.join(ROOT, ".tools", "bin", "pulumi-nexudus-sdkgen");
const LANGUAGES = ["python", "go", "dotnet"];

/** The Go module of the Go SDK; the schema's go.importBasePath is its `nexudus` package. */
const GO_MODULE = "github.com/pulumi-nexudus/pulumi-nexudus/sdk/go";
/**
 * The Pulumi Go SDK the Go SDK requires: the one the generator's code was written against
 * (pkg/v3's own requirement in scripts/pulumi-cli/sdkgen/go.mod), the lowest that it compiles
 * with; a program may use any later v3.
 */
const GO_PULUMI_SDK = "github.com/pulumi/pulumi/sdk/v3";

/** The Python SDK of Pulumi the build check installs (from PyPI), pinned. */
const PYTHON_PULUMI = "pulumi==3.272.0";

const HOW_TO_GET_SDKGEN =
  "the SDK generator .tools/bin/pulumi-nexudus-sdkgen is missing: run `npm run pulumi:install` " +
  "(it builds it from scripts/pulumi-cli/sdkgen with Go 1.26+)";

class GenError extends Error {}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 600_000, ...opts });
  if (r.error) throw new GenError(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new GenError(
      `${cmd} ${args.join(" ")} exited ${r.status}:\n${(r.stdout || "") + (r.stderr || "")}`,
    );
  }
  return r.stdout;
}

/**
 * schema.json as the generators get it: the same, and every SDK carries the schema's version
 * (respectSchemaVersion; without it the generators write 0.0.0 and leave the plugin version out).
 */
function schemaForCodegen(schemaPath = SCHEMA) {
  const name = path.relative(ROOT, schemaPath) || schemaPath;
  let spec;
  try {
    spec = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
  } catch (err) {
    throw new GenError(
      `${name} cannot be read as JSON (${err.message}); run npm run plugin:schema`,
    );
  }
  if (typeof spec.version !== "string" || !/^\d+\.\d+\.\d+/.test(spec.version)) {
    throw new GenError(
      `${name}: "version" must be a semver string (the SDKs carry it), got ${JSON.stringify(spec.version)}`,
    );
  }
  const language = { ...(spec.language ?? {}) };
  for (const key of ["python", "go", "csharp"]) {
    language[key] = { ...(language[key] ?? {}), respectSchemaVersion: true };
  }
  return { ...spec, language };
}

/** The version of a module that a go.mod requires. */
function goRequirement(goMod, modulePath) {
  const re = new RegExp(
    `^\\s*(?:require\\s+)?${modulePath.replace(/[./]/g, "\\$&")}\\s+(v\\S+)`,
    "m",
  );
  const m = re.exec(fs.readFileSync(goMod, "utf8"));
  if (!m) throw new GenError(`${goMod} does not require ${modulePath}`);
  return m[1];
}

/** The Go SDK's go.mod (go.sum comes from `go mod tidy`). */
function goMod() {
  const version = goRequirement(
    path.join(ROOT, "scripts", "pulumi-cli", "sdkgen", "go.mod"),
    GO_PULUMI_SDK,
  );
  return `module ${GO_MODULE}\n\ngo 1.24\n\nrequire ${GO_PULUMI_SDK} ${version}\n`;
}

const GO_ENV = { ...process.env, GOWORK: "off", GOFLAGS: "-mod=mod" };

/** Generates `languages` into `<outRoot>/sdk/<language>`; returns the folders written. */
function generate({ outRoot = ROOT, languages = LANGUAGES, schema = SCHEMA } = {}) {
  for (const l of languages) {
    if (!LANGUAGES.includes(l)) {
      throw new GenError(`unknown language "${l}": one of ${LANGUAGES.join(", ")}`);
    }
  }
  // Bad input stops here, before anything is written.
  const spec = schemaForCodegen(schema);
  if (!fs.existsSync(SDKGEN)) throw new GenError(HOW_TO_GET_SDKGEN);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-sdkgen-"));
  const written = [];
  try {
    const schemaFile = path.join(tmp, "schema.json");
    fs.writeFileSync(schemaFile, JSON.stringify(spec, null, 2));
    for (const language of languages) {
      const staged = path.join(tmp, language);
      run(SDKGEN, [schemaFile, language, staged]);
      if (language === "go") {
        fs.writeFileSync(path.join(staged, "go.mod"), goMod());
        run("go", ["mod", "tidy"], { cwd: staged, env: GO_ENV });
      }
      const dest = path.join(outRoot, "sdk", language);
      fs.rmSync(dest, { recursive: true, force: true });
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.cpSync(staged, dest, { recursive: true });
      written.push(dest);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return written;
}

/** Every file under `dir`, as sorted paths relative to it. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/** A venv at `dir` (made if missing) with `packages` installed by pip (PyPI); its python. */
function makeVenv(dir, packages) {
  if (!fs.existsSync(path.join(dir, "bin", "python"))) run("python3", ["-m", "venv", dir]);
  const py = path.join(dir, "bin", "python");
  run(py, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...packages]);
  return py;
}

/**
 * Python: a venv (at `venv`) with Pulumi's SDK from PyPI and sdk/python, then the import. pip
 * installs from a copy (a local build writes build/ and *.egg-info beside the sources).
 */
function buildPython({ venv, sdkRoot = ROOT } = {}) {
  const dir = venv ?? fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-sdk-python-"));
  const src = path.join(dir, "sdk-python-src");
  fs.cpSync(path.join(sdkRoot, "sdk", "python"), src, { recursive: true });
  const py = makeVenv(dir, [PYTHON_PULUMI, src]);
  fs.rmSync(src, { recursive: true, force: true });
  const out = run(
    py,
    ["-c", "import pulumi_nexudus as n; print(n.WebHook.__name__, n.Provider.__name__)"],
    { cwd: dir },
  );
  return { venv: dir, python: py, printed: out.trim() };
}

/** Go: `go build ./...` and `go vet ./...` in sdk/go (modules from the Go module proxy). */
function buildGo({ sdkRoot = ROOT } = {}) {
  const cwd = path.join(sdkRoot, "sdk", "go");
  run("go", ["build", "./..."], { cwd, env: { ...GO_ENV, GOFLAGS: "-mod=readonly" } });
  run("go", ["vet", "./..."], { cwd, env: { ...GO_ENV, GOFLAGS: "-mod=readonly" } });
  return { dir: cwd };
}

/**
 * .NET: `dotnet build` in sdk/dotnet when a .NET SDK is on PATH; otherwise `{ skipped }` with
 * the reason (none is installable on this project's machines: see docs/languages.md).
 */
function buildDotnet({ sdkRoot = ROOT } = {}) {
  const probe = spawnSync("dotnet", ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    return {
      skipped:
        "no .NET SDK: `dotnet` is not on PATH, and Debian 12's archive (the machines' apt) has " +
        "no dotnet-sdk-8.0 / dotnet8 package (`apt-cache policy` finds none); the generated " +
        "C# is committed unbuilt",
    };
  }
  const cwd = path.join(sdkRoot, "sdk", "dotnet");
  run("dotnet", ["build", "--nologo"], { cwd });
  return { dir: cwd, version: probe.stdout.trim() };
}

function main(argv) {
  const build = argv.includes("--build");
  const outAt = argv.indexOf("--out");
  const outRoot = outAt >= 0 ? path.resolve(argv[outAt + 1] ?? "") : ROOT;
  const languages = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--out");
  const chosen = languages.length ? languages : LANGUAGES;
  for (const l of chosen) {
    if (!LANGUAGES.includes(l))
      throw new GenError(`unknown language "${l}": one of ${LANGUAGES.join(", ")}`);
  }
  if (!build) {
    for (const dir of generate({ outRoot, languages: chosen })) {
      process.stdout.write(
        `sdks:gen: ${path.relative(process.cwd(), dir) || "."}: ${listFiles(dir).length} files\n`,
      );
    }
    return;
  }
  const builders = { python: buildPython, go: buildGo, dotnet: buildDotnet };
  for (const l of chosen) {
    const r = builders[l]({ sdkRoot: outRoot });
    if (r.skipped) process.stdout.write(`sdks:build: ${l}: skipped: ${r.skipped}\n`);
    else process.stdout.write(`sdks:build: ${l}: ok${r.printed ? ` (${r.printed})` : ""}\n`);
    if (l === "python" && r.venv) fs.rmSync(r.venv, { recursive: true, force: true });
  }
}

module.exports = {
  LANGUAGES,
  PYTHON_PULUMI,
  GenError,
  generate,
  listFiles,
  buildPython,
  makeVenv,
  buildGo,
  buildDotnet,
  schemaForCodegen,
};

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`gen-sdks: ${err instanceof GenError ? err.message : err.stack}\n`);
    process.exit(1);
  }
}
