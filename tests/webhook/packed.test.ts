/**
 * The package as a user gets it: the `npm pack` tarball (its files and its exports map), then
 * installed with a plain `npm install <tarball>` into a project that already has its own
 * @pulumi/pulumi (the oldest version of our peer range, and a newer one), with no symlinks. That
 * project must end with one copy of @pulumi/pulumi (its own), and a program there runs its
 * lifecycle through the dynamic-provider host of that project, whose serialized provider
 * `require`s `pulumi-nexudus/provider` from the project's node_modules.
 *
 * The installs use the npm registry (through npm's cache: `--prefer-offline`).
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { Engine, type DesiredResource } from "../../testing/engine";
import { REPO_ROOT, startHost } from "../../testing/host";

const repoPkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
};
const semver = require("semver") as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const PEER_RANGE = repoPkg.peerDependencies["@pulumi/pulumi"]!;
/** The oldest @pulumi/pulumi we support: the bottom of the peer range. */
const OLDER = semver.minVersion(PEER_RANGE)!.version;
/**
 * A newer release than the devDependency we build with (3.248.0). Every release after 3.248
 * requires Node >= 22, so on an older Node this case is skipped (that Node is not supported).
 */
const NEWER = "3.276.0";
const NODE_MAJOR = Number(process.versions.node.split(".")[0]);

/** What the public entry and the shim's entry export: nothing more (internals stay inside). */
const PUBLIC_EXPORTS = [
  "NexudusApiError",
  "NexudusAuthError",
  "NexudusConfigError",
  "NexudusConflictError",
  "NexudusConnectionError",
  "NexudusError",
  "NexudusNotFoundError",
  "NexudusResponseError",
  "NexudusRoutingError",
  "NexudusServerError",
  "NexudusThrottledError",
  "NexudusTimeoutError",
  "NexudusValidationError",
  "WebHook",
  "WebhookAction",
  "WebhookSet",
  "WebhookSetArgsError",
  "WebhookSetExclusion",
  "actionName",
  "actionNumber",
  "native",
];
const PROVIDER_EXPORTS = ["exclusionProvider", "webhookProvider"];

interface PackResult {
  filename: string;
  files: { path: string }[];
}

let work: string;
let tarball: string;
let files: string[];
let emulator: EmulatorHandle;

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" },
  });
}

