/**
 * Through the real `pulumi` CLI: the nexudus resource-provider plugin, packed by
 * scripts/plugin-pack.js and installed with `pulumi plugin install resource nexudus <version>
 * --file <tarball>`, serving one flow written three times, as a JavaScript program, a Pulumi YAML
 * program and a Python program (the generated SDK in a venv): `nexudus:index:WebHook` with two
 * explicit `pulumi:providers:nexudus` (two emulators, two tokens) and the functions; preview (no
 * write), up, a no-change preview, drift + refresh + `preview --diff` naming the field,
 * `pulumi import` of a record made by hand (and with `--provider`), destroy, and a state without a
 * credential or a secret URL in clear. Needs `npm run build` (npm test does it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { buildSchema } from "../../provider/plugin/schema";
import { adminUser } from "../../testing/rig";
import {
  findPulumi,
  installPlugin,
  missingPythonHost,
  PulumiSession,
  parseJson,
  REPO_ROOT,
  useE2e,
  venvSession,
  type Deployment,
  type PreviewJson,
} from "../../testing/pulumiCli";

const gen = require("../../scripts/gen-sdks.js") as {
  buildPython(opts: { venv: string }): { venv: string };
};

const TOKEN_A = "e2e-plugin-token-a-4d1c";
const TOKEN_B = "e2e-plugin-token-b-8e2f";
const HQ = 1234;
const URL_A = "https://hooks.example.com/a/SECRET-PATH-A";
const URL_B = "https://hooks.example.com/b/SECRET-PATH-B";
const URL_HAND = "https://hooks.example.com/hand/SECRET-PATH-HAND";
const VERSION = (
  JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;
const WEBHOOK = "nexudus:index:WebHook";

/** A program of one language: its files, with or without the webhook `pulumi import` took in. */
interface Program {
  language: string;
  write(dir: string, declareImported: boolean): void;
  /** The session to run it in, when the language needs its own environment (a venv). */
  session?(root: string): PulumiSession;
}

/** JavaScript: a tiny class over `pulumi.CustomResource`, as a hand-written SDK would be. */
const JAVASCRIPT: Program = {
  language: "JavaScript",
  write(dir, declareImported) {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: plugin-e2e-js\nruntime: nodejs\n");
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({ name: "plugin-e2e-js", private: true, main: "index.js" }),
    );
    // The program needs @pulumi/pulumi only (no package of ours): this repository's copy.
    if (!fs.existsSync(path.join(dir, "node_modules"))) {
      fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    }
    fs.writeFileSync(
      path.join(dir, "index.js"),
      `"use strict";
const pulumi = require("@pulumi/pulumi");
const cfg = new pulumi.Config();
const VERSION = ${JSON.stringify(VERSION)};
const OUTPUTS = ["webhookId", "uniqueId", "actionName", "lastError", "errorCount", "lastTrigger",
  "createdOn", "updatedOn", "updatedBy", "description", "active", "adopt"];

class WebHook extends pulumi.CustomResource {
  constructor(name, args, opts) {
    const props = Object.fromEntries(OUTPUTS.map((k) => [k, undefined]));
    super(${JSON.stringify(WEBHOOK)}, name, { ...props, ...args }, { version: VERSION, ...opts });
  }
}

const a = new pulumi.ProviderResource("nexudus", "account-a",
  { baseUrl: cfg.require("urlA"), token: cfg.requireSecret("tokenA") }, { version: VERSION });
const b = new pulumi.ProviderResource("nexudus", "account-b",
  { baseUrl: cfg.require("urlB"), token: cfg.require("tokenB") }, { version: VERSION });

const hookA = new WebHook("hook-a", { businessId: ${HQ}, name: "Bookings A", action: "BookingCreate",
  url: pulumi.secret(${JSON.stringify(URL_A)}) }, { provider: a });
const hookB = new WebHook("hook-b", { businessId: ${HQ}, name: "Bookings B", action: 6,
  url: ${JSON.stringify(URL_B)}, description: "account b" }, { provider: b });
${
  declareImported
    ? `// What \`pulumi import\` took in (default provider: the stack's nexudus:* config).
new WebHook("by-hand", { businessId: ${HQ}, name: "Made by hand", action: 7,
  url: ${JSON.stringify(URL_HAND)}, description: null, active: true, adopt: false });`
    : ""
}
const invokeOpts = { provider: a, version: VERSION };
exports.idA = hookA.webhookId;
exports.idB = hookB.webhookId;
exports.actions = pulumi.runtime
  .invokeOutput("nexudus:index:getWebhookActions", {}, invokeOpts)
  .apply((r) => r.actions);
exports.readBack = hookA.webhookId.apply((id) =>
  pulumi.runtime.invokeOutput("nexudus:index:getWebhook", { webhookId: id }, invokeOpts)
    .apply((r) => r.name));
// With hook-a's actionName (known in a preview: check derives it from the action).
exports.listed = hookA.actionName.apply((action) =>
  pulumi.runtime.invokeOutput("nexudus:index:getWebhooks",
    { businessId: ${HQ}, action, namePrefix: "Bookings" }, invokeOpts)
    .apply((r) => r.webhooks));
`,
    );
  },
};

