/**
 * `npm run demo`: the whole life of a declared webhook set against the local Nexudus emulator.
 *
 * It starts the emulator in-process (one location, an admin user, a shared secret for signed
 * deliveries) and a webhook receiver on loopback, then runs the demo program through the Pulumi
 * Automation API (local file backend in a temporary folder, passphrase secrets): preview, up,
 * outputs, a BookingCreate fired through the emulator and received signed, refresh (lastTrigger
 * moved), preview (no changes), destroy.
 *
 * The engine is the Pulumi CLI in .tools/bin (`npm run pulumi:install` builds it from the Go module
 * proxy), else a `pulumi` on PATH. With neither, it says so in its first lines and runs the same
 * program's lifecycle through the real dynamic-provider host instead (the test harness in
 * testing/), labelled as such. It never downloads anything.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as automation from "@pulumi/pulumi/automation";
import { startEmulator, signPayload, type EmulatorHandle } from "../emulator";
import { WebhookAction } from "../client/actions";
import { demoProgram, DEMO_LOCATION } from "./demo-program";

const REPO_ROOT = path.resolve(__dirname, "..");
const TOKEN = "demo-admin-token";
const SHARED_SECRET = "demo-shared-secret";
const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const green = (s: string) => (tty ? `\x1b[32m${s}\x1b[0m` : s);

let stepNo = 0;
function step(title: string): void {
  stepNo += 1;
  console.log(`\n${bold(`[${stepNo}] ${title}`)}`);
}
function info(line: string): void {
  console.log(`    ${line}`);
}
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`demo check failed: ${what}`);
  info(green(`✓ ${what}`));
}

/** A webhook receiver on loopback that verifies the signature of each delivery. */
interface Received {
  body: string;
  signature: string | undefined;
  valid: boolean;
}
async function startReceiver(): Promise<{
  url: string;
  received: Received[];
  stop(): Promise<void>;
}> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const signature = req.headers["x-nexudus-hook-signature"] as string | undefined;
      received.push({ body, signature, valid: signature === signPayload(body, SHARED_SECRET) });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/nexudus`,
    received,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** What each lifecycle path must provide; the demo's steps are the same for both. */
interface Lifecycle {
  label: string;
  preview(): Promise<Record<string, number>>;
  up(): Promise<Record<string, number>>;
  outputs(): Promise<Record<string, unknown>>;
  refresh(): Promise<void>;
  destroy(): Promise<void>;
  close(): Promise<void>;
}

/** Where the demo looks for the Pulumi CLI: `.tools/bin` (npm run pulumi:install), then PATH. */
const TOOLS_ROOT = path.join(REPO_ROOT, ".tools");

/**
 * The Pulumi CLI for the Automation API, or undefined with the reason: `.tools/bin/pulumi` (built
 * by `npm run pulumi:install`), else a `pulumi` on PATH. Never downloads anything.
 */
async function findCli(): Promise<{ cmd?: automation.PulumiCommand; where: string }> {
  if (process.env.NEXUDUS_DEMO_ENGINE === "host") {
    return { where: "NEXUDUS_DEMO_ENGINE=host asks for the dynamic-provider host path" };
  }
  const skip = { skipVersionCheck: true };
  if (fs.existsSync(path.join(TOOLS_ROOT, "bin", "pulumi"))) {
    try {
      return {
        cmd: await automation.PulumiCommand.get({ root: TOOLS_ROOT, ...skip }),
        where: ".tools/bin/pulumi (npm run pulumi:install)",
      };
    } catch (e) {
      return { where: `.tools/bin/pulumi does not run (${(e as Error).message})` };
    }
  }
  try {
    return { cmd: await automation.PulumiCommand.get(skip), where: "pulumi on PATH" };
  } catch {
    return { where: "no Pulumi CLI in .tools/bin or on PATH" };
  }
}

async function automationLifecycle(
  cmd: automation.PulumiCommand,
  emulatorUrl: string,
  receiverUrl: string,
  work: string,
): Promise<Lifecycle> {
  // The dynamic-provider host resolves `pulumi-nexudus/provider` from the program folder.
  const programDir = path.join(work, "program");
  fs.mkdirSync(programDir, { recursive: true });
  fs.symlinkSync(
    path.join(REPO_ROOT, "node_modules"),
    path.join(programDir, "node_modules"),
    "dir",
  );
  const backend = path.join(work, "state");
  fs.mkdirSync(backend, { recursive: true });
  const stack = await automation.LocalWorkspace.createOrSelectStack(
    {
      stackName: "demo",
      projectName: "nexudus-demo",
      program: async () => demoProgram(receiverUrl),
    },
    {
      workDir: programDir,
      pulumiCommand: cmd,
      secretsProvider: "passphrase",
      envVars: {
        PULUMI_CONFIG_PASSPHRASE: "demo-passphrase",
        PULUMI_BACKEND_URL: `file://${backend}`,
        PULUMI_HOME: path.join(work, "pulumi-home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The engine starts the dynamic provider as the plugin pulumi-resource-pulumi-nodejs,
        // which lives beside the CLI.
        PATH: `${path.dirname(cmd.command)}${path.delimiter}${process.env.PATH ?? ""}`,
      },
      projectSettings: {
        name: "nexudus-demo",
        runtime: "nodejs",
        backend: { url: `file://${backend}` },
      },
    },
  );
  await stack.setConfig("nexudus:baseUrl", { value: emulatorUrl });
  await stack.setConfig("nexudus:token", { value: TOKEN, secret: true });
  const counts = (m: Record<string, number> | undefined) => ({ ...(m ?? {}) });
  return {
    label: "Pulumi Automation API (local file backend, passphrase secrets)",
    preview: async () => counts((await stack.preview()).changeSummary),
    up: async () => counts((await stack.up()).summary.resourceChanges),
    outputs: async () =>
      Object.fromEntries(
        Object.entries(await stack.outputs()).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]),
      ),
    refresh: async () => {
      await stack.refresh();
    },
    destroy: async () => {
      await stack.destroy();
    },
    close: async () => {
      await stack.workspace.removeStack("demo").catch(() => undefined);
    },
  };
}

