/**
 * The example programs in `examples/`: each folder is a Pulumi project that runs on its own.
 *
 * - the project files are there and well formed (`Pulumi.yaml` with `runtime: nodejs`,
 *   `package.json` depending on this repository, a strict `tsconfig.json`, `README.md` with the
 *   steps), and sample stack configs hold no secret;
 * - every `index.ts` type-checks, with its own `tsconfig.json`, against the SDK source
 *   (`pulumi-nexudus` mapped to `sdk/index.ts`), with zero diagnostics;
 * - every program runs under Pulumi's mocks with its sample config and declares what it says,
 *   and `quickstart` and `location-sets` deploy and destroy through the real dynamic-provider host
 *   against the emulator (as `pulumi up` / `pulumi destroy` with their sample `Pulumi.dev.yaml`);
 * - the CI workflows (GitHub Actions, GitLab CI) parse and do what the README says, and the GitLab
 *   MR-note script posts, then updates, one note against a fake GitLab API.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import * as pulumi from "@pulumi/pulumi";
import type { EmulatorHandle } from "../../emulator";
import * as sdk from "../../sdk";
import { captureSet, desiredOf } from "../set/helpers";
import { captureResources, type CapturedResource } from "../../testing/capture";
import { Engine } from "../../testing/engine";
import type { Host } from "../../testing/host";
import { startRig, type Rig } from "../../testing/rig";

const yaml = require("js-yaml") as { load(text: string): unknown };
const semver = require("semver") as { subset(sub: string, sup: string): boolean };

const ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLES = path.join(ROOT, "examples");
const SDK_ENTRY = path.join(ROOT, "sdk", "index.ts");
const PULUMI_SDK = path.join(ROOT, "node_modules", "@pulumi", "pulumi");
const WEBHOOK_TYPE = "pulumi-nodejs:dynamic/nexudus:WebHook";

type Json = Record<string, unknown>;

const exampleNames = fs
  .readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith(".") && d.name !== "node_modules")
  .map((d) => d.name)
  .sort();

function dirOf(example: string): string {
  return path.join(EXAMPLES, example);
}

function read(file: string): string {
  return fs.readFileSync(file, "utf8");
}

function readYaml(file: string): Json {
  const doc = yaml.load(read(file));
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new Error(`${file}: not a YAML mapping`);
  }
  return doc as Json;
}

function asRecord(v: unknown): Json {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

/** The project name in an example's Pulumi.yaml. */
function projectName(example: string): string {
  return String(readYaml(path.join(dirOf(example), "Pulumi.yaml")).name);
}

/** Sample stack config files (`Pulumi.<stack>.yaml`) of an example. */
function stackFiles(example: string): string[] {
  return fs
    .readdirSync(dirOf(example))
    .filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f))
    .map((f) => path.join(dirOf(example), f));
}

/**
 * A sample stack config as `pulumi.runtime.setAllConfig` takes it: namespaced keys, strings for
 * scalars, JSON for structured values (as the Pulumi CLI passes them to the program).
 */
