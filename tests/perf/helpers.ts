/**
 * Shared set-up of the performance suites: one captured WebHook (its `__provider` reused for every
 * resource), fleets of webhooks derived from it, and request counting on the emulator's log.
 */
import type { EmulatorHandle, RequestLogEntry, StartEmulatorOptions } from "../../emulator";
import { WebHook, type WebHookArgs } from "../../sdk";
import { captureResources, withInputs, type CapturedResource } from "../../testing/capture";
import type { StateEntry } from "../../testing/engine";
import type { Host } from "../../testing/host";
import { useRig, type RigOptions } from "../../testing/rig";

export const HQ = 1234;
export const ANNEX = 5678;

export const BASE: WebHookArgs = {
  businessId: HQ,
  name: "Perf webhook",
  action: "BookingCreate",
  url: "https://hooks.example.com/nexudus/perf",
};

/** Captures one WebHook (about 0.5 s): clone it with {@link fleet} or `withInputs`. */
export async function captureTemplate(): Promise<CapturedResource> {
  const [template] = await captureResources(() => {
    new WebHook("perf", BASE);
  });
  if (!template) throw new Error("no resource captured");
  return template;
}

/** `n` webhooks named `<prefix>-<i>`; every other one has a description. */
export function fleet(
  template: CapturedResource,
  n: number,
  prefix = "hook",
  changes: Record<string, unknown> = {},
): CapturedResource[] {
  return Array.from({ length: n }, (_, i) =>
    withInputs(
      template,
      {
        name: `${prefix} webhook ${i}`,
        url: `https://hooks.example.com/nexudus/${prefix}/${i}`,
        description: i % 2 === 0 ? `${prefix} webhook number ${i}` : undefined,
        ...changes,
      },
      `${prefix}-${i}`,
    ),
  );
}

/** Counts the emulator's requests since the last {@link Counter.reset}, by route. */
export class Counter {
  private mark = 0;
  constructor(private readonly emulator: EmulatorHandle) {
    this.reset();
  }
  reset(): void {
    this.mark = this.emulator.requests().length;
  }
  requests(): RequestLogEntry[] {
    return this.emulator.requests().slice(this.mark);
  }
  get total(): number {
    return this.requests().length;
  }
  count(route: RequestLogEntry["route"]): number {
    return this.requests().filter((r) => r.route === route).length;
  }
}

/** The bytes a state entry takes (its inputs plus outputs, as JSON). */
export function stateBytes(e: StateEntry): number {
  return Buffer.byteLength(JSON.stringify({ inputs: e.inputs, outputs: e.outputs }), "utf8");
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a performance suite works with, filled in before its first test. */
export interface PerfRig {
  emulator: EmulatorHandle;
  host: Host;
  calls: Counter;
  template: CapturedResource;
}

/**
 * The performance suites' set-up: before the suite's tests, an emulator with the location HQ and
 * an Administrator `perf@example.com` whose API token is `token`, a configured host, a request
 * counter and the captured template; after them, both stopped (see `useRig`). Call it at the top of the file;
 * the object it returns is filled in by its `beforeAll`.
 */
export function usePerfRig(
  token: string,
  opts: { emulator?: StartEmulatorOptions } & Pick<RigOptions, "host" | "config"> = {},
): PerfRig {
  const perf = {} as PerfRig;
  const suite = useRig({
    ...opts,
    token,
    username: "perf@example.com",
    emulator: { locations: [{ id: HQ, name: "HQ" }], ...opts.emulator },
  });
  beforeAll(async () => {
    Object.assign(perf, suite);
    perf.calls = new Counter(suite.emulator);
    perf.template = await captureTemplate();
  });
  return perf;
}
