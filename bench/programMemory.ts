/**
 * The program side's memory: `sets` WebhookSets of `hooks` hooks each (or as many standalone
 * WebHooks, `--kind webhooks`), declared under `pulumi.runtime.setMocks` as a Pulumi program runs
 * them, until every resource is registered and every output resolved. Prints one JSON line
 * `{kind, wait, sets, hooksPerSet, resources, peakMb, heapUsedMb, retainedMb, seconds}` (peakMb:
 * the process's VmHWM, or the largest RSS sampled where /proc is missing; retainedMb: the heap
 * after a full collection, with `node --expose-gc`).
 *
 * How the program ends (`--wait`):
 * - `drain` (default): `pulumi.runtime.disconnect()`, which waits for the runtime's RPC queue to
 *   drain: every registration has answered and resolved its outputs. Under the engine nothing
 *   more happens: the program's process lives until that queue is empty, then exits;
 * - `outputs`: a program that also waits on every hook's `webhookId` through one `pulumi.all`
 *   (as one exporting all ids does): that Output of thousands of inputs costs about 70 MB more.
 *
 * Run in its own process (the bench does: `ts-node bench/programMemory.ts --sets 300 --hooks 10`)
 * so that the peak is this program's alone.
 *
 * @module
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { WebhookActionName } from "../sdk";

/** How the measured program ends (see the module header). */
export type ProgramEnd = "drain" | "outputs";

export interface ProgramMemoryResult {
  kind: "sets" | "webhooks";
  wait: ProgramEnd;
  sets: number;
  hooksPerSet: number;
  resources: number;
  peakMb: number;
  heapUsedMb: number;
  /** The heap still in use after a full collection (null without `--expose-gc`). */
  retainedMb: number | null;
  seconds: number;
}

const ACTIONS = [
  "BookingCreate",
  "BookingUpdate",
  "BookingDelete",
  "CoworkerCreate",
  "CoworkerUpdate",
  "CoworkerInvoicePaid",
  "CoworkerInvoiceCreate",
  "CoworkerContractActivate",
  "CoworkerContractCancel",
  "TeamCreated",
  "TeamUpdated",
  "CheckinCreated",
] as const;

function peakMb(sampled: number): number {
  try {
    const status = fs.readFileSync("/proc/self/status", "utf8");
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (m) return Math.round(Number(m[1]) / 102.4) / 10;
  } catch {
    // no /proc: the sampled maximum
  }
  return Math.round(sampled / 1024 / 102.4) / 10;
}

/** Runs the program in this process and returns its figures. */
export async function measureProgramMemory(
  kind: "sets" | "webhooks",
  sets: number,
  hooks: number,
  wait: ProgramEnd = "drain",
): Promise<ProgramMemoryResult> {
  if (hooks > ACTIONS.length)
    throw new Error(`programMemory: --hooks is at most ${ACTIONS.length}`);
  let maxRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  let registered = 0;
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered++;
        return { id: `${args.name}-id`, state: { ...args.inputs, webhookId: registered } };
      },
      call: () => ({}),
    },
    "bench",
    "memory",
    false,
  );
  // Loaded after setMocks, as a program's modules are.
  // The package as a user installs it (built, from node_modules), as the engine loads it.
  const sdk = require("pulumi-nexudus") as typeof import("../sdk");
  const done: pulumi.Output<unknown>[] = [];
  for (let s = 0; s < sets; s++) {
    const url = `https://hooks.example.com/nexudus/location/${s}`;
    if (kind === "sets") {
      const set = new sdk.WebhookSet(`loc-${s}`, {
        businessId: 1000 + s,
        url,
        hooks: ACTIONS.slice(0, hooks) as unknown as WebhookActionName[],
      });
      // What a program that never reads the set's outputs waits for: its children.
      for (const child of Object.values(set.resources)) done.push(child.webhookId);
    } else {
      for (let h = 0; h < hooks; h++) {
        const hook = new sdk.WebHook(`loc-${s}-${ACTIONS[h]}`, {
          businessId: 1000 + s,
          name: `loc-${s} ${ACTIONS[h]}`,
          action: ACTIONS[h]!,
          url,
        });
        done.push(hook.webhookId);
      }
    }
  }
  if (wait === "outputs") {
    await new Promise<void>((resolve) => pulumi.all(done).apply(() => resolve()));
  } else {
    await pulumi.runtime.disconnect();
  }
  const expected = kind === "sets" ? sets * (hooks + 1) : sets * hooks;
  if (registered !== expected) {
    throw new Error(`programMemory: ${registered} resources registered, expected ${expected}`);
  }
  // Let the last registrations and applies settle.
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 20));
  clearInterval(sampler);
  maxRss = Math.max(maxRss, process.memoryUsage().rss);
  const heapUsedMb = Math.round(process.memoryUsage().heapUsed / 1024 / 102.4) / 10;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const retainedMb = gc ? Math.round(process.memoryUsage().heapUsed / 1024 / 102.4) / 10 : null;
  return {
    kind,
    wait,
    sets,
    hooksPerSet: hooks,
    resources: registered,
    peakMb: peakMb(maxRss),
    heapUsedMb,
    retainedMb,
    seconds: Math.round(performance.now() - t0) / 1000,
  };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

if (require.main === module) {
  const kind = arg("kind", "sets");
  const sets = Number(arg("sets", "300"));
  const hooks = Number(arg("hooks", "10"));
  const wait = arg("wait", "drain");
  if (kind !== "sets" && kind !== "webhooks") throw new Error("--kind must be sets or webhooks");
  if (wait !== "drain" && wait !== "outputs") throw new Error("--wait must be drain or outputs");
  if (!Number.isInteger(sets) || sets < 1) throw new Error("--sets must be a whole number >= 1");
  if (!Number.isInteger(hooks) || hooks < 1) throw new Error("--hooks must be a whole number >= 1");
  measureProgramMemory(kind, sets, hooks, wait).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + "\n");
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    },
  );
}