/** Pulumi YAML: the language host type-checks the program against the plugin's schema. */
const YAML: Program = {
  language: "YAML",
  write(dir, declareImported) {
    const invoke = (fn: string, args: string) =>
      `    fn::invoke:\n      function: nexudus:index:${fn}\n      arguments:${args}\n` +
      `      options:\n        provider: \${account-a}\n        version: ${VERSION}\n`;
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      `name: plugin-e2e-yaml
runtime: yaml
config:
  urlA:
    type: string
  urlB:
    type: string
  tokenA:
    type: string
    secret: true
  tokenB:
    type: string
resources:
  account-a:
    type: pulumi:providers:nexudus
    properties:
      baseUrl: \${urlA}
      token: \${tokenA}
    options:
      version: ${VERSION}
  account-b:
    type: pulumi:providers:nexudus
    properties:
      baseUrl: \${urlB}
      token: \${tokenB}
    options:
      version: ${VERSION}
  hook-a:
    type: ${WEBHOOK}
    properties:
      businessId: ${HQ}
      name: Bookings A
      action: BookingCreate
      url:
        fn::secret: ${URL_A}
    options:
      provider: \${account-a}
      version: ${VERSION}
  hook-b:
    type: ${WEBHOOK}
    properties:
      businessId: ${HQ}
      name: Bookings B
      action: 6
      url: ${URL_B}
      description: account b
    options:
      provider: \${account-b}
      version: ${VERSION}
${
  declareImported
    ? `  by-hand:
    type: ${WEBHOOK}
    properties:
      businessId: ${HQ}
      name: Made by hand
      action: 7
      url: ${URL_HAND}
    options:
      version: ${VERSION}
`
    : ""
}variables:
  actions:
${invoke("getWebhookActions", " {}")}  readBack:
${invoke("getWebhook", "\n        webhookId: ${hook-a.webhookId}")}  listed:
${invoke(
  "getWebhooks",
  // With hook-a's actionName (known in a preview: check derives it from the action).
  `\n        businessId: ${HQ}\n        action: \${hook-a.actionName}\n        namePrefix: Bookings`,
)}outputs:
  idA: \${hook-a.webhookId}
  idB: \${hook-b.webhookId}
  actions: \${actions.actions}
  readBack: \${readBack.name}
  listed: \${listed.webhooks}
`,
    );
  },
};

const e2e = useE2e({ name: "plugin", token: TOKEN_A });
let pulumi: PulumiSession;
let emuA: EmulatorHandle;
let emuB: EmulatorHandle;

/** API calls both emulators saw since the last clear. */
const calls = () => [...emuA.requests(), ...emuB.requests()];
const clearCalls = () => {
  emuA.clearRequests();
  emuB.clearRequests();
};

beforeAll(async () => {
  ({ pulumi, emulator: emuA } = e2e);
  emuB = await startEmulator({ port: 0, users: [adminUser(TOKEN_B, "ops-b@example.com")] });
  // Packed and installed as a user would: the tarball runs with only node on the machine.
  const tarball = await installPlugin(pulumi, e2e.root);
  expect(path.basename(tarball)).toBe(`pulumi-resource-nexudus-v${VERSION}-linux-amd64.tar.gz`);
}, 600_000);

afterAll(async () => {
  await emuB?.stop();
});

const stepOf = (p: PreviewJson, name: string) =>
  (p.steps ?? []).find((s) => s.urn.endsWith(`::${name}`));

describe("the installed plugin", () => {
  it("`pulumi package get-schema nexudus` prints the plugin's schema (schema.json)", async () => {
    const r = await pulumi.ok(e2e.root, ["package", "get-schema", "nexudus"]);
    expect(JSON.parse(r.stdout)).toEqual(buildSchema());
  });
});