function sampleConfig(file: string): Record<string, string> {
  const config = asRecord(readYaml(file).config);
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

test("there are examples", () => {
  expect(exampleNames).toEqual(expect.arrayContaining(["ci", "location-sets", "quickstart"]));
});

describe.each(exampleNames)("examples/%s: project files", (example) => {
  const dir = dirOf(example);

  test("has Pulumi.yaml, package.json, tsconfig.json, index.ts and README.md", () => {
    for (const f of ["Pulumi.yaml", "package.json", "tsconfig.json", "index.ts", "README.md"]) {
      expect({ file: f, exists: fs.existsSync(path.join(dir, f)) }).toEqual({
        file: f,
        exists: true,
      });
    }
  });

  test("Pulumi.yaml: a valid name and the nodejs runtime with TypeScript", () => {
    const project = readYaml(path.join(dir, "Pulumi.yaml"));
    expect(project.name).toMatch(/^[A-Za-z0-9_.-]+$/);
    const runtime = project.runtime;
    const runtimeName = typeof runtime === "string" ? runtime : asRecord(runtime).name;
    expect(runtimeName).toBe("nodejs");
    const options = asRecord(asRecord(runtime).options);
    expect(options.typescript ?? true).toBe(true);
    if (options.packagemanager !== undefined) expect(options.packagemanager).toBe("npm");
    // The program is index.ts in the project folder itself.
    expect(project.main).toBeUndefined();
  });

  test("package.json: depends on @pulumi/pulumi and on this repository", () => {
    const pkg = JSON.parse(read(path.join(dir, "package.json"))) as Json;
    const deps = asRecord(pkg.dependencies);
    expect(deps["@pulumi/pulumi"]).toMatch(/^\^3\./);
    // The same supported versions as the package: its Node.js engines, and a @pulumi/pulumi range
    // inside the package's peer range.
    const root = JSON.parse(read(path.join(ROOT, "package.json"))) as Json;
    expect(asRecord(pkg.engines).node).toBe(asRecord(root.engines).node);
    const peer = String(asRecord(root.peerDependencies)["@pulumi/pulumi"]);
    expect({
      range: deps["@pulumi/pulumi"],
      subset: semver.subset(String(deps["@pulumi/pulumi"]), peer),
    }).toEqual({
      range: deps["@pulumi/pulumi"],
      subset: true,
    });
    const link = String(deps["pulumi-nexudus"]);
    expect(link).toMatch(/^file:/);
    expect(path.resolve(dir, link.slice("file:".length))).toBe(ROOT);
    expect(pkg.main).toBe("index.ts");
    // Pulumi runs index.ts with the program's own TypeScript when it has one.
    expect(asRecord(pkg.devDependencies).typescript).toBeDefined();
  });

  test("tsconfig.json: strict, and index.ts is the program", () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      path.join(dir, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
        },
      },
    );
    expect(parsed?.errors ?? []).toEqual([]);
    expect(parsed?.options.strict).toBe(true);
    expect(parsed?.fileNames.map((f) => path.resolve(f))).toEqual([path.join(dir, "index.ts")]);
  });

  test("README.md: every key its `pulumi config set` steps set is one the program reads", () => {
    const readme = read(path.join(dir, "README.md"));
    const program = read(path.join(dir, "index.ts"));
    const programKeys = new Set(
      [...program.matchAll(/config\.\w+(?:<[^>]*>)?\(\s*"([^"]+)"/g)].map((m) => m[1]),
    );
    const set = [...readme.matchAll(/pulumi config set (?:--\w+ )*'?([\w:]+)/g)].map((m) => m[1]!);
    expect(set.length).toBeGreaterThan(0);
    for (const key of set) {
      // Provider settings (nexudus:*) are read by the provider, not by the program.
      if (key.startsWith("nexudus:")) expect(key).toMatch(/^nexudus:[A-Za-z]+$/);
      else expect({ key, read: programKeys.has(key) }).toEqual({ key, read: true });
    }
  });

  test("sample stack configs: namespaced keys and no secret", () => {
    const name = projectName(example);
    for (const file of stackFiles(example)) {
      const doc = readYaml(file);
      expect(Object.keys(doc)).toEqual(["config"]);
      for (const [key, value] of Object.entries(asRecord(doc.config))) {
        expect(key).toMatch(new RegExp(`^(${name}|nexudus):[A-Za-z]+$`));
        expect(["nexudus:token", "nexudus:password"]).not.toContain(key);
        expect(JSON.stringify(value)).not.toContain('"secure"');
      }
    }
  });
});

describe("type-checking every example against the SDK source", () => {
  let previous: ts.Program | undefined;

  test.each(exampleNames)("examples/%s/index.ts has no diagnostics", (example) => {
    const dir = dirOf(example);
    const parsed = ts.getParsedCommandLineOfConfigFile(
      path.join(dir, "tsconfig.json"),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => undefined,
      },
    );
    if (!parsed) throw new Error(`examples/${example}/tsconfig.json could not be read`);
    const options: ts.CompilerOptions = {
      ...parsed.options,
      strict: true,
      noEmit: true,
      // The SDK as the source of this repository, and one copy of @pulumi/pulumi for both the
      // example and the SDK (an example with its own node_modules would bring a second one).
      paths: {
        "pulumi-nexudus": [SDK_ENTRY],
        "@pulumi/pulumi": [PULUMI_SDK],
        "@pulumi/pulumi/*": [`${PULUMI_SDK}/*`],
      },
    };
    const program = ts.createProgram({
      rootNames: [path.join(dir, "index.ts")],
      options,
      oldProgram: previous,
    });
    previous = program;
    const diagnostics = ts.getPreEmitDiagnostics(program);
    const text = ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => "\n",
    });
    expect(text).toBe("");
    // The example really was checked against the SDK source, not a built copy.
    expect(program.getSourceFile(SDK_ENTRY)).toBeDefined();
  });
});