async function hostLifecycle(emulatorUrl: string, receiverUrl: string): Promise<Lifecycle> {
  // Loaded only here: the harness is the test suite's, and the demo needs it only without a CLI.
  const { captureResources } = require("../testing/capture") as typeof import("../testing/capture");
  const { startHost } = require("../testing/host") as typeof import("../testing/host");
  const { Engine } = require("../testing/engine") as typeof import("../testing/engine");
  let exported: Record<string, pulumi.Output<unknown>> = {};
  const desired = await captureResources(async () => {
    exported = demoProgram(receiverUrl);
  });
  void exported;
  const host = await startHost({ cwd: REPO_ROOT });
  const engine = new Engine(host, {
    config: { "nexudus:baseUrl": emulatorUrl, "nexudus:token": { secret: TOKEN } },
  });
  const summary = (s: Record<string, number | undefined>) =>
    Object.fromEntries(Object.entries(s).filter(([, n]) => n !== undefined)) as Record<
      string,
      number
    >;
  return {
    label:
      "the real Pulumi dynamic-provider host, driven over gRPC (no Pulumi CLI on this machine)",
    preview: async () => summary((await engine.preview(desired)).summary),
    up: async () => summary((await engine.up(desired)).summary),
    outputs: async () => {
      const hooks: Record<string, unknown> = {};
      for (const e of engine.state.values()) {
        const o = e.outputs;
        hooks[e.urn.split("::").pop()!] = {
          webhookId: o.webhookId,
          action: o.actionName,
          active: o.active,
          lastTrigger: o.lastTrigger,
        };
      }
      return hooks;
    },
    refresh: async () => {
      await engine.refresh();
    },
    destroy: async () => {
      await engine.destroy();
    },
    close: async () => {
      await host.stop();
    },
  };
}

function lastTriggers(emulator: EmulatorHandle): Map<number, string | null> {
  return new Map(emulator.records().map((r) => [r.Id, r.LastTrigger ?? null]));
}