/**
 * Python: the generated SDK (sdk/python) pip-installed into a venv with `pulumi` from PyPI, run
 * by the Python language host that `npm run pulumi:install` builds (skipped, with one message,
 * where it is absent).
 */
const PYTHON: Program = {
  language: "Python",
  session(root) {
    const { venv } = gen.buildPython({ venv: path.join(root, "python-venv") });
    return venvSession(findPulumi(), root, venv);
  },
  write(dir, declareImported) {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: plugin-e2e-python\nruntime: python\n");
    fs.writeFileSync(
      path.join(dir, "__main__.py"),
      `import pulumi
import pulumi_nexudus as nexudus

cfg = pulumi.Config()
a = nexudus.Provider("account-a", base_url=cfg.require("urlA"), token=cfg.require_secret("tokenA"))
b = nexudus.Provider("account-b", base_url=cfg.require("urlB"), token=cfg.require("tokenB"))

hook_a = nexudus.WebHook("hook-a", business_id=${HQ}, name="Bookings A",
    action=nexudus.WebhookAction.BOOKING_CREATE, url=pulumi.Output.secret(${JSON.stringify(URL_A)}),
    opts=pulumi.ResourceOptions(provider=a))
hook_b = nexudus.WebHook("hook-b", business_id=${HQ}, name="Bookings B", action=6,
    url=${JSON.stringify(URL_B)}, description="account b", opts=pulumi.ResourceOptions(provider=b))
${
  declareImported
    ? `# What \`pulumi import\` took in (default provider: the stack's nexudus:* config).
nexudus.WebHook("by-hand", business_id=${HQ}, name="Made by hand", action=7,
    url=${JSON.stringify(URL_HAND)}, active=True, adopt=False)`
    : ""
}
inv = pulumi.InvokeOptions(provider=a)
pulumi.export("idA", hook_a.webhook_id)
pulumi.export("idB", hook_b.webhook_id)
pulumi.export("actions", nexudus.get_webhook_actions_output(opts=inv).actions)
pulumi.export("readBack", nexudus.get_webhook_output(webhook_id=hook_a.webhook_id, opts=inv).name)
# With hook-a's action_name (known in a preview: check derives it from the action).
pulumi.export("listed", nexudus.get_webhooks_output(business_id=${HQ}, action=hook_a.action_name,
    name_prefix="Bookings", opts=inv).webhooks)
`,
    );
  },
};
const PYTHON_HOST = missingPythonHost().length === 0;
if (!PYTHON_HOST) {
  console.warn(
    "tests/e2e/plugin.test.ts: the Python program is skipped: no pulumi-language-python beside " +
      "the CLI (`npm run pulumi:install` builds it into .tools/bin)",
  );
}