/** Resolves an Output (or plain value) under mocks. */
function valueOf<T>(v: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => {
    pulumi.output(v).apply((x) => {
      resolve(x as T);
      return x;
    });
  });
}

/**
 * Evaluates an example's index.ts as the Pulumi runtime would (a CommonJS module), with
 * `pulumi-nexudus` bound to the SDK source and `@pulumi/pulumi` to this process's copy, so each
 * run gets a fresh program and the same Pulumi runtime (and mocks). Returns its exports.
 */
function loadProgram(entry: string): Json {
  const { outputText, diagnostics } = ts.transpileModule(read(entry), {
    fileName: entry,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    reportDiagnostics: true,
  });
  expect(diagnostics ?? []).toEqual([]);
  const modules: Record<string, unknown> = { "pulumi-nexudus": sdk, "@pulumi/pulumi": pulumi };
  const load = (id: string): unknown => {
    if (id in modules) return modules[id];
    throw new Error(
      `${entry}: examples import only ${Object.keys(modules).join(" and ")}, not ${id}`,
    );
  };
  const mod = { exports: {} as Json };
  const run = new Function("exports", "require", "module", "__filename", "__dirname", outputText);
  run(mod.exports, load, mod, entry, path.dirname(entry));
  return mod.exports;
}

/**
 * Runs an example program under Pulumi's mocks with the given stack config; returns the
 * resources it registered and its exports (the stack outputs).
 */
async function runExample(
  example: string,
  config: Record<string, string>,
  secretKeys: string[] = [],
): Promise<{ resources: CapturedResource[]; outputs: Json }> {
  let outputs: Json = {};
  const resources = await captureResources(
    () => {
      outputs = loadProgram(path.join(dirOf(example), "index.ts"));
    },
    { project: projectName(example), stack: "dev", config, secretKeys },
  );
  return { resources, outputs };
}

const webhooksOf = (resources: CapturedResource[]) =>
  resources.filter((r) => r.type === WEBHOOK_TYPE);

