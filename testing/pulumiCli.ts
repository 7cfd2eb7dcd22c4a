/**
 * The real Pulumi engine, driven as a user drives it: the `pulumi` CLI (built by
 * `npm run pulumi:install` into .tools/bin, or the user's own on PATH), a program folder with the
 * packed tarball installed by npm, a local file backend and a passphrase secrets provider in a
 * temporary folder, the emulator on loopback. Assertions read the engine's JSON output and event
 * log and the emulator's records and request log, never screen text.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle, type StartEmulatorOptions } from "../emulator";

export const REPO_ROOT = path.resolve(__dirname, "..");
const TOOLS_BIN = path.join(REPO_ROOT, ".tools", "bin");

/** How to get the CLI, said wherever it is missing. */
export const HOW_TO_GET_PULUMI =
  "The end-to-end suite (tests/e2e) needs the Pulumi CLI. Either run `npm run pulumi:install` " +
  "(builds pulumi, pulumi-language-nodejs and the dynamic-provider launcher into .tools/bin from " +
  "the Go module proxy; needs Go 1.26+, about 5 1/2 minutes the first time), or put your own Pulumi " +
  "CLI (with its pulumi-language-nodejs) on PATH.";

export interface PulumiCli {
  /** The `pulumi` executable. */
  bin: string;
  /** The folder put first on PATH (the language host and the launcher live beside `pulumi`). */
  binDir: string;
  /** `.tools` when built here, `path` when found on PATH. */
  source: "tools" | "path";
  version: string;
}

/** The CLI every e2e test runs; throws {@link HOW_TO_GET_PULUMI} when there is none. */
export function findPulumi(): PulumiCli {
  const candidates: Array<{ bin: string; source: "tools" | "path" }> = [];
  if (fs.existsSync(path.join(TOOLS_BIN, "pulumi"))) {
    candidates.push({ bin: path.join(TOOLS_BIN, "pulumi"), source: "tools" });
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, "pulumi"))) {
      candidates.push({ bin: path.join(dir, "pulumi"), source: "path" });
      break;
    }
  }
  for (const c of candidates) {
    const r = spawnSync(c.bin, ["version"], { encoding: "utf8", timeout: 30_000 });
    if (r.status === 0) {
      return { ...c, binDir: path.dirname(c.bin), version: r.stdout.trim() };
    }
  }
  throw new Error(HOW_TO_GET_PULUMI);
}

let tarballPath: string | undefined;

/** `npm pack` of this repo (built by `npm test` before jest), once per test file. */
export function packTarball(): string {
  if (tarballPath && fs.existsSync(tarballPath)) return tarballPath;
  if (!fs.existsSync(path.join(REPO_ROOT, "dist", "provider", "index.js"))) {
    throw new Error(
      "dist/ is missing: run `npm run build` before the e2e suite (npm test does it)",
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-e2e-pack-"));
  const name = execFileSync(
    "npm",
    ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir],
    { cwd: REPO_ROOT, encoding: "utf8" },
  )
    .trim()
    .split("\n")
    .pop()!;
  tarballPath = path.join(dir, name);
  return tarballPath;
}

/** The @pulumi/pulumi this repo is tested with: the programs get the same one. */
export function sdkVersion(): string {
  const pkg = JSON.parse(
    fs.readFileSync(
      path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "package.json"),
      "utf8",
    ),
  ) as { version: string };
  return pkg.version;
}

export interface ProgramOptions {
  /** An example folder under examples/ to copy (its index.ts, Pulumi.yaml, tsconfig.json). */
  example?: string;
  /** Or the files of a program written by the test (name to content). */
  files?: Record<string, string>;
  /** Pulumi project name when `files` has no Pulumi.yaml. */
  project?: string;
}

/**
 * A program folder as a user has it: the files, and `npm install <tarball> @pulumi/pulumi@<ours>`
 * (plus the example's own dev dependencies). Installs are made once per test file and copied.
 */