describe.each([JAVASCRIPT, YAML, ...(PYTHON_HOST ? [PYTHON] : [])])(
  "a $language program through the real engine",
  (program) => {
    let dir: string;
    // The language's own session where it needs one (the same CLI, home and backend).
    let pulumi: PulumiSession;
    beforeAll(async () => {
      pulumi = program.session ? program.session(e2e.root) : e2e.pulumi;
      dir = path.join(e2e.root, program.language.toLowerCase());
      fs.mkdirSync(dir);
      program.write(dir, false);
      await pulumi.ok(dir, ["stack", "init", "dev"]);
      await pulumi.ok(dir, ["config", "set", "urlA", emuA.url]);
      await pulumi.ok(dir, ["config", "set", "urlB", emuB.url]);
      await pulumi.ok(dir, ["config", "set", "--secret", "tokenA", TOKEN_A]);
      // Given in clear to the program: the plugin's CheckConfig still keeps it secret in state.
      await pulumi.ok(dir, ["config", "set", "--plaintext", "tokenB", TOKEN_B]);
      // The default provider (used by `pulumi import` below): account A.
      await pulumi.ok(dir, ["config", "set", "nexudus:baseUrl", emuA.url]);
      await pulumi.ok(dir, ["config", "set", "--secret", "nexudus:token", TOKEN_A]);
    }, 120_000);

    it("a bad provider setting fails the preview naming the key, before any API call", async () => {
      await pulumi.ok(dir, ["stack", "init", "bad"]);
      try {
        await pulumi.ok(dir, ["config", "set", "urlA", "ftp://nexudus.example.com"]);
        await pulumi.ok(dir, ["config", "set", "urlB", emuB.url]);
        await pulumi.ok(dir, ["config", "set", "--secret", "tokenA", TOKEN_A]);
        await pulumi.ok(dir, ["config", "set", "--secret", "tokenB", TOKEN_B]);
        clearCalls();
        const first = await pulumi.run(dir, ["preview"]);
        expect(first.code).not.toBe(0);
        expect(first.stdout).toMatch(
          /resource 'account-a' has a problem: nexudus:baseUrl .*https:\/\//,
        );
        // Then a token with a space, given in clear: refused, and never printed.
        await pulumi.ok(dir, ["config", "set", "urlA", emuA.url]);
        await pulumi.ok(dir, ["config", "set", "--plaintext", "tokenB", "pasted twice-LEAK"]);
        const second = await pulumi.run(dir, ["preview"]);
        expect(second.code).not.toBe(0);
        expect(second.stdout).toMatch(/resource 'account-b' has a problem: nexudus:token .*spaces/);
        expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain("LEAK");
        expect(calls()).toEqual([]);
      } finally {
        await pulumi.ok(dir, ["stack", "rm", "bad", "--yes", "--force"]);
        await pulumi.ok(dir, ["stack", "select", "dev"]);
      }
    });

    it("preview plans the two webhooks with their providers and writes nothing", async () => {
      clearCalls();
      const p = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
      expect(stepOf(p, "hook-a")?.op).toBe("create");
      expect(stepOf(p, "hook-b")?.op).toBe("create");
      expect(stepOf(p, "account-a")?.op).toBe("create");
      // The resources make no call. hook-a's actionName is known from check (the engine plans with
      // the checked inputs), so the JavaScript and YAML programs' getWebhooks runs in the preview
      // (one search, with account a's token); the Python SDK waits for hook-a to exist before it
      // invokes (no call). Nothing is written.
      const seen = calls().map((c) => `${c.method} ${c.route} ${c.client}`);
      expect(seen).toEqual(program.language === "Python" ? [] : ["GET search ops@example.com"]);
    });

    it("up creates each webhook in its own account, with its own token, and the functions answer", async () => {
      clearCalls();
      await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
      expect(emuA.records().map((r) => r.Name)).toEqual(["Bookings A"]);
      expect(emuB.records().map((r) => r.Name)).toEqual(["Bookings B"]);
      // Each emulator knows one token: a token sent to the other account would have been a 401.
      expect(calls().length).toBeGreaterThan(0);
      expect(calls().filter((c) => c.status >= 400)).toEqual([]);
      const outputs = JSON.parse(
        (await pulumi.ok(dir, ["stack", "output", "--json", "--show-secrets"])).stdout,
      ) as {
        idA: number;
        idB: number;
        actions: { name: string; value: number }[];
        readBack: string;
        listed: { name: string }[];
      };
      expect(outputs.idA).toBe(emuA.records()[0]!.Id);
      expect(outputs.idB).toBe(emuB.records()[0]!.Id);
      expect(outputs.actions).toContainEqual({ name: "BookingCreate", value: 6 });
      // getWebhook's answer holds the secret url: the whole output is secret.
      expect(outputs.readBack).toBe("Bookings A");
      expect(outputs.listed.map((w) => w.name)).toEqual(["Bookings A"]);
    });

    it("a second preview finds nothing to change", async () => {
      const p = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
      const changed = (p.steps ?? []).filter((s) => s.op !== "same" && s.op !== "read");
      expect(changed).toEqual([]);
    });

    it("an edit made by hand shows after refresh, and `preview --diff` names the field", async () => {
      const rec = emuA.records()[0]!;
      emuA.patch(rec.Id, { Name: "Renamed by hand", UpdatedOn: "2026-12-07T06:00:00.000Z" });
      await pulumi.ok(dir, ["refresh", "--yes", "--skip-preview"]);
      const p = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--diff", "--json"]));
      const step = stepOf(p, "hook-a")!;
      expect(step.op).toBe("update");
      expect(step.diffReasons).toEqual(["name"]);
      expect(step.detailedDiff).toEqual({ name: { kind: "update", inputDiff: false } });
      expect((p.steps ?? []).filter((x) => x.op !== "same").map((x) => x.urn)).toEqual([step.urn]);
      const text = (await pulumi.ok(dir, ["preview", "--diff"])).stdout;
      expect(text).toMatch(/~ name\s*: "Renamed by hand" => "Bookings A"/);
      await pulumi.ok(dir, ["up", "--yes", "--skip-preview"]);
      expect(emuA.record(rec.Id)!.Name).toBe("Bookings A");
    });

    it("`pulumi import` adopts a record made by hand (Read with the id, then Check)", async () => {
      const rec = emuA.insert({
        BusinessId: HQ,
        Name: "Made by hand",
        Action: 7,
        URL: URL_HAND,
      });
      // The YAML host generates the program's code for what was imported; the nodejs host built
      // here does not implement it (GenerateProgram), so the JavaScript program is written by hand.
      const generates = program.language === "YAML";
      const r = await pulumi.ok(dir, [
        "import",
        WEBHOOK,
        "by-hand",
        String(rec.Id),
        "--yes",
        "--protect=false",
        ...(generates ? [] : ["--generate-code=false"]),
      ]);
      expect(r.stdout).toMatch(/1 imported/);
      const state = await pulumi.exportStack(dir);
      const imported = (state.deployment.resources ?? []).find((x) => x.urn.endsWith("::by-hand"))!;
      expect(imported.id).toBe(String(rec.Id));
      expect(imported.inputs).toMatchObject({ businessId: HQ, name: "Made by hand", action: 7 });
      // Declared as imported, the program plans no change for it.
      if (generates) {
        // The engine's generated code, pasted into the program as it asks: right as it is.
        const code = r.stdout.slice(r.stdout.indexOf("resources:\n") + "resources:\n".length);
        expect(code).toMatch(/^ {2}by-hand:\n {4}type: nexudus:(index:)?WebHook\n/);
        expect(code).not.toContain("actionName");
        const file = path.join(dir, "Pulumi.yaml");
        const text = fs.readFileSync(file, "utf8");
        fs.writeFileSync(file, text.replace("resources:\n", `resources:\n${code.trimEnd()}\n`));
      } else {
        program.write(dir, true);
      }
      const p = parseJson<PreviewJson>(await pulumi.ok(dir, ["preview", "--json"]));
      expect((p.steps ?? []).filter((x) => x.op !== "same")).toEqual([]);
      // The stack, two explicit providers, three webhooks: the imported one is no delete.
      expect(p.changeSummary).toEqual({ same: 6 });
    });

    it("`pulumi import --provider name=urn` adopts a record of another account with its provider", async () => {
      // A record in account B only: the default provider (account A) cannot see it.
      const rec = emuB.insert({
        BusinessId: HQ,
        Name: "Hand B",
        Action: 8,
        URL: "https://hooks.example.com/hand-b/SECRET-PATH-HAND",
      });
      const before = await pulumi.exportStack(dir);
      const accountB = (before.deployment.resources ?? []).find(
        (x) => x.type === "pulumi:providers:nexudus" && x.urn.endsWith("::account-b"),
      )!;
      emuB.clearRequests();
      // The provider's URN alone (a resource's `provider` field in the state adds `::<id>`).
      const r = await pulumi.ok(dir, [
        "import",
        WEBHOOK,
        "hand-b",
        String(rec.Id),
        "--provider",
        `account-b=${accountB.urn}`,
        "--yes",
        "--protect=false",
        "--generate-code=false",
      ]);
      expect(r.stdout).toMatch(/1 imported/);
      expect(new Set(emuB.requests().map((c) => c.client))).toEqual(new Set(["ops-b@example.com"]));
      const after = await pulumi.exportStack(dir);
      const imported = (after.deployment.resources ?? []).find((x) => x.urn.endsWith("::hand-b"))!;
      expect(imported.id).toBe(String(rec.Id));
      expect(imported.provider).toBe(`${accountB.urn}::${accountB.id}`);
      expect(imported.inputs).toMatchObject({ businessId: HQ, name: "Hand B", action: 8 });
    });

    it("the state holds no token, password or secret URL in clear", async () => {
      const text = JSON.stringify(await pulumi.exportStack(dir));
      for (const s of [TOKEN_A, TOKEN_B, "SECRET-PATH-A", "SECRET-PATH-B", "SECRET-PATH-HAND"]) {
        expect(text).not.toContain(s);
      }
      const state = JSON.parse(text) as Deployment;
      const providers = (state.deployment.resources ?? []).filter((x) =>
        x.type.startsWith("pulumi:providers:nexudus"),
      );
      expect(providers.length).toBe(3); // account-a, account-b and the default one
    });

    it("destroy deletes every webhook from its own account", async () => {
      await pulumi.ok(dir, ["destroy", "--yes", "--skip-preview"]);
      expect(emuA.records()).toEqual([]);
      expect(emuB.records()).toEqual([]);
    });
  },
);