describe("running the examples under Pulumi's mocks", () => {
  test("quickstart: one WebHook from config, the URL as a secret", async () => {
    const { resources, outputs } = await runExample(
      "quickstart",
      {
        "nexudus-quickstart:businessId": "1234",
        "nexudus-quickstart:url": "https://hooks.example.com/nexudus/bookings",
        "nexudus:token": "emulator-admin-token",
      },
      ["nexudus:token"],
    );
    const hooks = webhooksOf(resources);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]!.inputs).toMatchObject({
      businessId: 1234,
      action: "BookingCreate",
      name: "Pulumi BookingCreate",
      url: "https://hooks.example.com/nexudus/bookings",
      description: "Managed by Pulumi: nexudus-quickstart/dev",
    });
    expect(hooks[0]!.secretInputs).toContain("url");
    // The token is never an input: the provider reads it in configure().
    expect(JSON.stringify(hooks[0]!.rawInputs)).not.toContain("emulator-admin-token");
    expect(Object.keys(outputs).sort()).toEqual(
      ["actionName", "active", "location", "targetUrl", "webhookId"].sort(),
    );
  });

  test("quickstart: optional action and name", async () => {
    const { resources } = await runExample("quickstart", {
      "nexudus-quickstart:businessId": "42",
      "nexudus-quickstart:url": "https://hooks.example.com/x",
      "nexudus-quickstart:action": "CoworkerCreate",
      "nexudus-quickstart:name": "New members",
    });
    expect(webhooksOf(resources)[0]!.inputs).toMatchObject({
      businessId: 42,
      action: "CoworkerCreate",
      name: "New members",
    });
  });

  test.each(["quickstart", "location-sets"])(
    "%s: runs with its sample Pulumi.dev.yaml",
    async (example) => {
      const file = path.join(dirOf(example), "Pulumi.dev.yaml");
      const { resources } = await runExample(example, sampleConfig(file));
      expect(webhooksOf(resources).length).toBeGreaterThan(0);
    },
  );

  test("location-sets: one WebhookSet per location, hooks and URLs from config", async () => {
    const locations = [
      {
        name: "hq",
        businessId: 1234,
        url: "https://hooks.example.com/hq",
        exclusive: true,
        hooks: [
          "BookingCreate",
          {
            action: "CoworkerInvoicePaid",
            url: "https://billing.example.com/hook",
            description: "Billing sync",
          },
        ],
      },
      { businessId: 5678, url: "https://hooks.example.com/annex" },
    ];
    const { resources, outputs } = await runExample("location-sets", {
      "nexudus-location-sets:locations": JSON.stringify(locations),
      "nexudus-location-sets:namePrefix": "ops",
    });
    const sets = resources.filter((r) => !r.custom && r.type.endsWith("WebhookSet"));
    expect(sets.map((s) => s.name).sort()).toEqual(["hq", "location-5678"]);

    const hooks = webhooksOf(resources).map((r) => r.inputs);
    const at = (businessId: number) =>
      hooks
        .filter((h) => h.businessId === businessId)
        .map((h) => `${String(h.action)} ${String(h.url)}`)
        .sort();
    expect(at(1234)).toEqual([
      "BookingCreate https://hooks.example.com/hq",
      "CoworkerInvoicePaid https://billing.example.com/hook",
    ]);
    // A location without `hooks` gets the default three.
    expect(at(5678)).toEqual([
      "BookingCreate https://hooks.example.com/annex",
      "BookingDelete https://hooks.example.com/annex",
      "BookingUpdate https://hooks.example.com/annex",
    ]);
    expect(hooks.every((h) => String(h.name).startsWith("ops "))).toBe(true);
    // Only the exclusive location gets the resource that deletes unmanaged webhooks.
    const exclusions = resources.filter((r) => r.type.endsWith(":WebhookSetExclusion"));
    expect(exclusions.map((r) => r.inputs.businessId)).toEqual([1234]);

    const webhooks = outputs.webhooks as Record<string, unknown>;
    expect(Object.keys(webhooks).sort()).toEqual(["hq", "location-5678"]);
    expect(await valueOf(outputs.businessIds as Json)).toEqual({ hq: 1234, "location-5678": 5678 });
  });

  test.each([
    [[], "locations' must be a non-empty list"],
    [
      [{ businessId: "1234", url: "https://x.example" }],
      "locations[0].businessId' must be a positive whole number",
    ],
    [[{ businessId: 1, url: "" }], "locations[0].url' must be a URL"],
    [
      [{ businessId: 1, url: "https://x.example", exclusive: "yes" }],
      "locations[0].exclusive' must be true or false",
    ],
    [
      [
        { businessId: 1, url: "https://x.example" },
        { businessId: 1, url: "https://y.example" },
      ],
      "locations[1].businessId' repeats another location",
    ],
  ])(
    "location-sets: config %j fails with a message naming the path",
    async (locations, message) => {
      await expect(
        runExample("location-sets", {
          "nexudus-location-sets:locations": JSON.stringify(locations),
        }),
      ).rejects.toThrow(`config 'nexudus-location-sets:${message}`);
    },
  );

  test("location-sets: a bad hook fails with WebhookSet's message, before anything is declared", async () => {
    const locations = [{ businessId: 1, url: "https://x.example", hooks: ["BokingCreate"] }];
    await expect(
      runExample("location-sets", { "nexudus-location-sets:locations": JSON.stringify(locations) }),
    ).rejects.toThrow('WebhookSet "location-1": hooks[0].action');
  });

  test("location-sets: secretUrls makes every URL a secret", async () => {
    const locations = [
      {
        businessId: 1234,
        url: "https://hooks.slack.example/T000/B000/XXXX",
        hooks: [
          "BookingCreate",
          { action: "BookingDelete", url: "https://hooks.slack.example/T000/B000/YYYY" },
        ],
      },
    ];
    const { resources } = await runExample("location-sets", {
      "nexudus-location-sets:locations": JSON.stringify(locations),
      "nexudus-location-sets:secretUrls": "true",
    });
    const hooks = webhooksOf(resources);
    expect(hooks).toHaveLength(2);
    for (const hook of hooks) expect(hook.secretInputs).toContain("url");
  });

  test("ci: the committed Pulumi.prod.yaml declares the set the pipelines deploy", async () => {
    const { resources, outputs } = await runExample(
      "ci",
      sampleConfig(path.join(dirOf("ci"), "Pulumi.prod.yaml")),
    );
    const hooks = webhooksOf(resources).map((r) => r.inputs);
    expect(hooks.map((h) => h.action).sort()).toEqual([
      "BookingCreate",
      "BookingDelete",
      "BookingUpdate",
    ]);
    expect(hooks.every((h) => h.businessId === 1234)).toBe(true);
    expect(resources.some((r) => r.type.endsWith(":WebhookSetExclusion"))).toBe(false);
    // The health gate reads the location from this output.
    expect(outputs.businessId).toBe(1234);
  });
});