/** A plan (or, `done`, an update's summary) as a person reads it: "5 to create", "5 created". */
function describePlan(plan: Record<string, number>, done = false): string {
  const words: Record<string, string> = done
    ? {
        create: "created",
        update: "updated",
        delete: "deleted",
        replace: "replaced",
        same: "unchanged",
      }
    : {
        create: "to create",
        update: "to update",
        delete: "to delete",
        replace: "to replace",
        same: "unchanged",
      };
  const parts = Object.entries(plan)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${words[k] ?? k}`);
  return parts.length > 0 ? parts.join(", ") : "nothing";
}

/** Stack outputs one line each; the set's `webhooks` one line per webhook. */
function describeOutputs(outputs: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(outputs)) {
    if (k === "webhooks" && v !== null && typeof v === "object") {
      for (const [child, hook] of Object.entries(v as Record<string, Record<string, unknown>>)) {
        const active = hook.active === false ? "inactive" : "active";
        lines.push(
          `${child}: webhook #${String(hook.webhookId)}, ${String(hook.action)}, ${active}`,
        );
      }
    } else {
      lines.push(`${k}: ${JSON.stringify(v)}`);
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-demo-"));
  // Said first: which engine runs this demo, and how to get the other path.
  const cli = await findCli();
  if (cli.cmd) {
    console.log(
      bold(
        `Engine: the real Pulumi CLI ${cli.cmd.version?.toString() ?? ""} (${cli.where}), through the Automation API.`,
      ),
    );
    console.log(
      dim(
        "  (`NEXUDUS_DEMO_ENGINE=host npm run demo` runs the same lifecycle through the dynamic-provider host over gRPC, the path taken where no CLI is installed.)",
      ),
    );
  } else {
    console.log(
      bold(`Engine: the real dynamic-provider host over gRPC, not the Pulumi CLI (${cli.where}).`),
    );
    console.log(
      dim(
        "  For the real engine: `npm run pulumi:install` (builds it from the Go module proxy into .tools/bin, under 11 minutes the first time) or put your own `pulumi` on PATH, then run the demo again. Nothing is downloaded.",
      ),
    );
  }
  step("Start the local Nexudus emulator and a webhook receiver");
  const emulator = await startEmulator({
    port: 0,
    locations: [{ id: DEMO_LOCATION, name: "Demo HQ" }],
    users: [
      {
        username: "admin@example.com",
        password: "demo-password",
        roles: ["Administrator"],
        apiTokens: [TOKEN],
      },
    ],
    sharedSecret: SHARED_SECRET,
  });
  const receiver = await startReceiver();
  info(
    `emulator ${emulator.url}  (location ${DEMO_LOCATION}, admin token from stack config, as a secret)`,
  );
  info(`receiver ${receiver.url}`);
  let lifecycle: Lifecycle | undefined;
  try {
    step("Find the Pulumi CLI for the Automation API");
    info(`looked for: ${cli.where}`);
    if (cli.cmd) {
      lifecycle = await automationLifecycle(cli.cmd, emulator.url, receiver.url, work);
    } else {
      info(
        bold("Falling back: the same program's lifecycle runs through the dynamic-provider host."),
      );
      lifecycle = await hostLifecycle(emulator.url, receiver.url);
    }
    info(`running through ${bold(lifecycle.label)}`);

    step("pulumi preview (new stack)");
    const plan = await lifecycle.preview();
    info(
      `plan: ${describePlan(plan)} (the stack, the WebhookSet and its three WebHooks: one per hook)`,
    );
    check(
      (plan.create ?? 0) >= 3 && emulator.records().length === 0,
      "preview plans the creates and writes nothing",
    );

    step("pulumi up");
    emulator.clearRequests();
    const up = await lifecycle.up();
    info(`changes: ${describePlan(up, true)}`);
    const calls = emulator.requests();
    info(`API calls: ${calls.length} (${calls.filter((c) => c.method === "POST").length} POST)`);
    check(emulator.records().length === 3, "three webhooks exist in Nexudus");

    step("Outputs");
    for (const line of describeOutputs(await lifecycle.outputs())) info(line);

    step("Fire a BookingCreate at the location through the emulator");
    const before = lastTriggers(emulator);
    const results = await emulator.fire(DEMO_LOCATION, WebhookAction.BookingCreate, {
      Id: 4242,
      ResourceName: "Meeting room 1",
      FromTime: new Date().toISOString(),
    });
    info(
      `deliveries: ${results.map((r) => `#${r.webhookId} ${r.ok ? "ok" : `failed (${r.error ?? r.status})`}`).join(", ")}`,
    );
    const got = receiver.received.at(-1);
    check(results.length === 1 && results[0]!.ok, "one delivery, answered 200 by the receiver");
    check(
      got !== undefined && got.valid,
      `the receiver verified X-Nexudus-Hook-Signature ${got?.signature?.slice(0, 16) ?? ""}...`,
    );
    info(`body: ${dim(got!.body.slice(0, 120))}`);

    step("pulumi refresh");
    await lifecycle.refresh();
    const after = lastTriggers(emulator);
    const moved = [...after].filter(([id, t]) => t !== null && t !== before.get(id));
    check(
      moved.length === 1,
      `lastTrigger moved for webhook ${moved[0]?.[0]} (now ${moved[0]?.[1]})`,
    );
    for (const line of describeOutputs(await lifecycle.outputs())) info(line);

    step("pulumi preview again");
    emulator.clearRequests();
    const again = await lifecycle.preview();
    info(`plan: ${describePlan(again)}`);
    check(
      Object.keys(again).every((k) => k === "same"),
      "no changes",
    );

    step("pulumi destroy");
    await lifecycle.destroy();
    check(emulator.records().length === 0, "every webhook is deleted");
    console.log(`\n${green(bold("Demo complete."))} Every step ran against the local emulator.`);
  } finally {
    await lifecycle?.close().catch(() => undefined);
    await receiver.stop();
    await emulator.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`\ndemo failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