export function makeProgram(root: string, name: string, opts: ProgramOptions): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  let pkg: Record<string, unknown> = { name, private: true, main: "index.ts" };
  if (opts.example) {
    const src = path.join(REPO_ROOT, "examples", opts.example);
    for (const f of fs.readdirSync(src)) {
      if (f === "node_modules" || /^Pulumi\..+\.yaml$/.test(f)) continue;
      fs.cpSync(path.join(src, f), path.join(dir, f), { recursive: true });
    }
    pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<
      string,
      unknown
    >;
  }
  for (const [f, content] of Object.entries(opts.files ?? {})) {
    fs.writeFileSync(path.join(dir, f), content);
  }
  if (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: ${opts.project ?? name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`,
    );
  }
  const deps = { ...((pkg.dependencies as Record<string, string> | undefined) ?? {}) };
  delete deps["pulumi-nexudus"];
  delete deps["@pulumi/pulumi"];
  pkg.dependencies = deps;
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  // As a user installs it (the README's `npm install pulumi-nexudus @pulumi/pulumi`), with the
  // tarball in place of the registry's copy. --prefer-offline: what `npm ci` of this repo cached
  // is enough; the registry is asked only for what is missing.
  const r = spawnSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      packTarball(),
      `@pulumi/pulumi@${sdkVersion()}`,
    ],
    { cwd: dir, encoding: "utf8", timeout: 300_000 },
  );
  if (r.status !== 0) throw new Error(`npm install in ${dir} failed:\n${r.stdout}\n${r.stderr}`);
  return dir;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** One user's Pulumi: a home, a file backend and a passphrase, all in a temporary folder. */
export class PulumiSession {
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly cli: PulumiCli,
    readonly root: string,
    extraEnv: NodeJS.ProcessEnv = {},
  ) {
    const home = path.join(root, ".pulumi-home");
    const state = path.join(root, ".pulumi-state");
    fs.mkdirSync(home, { recursive: true });
    fs.mkdirSync(state, { recursive: true });
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Nothing of the developer's own Nexudus or Pulumi setup leaks into the test.
    for (const k of Object.keys(env)) {
      if (k.startsWith("NEXUDUS_") || k.startsWith("PULUMI_")) delete env[k];
    }
    this.env = {
      ...env,
      PATH: `${cli.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${state}`,
      PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      NO_COLOR: "1",
      // `--event-log` (the engine's event stream, as the Automation API reads it) is listed
      // among the CLI's debug flags.
      PULUMI_DEBUG_COMMANDS: "true",
      ...extraEnv,
    };
  }

  /** Runs `pulumi <args>` in `cwd` and waits (bounded by `timeoutMs`). */
  run(
    cwd: string,
    args: string[],
    opts: { timeoutMs?: number; input?: string } = {},
  ): Promise<RunResult> {
    const child = this.spawn(cwd, args);
    return collect(child, opts.timeoutMs ?? 240_000, opts.input);
  }

  /** Like {@link run}, but throws with the output when the command fails. */
  async ok(cwd: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
    const r = await this.run(cwd, args, opts);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    }
    return r;
  }

  /** Starts `pulumi <args>` and returns the child (for interruption tests). */
  spawn(cwd: string, args: string[], opts: { detached?: boolean } = {}): ChildProcess {
    return spawn(this.cli.bin, [...args, "--non-interactive"], {
      cwd,
      env: this.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: opts.detached ?? false,
    });
  }

  /** `pulumi stack export` as an object. */
  async exportStack(cwd: string): Promise<Deployment> {
    const r = await this.ok(cwd, ["stack", "export"]);
    return JSON.parse(r.stdout) as Deployment;
  }
}

export function collect(
  child: ChildProcess,
  timeoutMs: number,
  input?: string,
): Promise<RunResult> {
  const started = Date.now();
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The parts of `pulumi stack export` the tests read. */
export interface Deployment {
  version: number;
  deployment: {
    resources?: Array<{
      urn: string;
      type: string;
      id?: string;
      /** The provider reference: `<provider urn>::<provider id>`. */
      provider?: string;
      inputs?: Record<string, unknown>;
      outputs?: Record<string, unknown>;
    }>;
    pending_operations?: Array<{
      type: string;
      resource: { urn: string; type: string; id?: string };
    }>;
  };
}

/** The WebHook resources of a deployment. */
export function webhookResources(d: Deployment) {
  return (d.deployment.resources ?? []).filter(
    (r) => r.type === "pulumi-nodejs:dynamic/nexudus:WebHook",
  );
}

/** One engine event of `--event-log` (newline-delimited JSON). */
export interface EngineEvent {
  sequence: number;
  timestamp: number;
  resourcePreEvent?: { metadata: StepMetadata };
  resOutputsEvent?: { metadata: StepMetadata };
  resOpFailedEvent?: { metadata: StepMetadata; status: number; steps: number };
  diagnosticEvent?: { urn?: string; message: string; severity: string };
  summaryEvent?: { resourceChanges?: Record<string, number> };
  cancelEvent?: Record<string, never>;
}
export interface StepMetadata {
  op: string;
  urn: string;
  type: string;
  old?: { id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  new?: { id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
  diffs?: string[];
  detailedDiff?: Record<string, { kind: string; inputDiff?: boolean }> | null;
}

export function readEventLog(file: string): EngineEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as EngineEvent);
}

/** `pulumi preview --json`: the plan's steps. */
export interface PreviewJson {
  steps?: Array<{
    op: string;
    urn: string;
    diffReasons?: string[];
    replaceReasons?: string[];
    detailedDiff?: Record<string, { kind: string }> | null;
    oldState?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
    newState?: { inputs?: Record<string, unknown> };
  }>;
  changeSummary?: Record<string, number>;
  diagnostics?: Array<{ message: string; severity: string; urn?: string }>;
}

/** Parses the JSON document a `--json` command prints (the whole of stdout). */
export function parseJson<T>(r: RunResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** The input keys whose values differ between a step's old and new inputs (`__provider` aside). */
export function changedInputs(step: NonNullable<PreviewJson["steps"]>[number]): string[] {
  const olds = step.oldState?.inputs ?? {};
  const news = step.newState?.inputs ?? {};
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  keys.delete("__provider");
  return [...keys].filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k])).sort();
}

/** What an end-to-end suite works with, filled in before its first test. */
export interface E2e {
  /** The suite's temporary folder (Pulumi's home and state, the programs). */
  root: string;
  emulator: EmulatorHandle;
  pulumi: PulumiSession;
  /** `pulumi stack init <name>` in `dir`, configured for the emulator with the token as a secret. */
  stack(dir: string, name: string): Promise<void>;
}

/**
 * An end-to-end suite's set-up: before its tests, a temporary folder, the emulator with an
 * Administrator whose API token is `token`, and a Pulumi session (with `env` added); after them,
 * the emulator stopped and the folder removed. Call it at the top of the file; the object it
 * returns is filled in by its `beforeAll`.
 */
export function useE2e(opts: {
  name: string;
  token: string;
  emulator?: Omit<StartEmulatorOptions, "users">;
  env?: NodeJS.ProcessEnv;
}): E2e {
  const e2e = {
    async stack(dir: string, name: string) {
      await e2e.pulumi.ok(dir, ["stack", "init", name]);
      await e2e.pulumi.ok(dir, ["config", "set", "nexudus:baseUrl", e2e.emulator.url]);
      await e2e.pulumi.ok(dir, ["config", "set", "--secret", "nexudus:token", opts.token]);
    },
  } as E2e;
  beforeAll(async () => {
    const cli = findPulumi();
    e2e.root = fs.mkdtempSync(path.join(os.tmpdir(), `nexudus-e2e-${opts.name}-`));
    e2e.emulator = await startEmulator({
      port: 0,
      ...opts.emulator,
      users: [
        {
          username: "ops@example.com",
          password: "x",
          roles: ["Administrator"],
          apiTokens: [opts.token],
        },
      ],
    });
    e2e.pulumi = new PulumiSession(cli, e2e.root, opts.env);
  }, 600_000);
  afterAll(async () => {
    await e2e.emulator?.stop();
    if (e2e.root) fs.rmSync(e2e.root, { recursive: true, force: true });
  });
  return e2e;
}

/**
 * Packs the nexudus plugin (scripts/plugin-pack.js) into `<root>/pack`, unless a tarball is
 * given, and installs it into the session's PULUMI_HOME as a user does
 * (`pulumi plugin install resource nexudus <version> --file <tarball>`). Answers the tarball.
 */
export async function installPlugin(
  session: PulumiSession,
  root: string,
  given?: string,
): Promise<string> {
  const tarball =
    given ??
    execFileSync(
      process.execPath,
      [path.join(REPO_ROOT, "scripts", "plugin-pack.js"), "--out", path.join(root, "pack")],
      { encoding: "utf8" },
    )
      .trim()
      .split("\n")
      .pop()!;
  const version = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  await session.ok(root, ["plugin", "install", "resource", "nexudus", version, "--file", tarball]);
  return tarball;
}

/** The files of the Python language host (`npm run pulumi:install` builds them). */
const PYTHON_HOST = ["pulumi-language-python", "pulumi-language-python-exec"];

/** The Python host's files missing beside the CLI (none: Python programs can run). */
export function missingPythonHost(cli: PulumiCli = findPulumi()): string[] {
  return PYTHON_HOST.filter((f) => !fs.existsSync(path.join(cli.binDir, f)));
}

/**
 * A session (PULUMI_HOME and backend under `root`) that runs Python programs with `venv`
 * active: the v3.79 Python host built here does not read `runtime.options.virtualenv`
 * (docs/languages.md).
 */
export function venvSession(cli: PulumiCli, root: string, venv: string): PulumiSession {
  return new PulumiSession(cli, root, {
    VIRTUAL_ENV: venv,
    PATH: [path.join(venv, "bin"), cli.binDir, process.env.PATH ?? ""].join(path.delimiter),
  });
}