describe("deploying the examples with their sample config, through the real provider host", () => {
  const TOKEN = "tok-examples-5c1e9a7d3b";
  let rig: Rig;
  let emulator: EmulatorHandle;
  let host: Host;

  beforeAll(async () => {
    rig = await startRig({
      token: TOKEN,
      emulator: {
        locations: [
          { id: 1234, name: "HQ" },
          { id: 5678, name: "Annex" },
        ],
      },
      host: { env: { NEXUDUS_TIME_FACTOR: "0.01" } },
    });
    ({ emulator, host } = rig);
  });

  afterAll(async () => {
    expect(await rig?.stop()).not.toContain(TOKEN);
  });

  /** The example's program with its sample Pulumi.dev.yaml, as the engine's desired resources. */
  async function desired(example: string) {
    const captured = await captureSet(
      () => {
        loadProgram(path.join(dirOf(example), "index.ts"));
      },
      {
        ids: "ref",
        project: projectName(example),
        stack: "dev",
        config: sampleConfig(path.join(dirOf(example), "Pulumi.dev.yaml")),
      },
    );
    return desiredOf(captured);
  }

  const at = (businessId: number) =>
    emulator
      .records()
      .filter((r) => r.BusinessId === businessId)
      .map((r) => `${r.Name} -> ${r.URL}`)
      .sort();

  test("quickstart: up creates the webhook, a second up changes nothing, destroy deletes it", async () => {
    const engine = new Engine(host);
    const program = await desired("quickstart");
    await engine.up(program);
    expect(at(1234)).toEqual([
      "Pulumi BookingCreate -> https://hooks.example.com/nexudus/bookings",
    ]);
    const again = await engine.up(program);
    expect(again.summary).toEqual({ same: 1 });
    await engine.destroy();
    expect(at(1234)).toEqual([]);
  });

  test("location-sets: both locations deployed, the exclusive one cleaned up, the other left alone", async () => {
    const legacy = emulator.insert({
      BusinessId: 1234,
      Action: 6,
      Name: "Legacy Zapier",
      URL: "https://hooks.zapier.example/legacy",
    });
    emulator.insert({
      BusinessId: 5678,
      Action: 6,
      Name: "Hand-made",
      URL: "https://hand.example.com/made",
    });
    const engine = new Engine(host);
    const program = await desired("location-sets");
    await engine.up(program);
    expect(at(1234)).toEqual([
      "ops BookingCreate -> https://hooks.example.com/nexudus/hq",
      "ops BookingDelete -> https://hooks.example.com/nexudus/hq",
      "ops BookingUpdate -> https://hooks.example.com/nexudus/hq",
      "ops CoworkerInvoicePaid -> https://billing.example.com/hook",
    ]);
    expect(emulator.record(legacy.Id)).toBeUndefined();
    expect(at(5678)).toEqual([
      "Hand-made -> https://hand.example.com/made",
      "ops BookingCreate -> https://hooks.example.com/nexudus/annex",
      "ops BookingDelete -> https://hooks.example.com/nexudus/annex",
      "ops BookingUpdate -> https://hooks.example.com/nexudus/annex",
    ]);
    emulator.clearRequests();
    await engine.up(program);
    expect(emulator.requests().filter((r) => r.method !== "GET")).toEqual([]);
    await engine.destroy();
    expect(at(1234)).toEqual([]);
    expect(at(5678)).toEqual(["Hand-made -> https://hand.example.com/made"]);
  });
});

// ---------------------------------------------------------------------------------------------
// CI files

const CI = dirOf("ci");

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Json;
  env?: Json;
}

function jobsOf(workflow: Json): Record<string, { steps: Step[] } & Json> {
  return workflow.jobs as Record<string, { steps: Step[] } & Json>;
}

function pulumiSteps(workflow: Json): Step[] {
  return Object.values(jobsOf(workflow))
    .flatMap((j) => j.steps)
    .filter((s) => s.uses?.startsWith("pulumi/actions@"));
}

