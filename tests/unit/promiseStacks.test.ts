/**
 * Our resources register without Pulumi's per-promise debug traces (sdk/promiseStacks.ts), and
 * nothing else changes: the limit comes back, the engine still learns where each resource was
 * declared, errors still point at the program, and PULUMI_DEBUG_PROMISE_LEAKS keeps the traces.
 */
import * as pulumi from "@pulumi/pulumi";
import { WebHook, WebhookSet } from "../../sdk";
import { quietPromiseStacks } from "../../sdk/promiseStacks";

/** The SDK's set of in-flight debuggable promises (internal: the only place they are reachable). */
function leakCandidates(): Set<Promise<unknown> & { _debugStackTrace?: string }> {
  const state = require("@pulumi/pulumi/runtime/state") as {
    getStore(): { leakCandidates: Set<Promise<unknown> & { _debugStackTrace?: string }> };
  };
  return state.getStore().leakCandidates;
}

/** The traces of the debuggable promises that `declare` made synchronously. */
function tracesOf(declare: () => void): string[] {
  const before = new Set(leakCandidates());
  declare();
  return [...leakCandidates()].filter((p) => !before.has(p)).map((p) => p._debugStackTrace ?? "");
}

const FRAME = /\n\s+at /;
/** Everything declared here: the suite ends once they are registered. */
const declared: pulumi.Resource[] = [];
function declare<T extends pulumi.Resource>(resource: T): T {
  declared.push(resource);
  return resource;
}
const positions: Record<string, string> = {};

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, webhookId: 7 } }),
      call: () => ({}),
    },
    "stacks",
    "test",
    false,
  );
  // Records the source position each registration sends to the engine.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(req: RegisterRequest, cb: unknown): unknown;
  };
  interface RegisterRequest {
    getName(): string;
    getSourceposition(): { getUri(): string; getLine(): number } | undefined;
  }
  const original = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    const pos = req.getSourceposition();
    positions[req.getName()] = pos ? `${pos.getUri()}:${pos.getLine()}` : "";
    return original(req, cb);
  };
});

afterAll(async () => {
  // The shim's serialization (shared by every WebHook) has finished once one of them registered.
  declare(new WebHook("settle", { ...hookArgs, businessId: 9 }));
  await new Promise<void>((resolve) =>
    pulumi.all(declared.map((r) => r.urn)).apply(() => resolve()),
  );
});

afterEach(() => {
  delete process.env.PULUMI_DEBUG_PROMISE_LEAKS;
});

const hookArgs = {
  businessId: 1,
  name: "n",
  action: "BookingCreate" as const,
  url: "https://hooks.example.com/a",
};

it("a WebHook's promises carry no trace, and the limit in force comes back", () => {
  const jestLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 17;
  const traces = tracesOf(() => declare(new WebHook("quiet-hook", hookArgs)));
  expect(Error.stackTraceLimit).toBe(17);
  // 4 per output property, and more for the registration: all of them without frames.
  expect(traces.length).toBeGreaterThan(60);
  expect(traces.filter((t) => FRAME.test(t))).toEqual([]);
  Error.stackTraceLimit = jestLimit;
});

it("a WebhookSet and its exclusion register quietly too", () => {
  const limit = Error.stackTraceLimit;
  const traces = tracesOf(() =>
    declare(
      new WebhookSet("quiet-set", {
        businessId: 2,
        url: "https://hooks.example.com/b",
        hooks: ["BookingCreate", "BookingUpdate"],
        exclusive: true,
      }),
    ),
  );
  expect(Error.stackTraceLimit).toBe(limit);
  expect(traces.length).toBeGreaterThan(100);
  expect(traces.filter((t) => FRAME.test(t))).toEqual([]);
});

it("PULUMI_DEBUG_PROMISE_LEAKS keeps every trace", () => {
  process.env.PULUMI_DEBUG_PROMISE_LEAKS = "true";
  const traces = tracesOf(() => declare(new WebHook("traced-hook", hookArgs)));
  expect(traces.length).toBeGreaterThan(60);
  expect(traces.filter((t) => !FRAME.test(t))).toEqual([]);
});

it("the engine still receives where each resource was declared", async () => {
  declare(new WebHook("positioned-hook", hookArgs));
  declare(
    new WebhookSet("positioned-set", {
      businessId: 3,
      url: "https://x.example.com",
      hooks: ["BookingCreate"],
    }),
  );
  await new Promise((r) => setTimeout(r, 50));
  // Pulumi's own capture (the frame that called the resource class): the program's line for a
  // WebHook or a set, the set's constructor for its children. With the traces off, it would be
  // empty.
  expect(positions["positioned-hook"]).toMatch(/promiseStacks\.test\.ts:\d+$/);
  expect(positions["positioned-set"]).toMatch(/promiseStacks\.test\.ts:\d+$/);
  expect(positions["positioned-set-BookingCreate"]).toMatch(/sdk\/webhookSet\.(ts|js):\d+$/);
});

it("an error thrown while registering still points at the program, and the limit comes back", () => {
  const limit = Error.stackTraceLimit;
  let thrown: unknown;
  try {
    new WebHook(undefined as unknown as string, hookArgs);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as Error).message).toMatch(/Missing resource name/);
  expect((thrown as Error).stack).toMatch(/promiseStacks\.test\.ts/);
  expect(Error.stackTraceLimit).toBe(limit);
});

it("quietPromiseStacks restores what it found", () => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 5;
  const restore = quietPromiseStacks();
  expect(Error.stackTraceLimit).toBe(0);
  restore();
  expect(Error.stackTraceLimit).toBe(5);
  Error.stackTraceLimit = limit;
});