function npmAsync(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "npm",
      args,
      {
        cwd,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false" },
      },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`npm ${args.join(" ")}: ${err.message}\n${stderr}`))
          : resolve(stdout),
    );
  });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-packed-"));
  // dist/ is built by `npm test` before jest; --ignore-scripts skips prepack's second build.
  const [pack] = JSON.parse(
    npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], REPO_ROOT),
  ) as PackResult[];
  tarball = path.join(work, pack!.filename);
  files = pack!.files.map((f) => f.path).sort();
  emulator = await startEmulator({ port: 0 });
}, 120_000);

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("the tarball", () => {
  test("holds LICENSE, README, package.json and compiled code only: no sources, tests or maps", () => {
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json"]));
    // The plugin packer is shipped as it is (the bin pulumi-nexudus-plugin): a plain script.
    const other = files.filter(
      (f) => !["LICENSE", "README.md", "package.json", "scripts/plugin-pack.js"].includes(f),
    );
    const outside = other.filter(
      (f) =>
        !/^dist\/(client|client\/ratelimit|config|sdk|provider|provider\/plugin|emulator|cli)\/[\w.-]+$/.test(
          f,
        ),
    );
    expect(outside).toEqual([]);
    const notCompiled = other.filter((f) => !f.endsWith(".js") && !f.endsWith(".d.ts"));
    expect(notCompiled).toEqual([]);
    // No source maps, and no compiled file pointing at one.
    const mapped = other.filter((f) => {
      if (!f.endsWith(".js")) return false;
      return fs.readFileSync(path.join(REPO_ROOT, f), "utf8").includes("sourceMappingURL");
    });
    expect(mapped).toEqual([]);
    const license = fs.readFileSync(path.join(REPO_ROOT, "LICENSE"), "utf8");
    expect(license).toContain("Apache License");
    expect(license).toContain("Version 2.0, January 2004");
  });

  test("exports only the public entry, the shim's provider entry and the emulator", () => {
    expect(Object.keys(repoPkg.exports).sort()).toEqual([
      ".",
      "./emulator",
      "./package.json",
      "./provider",
    ]);
    const targets = Object.values(repoPkg.exports).flatMap((t) =>
      typeof t === "string" ? [t] : Object.values(t as Record<string, string>),
    );
    const missing = targets.map((t) => t.replace(/^\.\//, "")).filter((f) => !files.includes(f));
    expect(missing).toEqual([]);
  });
});

/** Every package folder in `node_modules` (nested ones too), with whether it is a symlink. */
function packages(nodeModules: string): { dir: string; link: boolean }[] {
  const out: { dir: string; link: boolean }[] = [];
  if (!fs.existsSync(nodeModules)) return out;
  for (const entry of fs.readdirSync(nodeModules)) {
    if (entry.startsWith(".")) continue; // .bin (bin links), .package-lock.json
    const full = path.join(nodeModules, entry);
    const dirs = entry.startsWith("@")
      ? fs.readdirSync(full).map((e) => path.join(full, e))
      : [full];
    for (const dir of dirs) {
      const link = fs.lstatSync(dir).isSymbolicLink();
      out.push({ dir, link });
      if (!link) out.push(...packages(path.join(dir, "node_modules")));
    }
  }
  return out;
}

/** Runs the user's program under the project's own SDK mocks; returns exports and resources. */
const PROBE = `
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const out = { pulumi: require("@pulumi/pulumi/package.json").version, resources: [] };
out.entry = Object.keys(require("pulumi-nexudus")).sort();
out.provider = Object.keys(require("pulumi-nexudus/provider")).sort();
try { require("pulumi-nexudus/provider/webhook"); out.deep = "loaded"; } catch (e) { out.deep = e.code; }
process.on("beforeExit", () => {
  if (out.done) return;
  out.done = true;
  fs.writeFileSync("probe.json", JSON.stringify(out));
});
Promise.resolve(pulumi.runtime.setMocks({
  newResource: (a) => {
    out.resources.push({ type: a.type, name: a.name, inputs: a.inputs });
    return { id: a.name + "-id", state: a.inputs };
  },
  call: (a) => a.inputs,
}, "project", "stack", false)).then(() => require("./index.js"));
`;

const PROGRAM = `const nexudus = require("pulumi-nexudus");
new nexudus.WebHook("bookings", {
  businessId: 1234, name: "Bookings", action: nexudus.WebhookAction.BookingCreate,
  url: "https://hooks.example.com/bookings",
});
`;

interface Probe {
  pulumi: string;
  entry: string[];
  provider: string[];
  deep: string;
  resources: { type: string; name: string; inputs: Record<string, unknown> }[];
}

interface Case {
  label: string;
  dir: string;
  /** Each a plain `npm install` of these specs, in order ("<tarball>" is the packed package). */
  installs: string[][];
  /** The @pulumi/pulumi the project must end with (undefined: any release in our peer range). */
  version?: string;
  run: boolean;
}
const cases: Case[] = [
  {
    label: `a project with @pulumi/pulumi ${OLDER} (older, the floor of our range)`,
    dir: "older",
    installs: [[`@pulumi/pulumi@${OLDER}`], ["<tarball>"]],
    version: OLDER,
    run: true,
  },
  {
    label: `a project with @pulumi/pulumi ${NEWER} (newer than the one we build with)`,
    dir: "newer",
    installs: [[`@pulumi/pulumi@${NEWER}`], ["<tarball>"]],
    version: NEWER,
    run: NODE_MAJOR >= 22,
  },
  {
    label: "an empty project: npm install <tarball> @pulumi/pulumi",
    dir: "empty",
    installs: [["<tarball>", "@pulumi/pulumi"]],
    run: NODE_MAJOR >= 22,
  },
];

/** The projects, installed side by side (the installs wait on the network, not on the CPU). */
const prepared = new Map<string, Promise<string>>();

async function prepare(c: Case): Promise<string> {
  const project = path.join(work, `project-${c.dir}`);
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "user-stack", private: true }, null, 2),
  );
  // The user's project as it was (its own @pulumi/pulumi), then our package: plain npm install.
  for (const specs of c.installs) {
    const args = specs.map((spec) => (spec === "<tarball>" ? tarball : spec));
    await npmAsync(["install", "--prefer-offline", "--save-exact", ...args], project);
  }
  fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
  return project;
}