describe("examples/ci: GitHub Actions", () => {
  const preview = readYaml(path.join(CI, ".github", "workflows", "preview.yml"));
  const up = readYaml(path.join(CI, ".github", "workflows", "up.yml"));

  test.each([
    ["preview.yml", preview],
    ["up.yml", up],
  ])("%s: pinned actions, npm ci, and the Nexudus and Pulumi secrets", (_name, workflow) => {
    const steps = Object.values(jobsOf(workflow)).flatMap((j) => j.steps);
    for (const s of steps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
    expect(pulumiSteps(workflow).map((s) => s.uses)).toContain("pulumi/actions@v6");
    expect(steps.some((s) => s.run === "npm ci")).toBe(true);
    for (const s of pulumiSteps(workflow)) {
      expect(s.with?.["stack-name"]).toBeTruthy();
      expect(s.env?.NEXUDUS_TOKEN).toMatch(/secrets\.NEXUDUS_TOKEN/);
      expect(s.env?.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
      expect(s.env?.PULUMI_CONFIG_PASSPHRASE).toBe("${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
    }
  });

  test("preview.yml: every pull request, the preview as a PR comment", () => {
    expect(Object.keys(asRecord(preview.on))).toEqual(["pull_request"]);
    expect(asRecord(preview.permissions)["pull-requests"]).toBe("write");
    const [step] = pulumiSteps(preview);
    expect(step?.with).toMatchObject({
      command: "preview",
      "comment-on-pr": true,
      "github-token": "${{ secrets.GITHUB_TOKEN }}",
    });
  });

  test("up.yml: push to main, never two at once, then the health gate", () => {
    const on = asRecord(up.on);
    expect(asRecord(on.push).branches).toEqual(["main"]);
    expect(asRecord(up.concurrency)).toMatchObject({ "cancel-in-progress": false });
    expect(String(asRecord(up.concurrency).group)).toMatch(/^pulumi-up-/);
    const [step] = pulumiSteps(up);
    expect(step?.with).toMatchObject({ command: "up" });
    const health = jobsOf(up).health!;
    expect(health.needs).toBe("up");
    const gate = health.steps.find((s) => s.run?.includes("nexudus-webhooks health"));
    expect(gate?.run).toContain("--max-errors 3 --stale 7");
    // The location comes from the `up` job's stack output, read by its `stack` step
    // (pulumi/actions declares no per-output step outputs: actionlint rejects them).
    expect(asRecord(jobsOf(up).up!.outputs).businessId).toBe(
      "${{ steps.stack.outputs.businessId }}",
    );
    const read = jobsOf(up).up!.steps.find((s) => s.id === "stack");
    expect(read?.run).toContain("pulumi stack output businessId");
  });
});

describe("examples/ci: GitLab CI", () => {
  const gitlab = readYaml(path.join(CI, ".gitlab-ci.yml"));
  const job = (name: string) => asRecord(gitlab[name]);
  const script = (name: string) => (job(name).script as string[]).join("\n");

  test("preview on merge requests, posted as an MR note", () => {
    expect(JSON.stringify(job("preview").rules)).toContain("merge_request_event");
    expect(script("preview")).toContain("pulumi preview");
    // From the repository root, whatever PULUMI_DIR the job cd'd into.
    expect(script("preview")).toContain('node "$CI_PROJECT_DIR/scripts/gitlab-mr-note.mjs"');
    expect(fs.existsSync(path.join(CI, "scripts", "gitlab-mr-note.mjs"))).toBe(true);
  });

  test("up on the default branch, manual or automatic, one at a time; health after it", () => {
    const rules = job("up").rules as Json[];
    expect(
      rules.every((r) => String(r.if).includes("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")),
    ).toBe(true);
    expect(rules.map((r) => r.when ?? "on_success")).toEqual(["on_success", "manual"]);
    expect(job("up").resource_group).toBeTruthy();
    expect(script("up")).toContain("pulumi up --yes");
    expect(job("health").needs).toEqual(["up"]);
    expect(script("health")).toContain("nexudus-webhooks health");
    expect(script("health")).toContain("--max-errors 3 --stale 7");
  });

  test("installs with npm ci", () => {
    const before = (asRecord(gitlab.default).before_script as string[]).join("\n");
    expect(before).toMatch(/npm ci\b/);
  });
});

describe("examples/ci/scripts/gitlab-mr-note.mjs against a fake GitLab API", () => {
  interface Call {
    method: string;
    url: string;
    token: string | undefined;
    body: Json;
  }
  let server: http.Server;
  let api: string;
  const calls: Call[] = [];
  const notes: { id: number; body: string }[] = [{ id: 7, body: "LGTM" }];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        const body = raw ? (JSON.parse(raw) as Json) : {};
        calls.push({
          method: req.method!,
          url: req.url!,
          token: req.headers["private-token"] as string,
          body,
        });
        res.setHeader("content-type", "application/json");
        const m = /^\/api\/v4\/projects\/42\/merge_requests\/9\/notes(?:\/(\d+))?/.exec(req.url!);
        if (!m) return void res.writeHead(404).end("{}");
        if (req.method === "GET") return void res.end(JSON.stringify([...notes].reverse()));
        if (req.method === "POST") {
          const note = { id: 100 + notes.length, body: String(body.body) };
          notes.push(note);
          return void res.writeHead(201).end(JSON.stringify(note));
        }
        const note = notes.find((n) => n.id === Number(m[1]));
        if (req.method === "PUT" && note) {
          note.body = String(body.body);
          return void res.end(JSON.stringify(note));
        }
        res.writeHead(404).end("{}");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function run(outputFile: string, status: string, env: Record<string, string> = {}) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(CI, "scripts", "gitlab-mr-note.mjs"), outputFile, status],
        {
          env: {
            PATH: process.env.PATH ?? "",
            CI_API_V4_URL: api,
            CI_PROJECT_ID: "42",
            CI_MERGE_REQUEST_IID: "9",
            CI_COMMIT_SHORT_SHA: "abc1234",
            CI_JOB_URL: "https://gitlab.example.com/job/1",
            PULUMI_STACK: "prod",
            GITLAB_API_TOKEN: "glpat-test",
            ...env,
          },
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  test("posts one note, then updates it; strips colours; never fails the job", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mr-note-"));
    const out = path.join(tmp, "preview.txt");
    fs.writeFileSync(out, "\u001b[32m+ 1 to create\u001b[0m\n");
    const first = await run(out, "0");
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toContain("posted note");
    fs.writeFileSync(out, "error: boom\n");
    const second = await run(out, "255");
    expect(second.stdout).toContain("updated note");
    expect(calls.map((c) => c.method)).toEqual(["GET", "POST", "GET", "PUT"]);
    expect(calls.every((c) => c.token === "glpat-test")).toBe(true);
    expect(notes).toHaveLength(2);
    const mine = notes[1]!.body;
    expect(mine.startsWith("<!-- pulumi-preview:prod -->")).toBe(true);
    expect(mine).toContain("**failed** (exit status 255)");
    expect(mine).toContain("error: boom");
    expect(String(calls[1]!.body.body)).toContain("+ 1 to create");
    expect(String(calls[1]!.body.body)).not.toContain("\u001b");
    // No token: a warning, exit 0, no call.
    const before = calls.length;
    const third = await run(out, "0", { GITLAB_API_TOKEN: "" });
    expect(third.code).toBe(0);
    expect(third.stderr).toContain("GITLAB_API_TOKEN is not set");
    expect(calls).toHaveLength(before);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});

describe("the repository root Pulumi.yaml", () => {
  const file = path.join(ROOT, "Pulumi.yaml");
  (fs.existsSync(file) ? test : test.skip)("runs an example program", () => {
    const project = readYaml(file);
    expect(project.name).toMatch(/^[A-Za-z0-9_.-]+$/);
    const runtime = project.runtime;
    expect(typeof runtime === "string" ? runtime : asRecord(runtime).name).toBe("nodejs");
    // `main` is a folder: Pulumi runs there, with the example's package.json and tsconfig.json.
    const programDir = path.resolve(ROOT, String(project.main));
    expect(path.dirname(programDir)).toBe(EXAMPLES);
    expect(fs.existsSync(path.join(programDir, "index.ts"))).toBe(true);
    // The program reads its config with `new pulumi.Config()` (the running project's namespace),
    // so it works under the root project's name too; but stack config files shared with the
    // example (stackConfigDir) hold keys namespaced by the example's name.
    expect(read(path.join(programDir, "index.ts"))).toContain("new pulumi.Config()");
    if (project.stackConfigDir !== undefined) {
      expect(path.resolve(ROOT, String(project.stackConfigDir))).toBe(programDir);
      expect(project.name).toBe(projectName(path.basename(programDir)));
    }
  });
});