beforeAll(() => {
  for (const c of cases) {
    if (!c.run) continue;
    const p = prepare(c);
    p.catch(() => undefined); // reported by the describe that awaits it
    prepared.set(c.dir, p);
  }
});

describe.each(cases)("installed into $label", (c) => {
  const maybe = c.run ? test : test.skip;
  let project: string;

  beforeAll(async () => {
    if (!c.run) return;
    project = await prepared.get(c.dir)!;
  }, 300_000);

  maybe("npm keeps the project's @pulumi/pulumi: one copy in the tree, no symlinks", () => {
    const all = packages(path.join(project, "node_modules"));
    expect(all.filter((p) => p.link)).toEqual([]);
    const sdks = all.filter((p) => {
      const manifest = path.join(p.dir, "package.json");
      return (
        fs.existsSync(manifest) &&
        JSON.parse(fs.readFileSync(manifest, "utf8")).name === "@pulumi/pulumi"
      );
    });
    expect(sdks.map((p) => path.relative(project, p.dir))).toEqual([
      path.join("node_modules", "@pulumi", "pulumi"),
    ]);
    const installed = (name: string) =>
      JSON.parse(fs.readFileSync(path.join(project, "node_modules", name, "package.json"), "utf8"))
        .version as string;
    const sdk = installed("@pulumi/pulumi");
    if (c.version) expect(sdk).toBe(c.version);
    expect({ sdk, inPeerRange: semver.satisfies(sdk, PEER_RANGE) }).toEqual({
      sdk,
      inPeerRange: true,
    });
    expect(installed("pulumi-nexudus")).toBe("0.1.0");
    // The tree is valid: the peer dependency is met, nothing missing or extraneous.
    npm(["ls", "--all"], project);
  });

  maybe(
    "the program runs its whole lifecycle through the host of that project",
    async () => {
      fs.writeFileSync(path.join(project, "probe.js"), PROBE);
      execFileSync(process.execPath, ["probe.js"], { cwd: project, stdio: "pipe" });
      const probe = JSON.parse(fs.readFileSync(path.join(project, "probe.json"), "utf8")) as Probe;
      if (c.version) expect(probe.pulumi).toBe(c.version);
      expect(probe.entry).toEqual(PUBLIC_EXPORTS);
      expect(probe.provider).toEqual(PROVIDER_EXPORTS);
      expect(probe.deep).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");

      expect(probe.resources).toHaveLength(1);
      const [res] = probe.resources;
      const code = res!.inputs.__provider as string;
      expect(code).toContain('require("pulumi-nexudus/provider")');
      expect(code.length).toBeLessThan(4096);
      const urn = `urn:pulumi:stack::project::${res!.type}::${res!.name}`;
      const desired = (name: string): DesiredResource[] => [
        { urn, inputs: { ...res!.inputs, name } },
      ];

      const host = await startHost({ cwd: project });
      try {
        expect(fs.realpathSync(host.script)).toBe(
          fs.realpathSync(
            path.join(project, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"),
          ),
        );
        const engine = new Engine(host, {
          config: {
            "nexudus:baseUrl": emulator.url,
            "nexudus:token": { secret: "emulator-admin-token" },
          },
        });
        await engine.up(desired("Bookings"));
        expect(emulator.records()).toHaveLength(1);
        expect(engine.find("bookings")!.outputs).toMatchObject({
          actionName: "BookingCreate",
          active: true,
        });
        await engine.refresh();
        await engine.up(desired("Bookings (renamed)"));
        expect(emulator.records()).toHaveLength(1);
        expect(emulator.records()[0]).toMatchObject({ Name: "Bookings (renamed)" });
        await engine.destroy();
        expect(emulator.records()).toHaveLength(0);
      } finally {
        await host.stop();
      }
    },
    120_000,
  );
});
