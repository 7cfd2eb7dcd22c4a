/**
 * The emulator's server: {@link startEmulator} checks the options, builds the state (users and
 * tokens, the store, rate limits, faults, the request log), listens, and returns the handle that
 * tests and the admin endpoints drive. The parts: `routing.ts` (the checks of an API request, in
 * order), `api.ts` (the routes' handlers), `admin.ts` (the `/__emulator/...` endpoints) and
 * `faults.ts` (injected faults).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { handleAdmin } from "./admin";
import { UserDirectory } from "./auth";
import { fire } from "./deliveries";
import { FaultBook } from "./faults";
import { RateLimiter } from "./limits";
import { requestListener } from "./routing";
import type { EmulatorState } from "./state";
import { WebhookStore } from "./store";
import {
  DEFAULT_ADMIN,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_LOCATIONS,
  DEFAULT_START_ID,
  DEFAULT_TOKEN_TTL_SECONDS,
  type EmulatorHandle,
  type EmulatorQuirks,
  type EmulatorUser,
  type RateLimits,
  type StartEmulatorOptions,
} from "./types";

function checkOptions(o: StartEmulatorOptions): void {
  const fail = (msg: string): never => {
    throw new Error(`startEmulator: ${msg}`);
  };
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) {
    fail(`port must be an integer in 0..65535 (got ${o.port})`);
  }
  if (o.timeFactor !== undefined && !(o.timeFactor > 0 && Number.isFinite(o.timeFactor))) {
    fail(`timeFactor must be a finite number > 0 (got ${o.timeFactor})`);
  }
  if (o.tokenTtlSeconds !== undefined && !(o.tokenTtlSeconds > 0)) {
    fail(`tokenTtlSeconds must be > 0 (got ${o.tokenTtlSeconds})`);
  }
  if (o.deliveryTimeoutMs !== undefined && !(o.deliveryTimeoutMs > 0)) {
    fail(`deliveryTimeoutMs must be > 0 (got ${o.deliveryTimeoutMs})`);
  }
  if (o.startId !== undefined && !(Number.isSafeInteger(o.startId) && o.startId > 0)) {
    fail(`startId must be a positive integer (got ${o.startId})`);
  }
  const seen = new Set<number>();
  for (const l of o.locations ?? []) {
    if (!Number.isSafeInteger(l.id) || l.id <= 0) {
      fail(`location id must be a positive integer (got ${l.id})`);
    }
    if (seen.has(l.id)) fail(`location id ${l.id} is configured twice`);
    seen.add(l.id);
  }
  if (o.sharedSecret !== undefined && o.sharedSecret === "") {
    fail("sharedSecret must not be empty");
  }
  if (o.quirks !== undefined) checkQuirks(o.quirks);
}

/** Checks quirks (options or `setQuirks`); throws an error naming the field and the rule. */
function checkQuirks(q: EmulatorQuirks): void {
  const fail = (msg: string): never => {
    throw new Error(`startEmulator: quirks.${msg}`);
  };
  if (typeof q !== "object" || q === null) fail("must be an object");
  const known = [
    "endlessPaging",
    "maxPageSize",
    "silentPageSizeCap",
    "totalItemsOffset",
    "routeNotFoundAsString",
    "actionAsName",
    "extraFields",
    "normalise",
    "echoRequestInErrors",
    "bareWriteAnswers",
  ];
  for (const key of Object.keys(q)) {
    if (!known.includes(key)) fail(`${key} is not a quirk (known: ${known.join(", ")})`);
  }
  if (
    q.endlessPaging !== undefined &&
    !["hasNextPage", "repeatPage", "growing"].includes(q.endlessPaging)
  ) {
    fail(
      `endlessPaging must be "hasNextPage", "repeatPage" or "growing" (got ${String(q.endlessPaging)})`,
    );
  }
  if (q.maxPageSize !== undefined && !(Number.isInteger(q.maxPageSize) && q.maxPageSize >= 1)) {
    fail(`maxPageSize must be an integer >= 1 (got ${q.maxPageSize})`);
  }
  if (q.totalItemsOffset !== undefined && !Number.isInteger(q.totalItemsOffset)) {
    fail(`totalItemsOffset must be an integer (got ${q.totalItemsOffset})`);
  }
  const max = q.normalise?.maxDescription;
  if (max !== undefined && !(Number.isInteger(max) && max >= 0)) {
    fail(`normalise.maxDescription must be an integer >= 0 (got ${max})`);
  }
}

/**
 * Starts the emulator on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * const emu = await startEmulator({ port: 0 });
 * await fetch(`${emu.url}/api/sys/webhooks`, { headers: { Authorization: "Bearer emulator-admin-token" } });
 * await emu.stop();
 */
export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  checkOptions(opts);
  const timeFactor = opts.timeFactor ?? 1;
  const locations = (opts.locations ?? DEFAULT_LOCATIONS).map((l) => ({ ...l }));
  const locationIds = new Set(locations.map((l) => l.id));
  const users: EmulatorUser[] = opts.users ?? [
    {
      ...DEFAULT_ADMIN,
      roles: [...DEFAULT_ADMIN.roles],
      apiTokens: [...(DEFAULT_ADMIN.apiTokens ?? [])],
    },
  ];
  const directory = new UserDirectory(users, opts.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS);
  const store = new WebhookStore({
    startId: opts.startId ?? DEFAULT_START_ID,
    ...(opts.stateFile !== undefined ? { stateFile: opts.stateFile } : {}),
    defaultUpdatedBy: users[0]?.username ?? DEFAULT_ADMIN.username,
  });
  const makeLimiter = (l: false | Partial<RateLimits> | undefined): RateLimiter | undefined =>
    l === false || l === undefined ? undefined : new RateLimiter(l, timeFactor);
  const deliveryOpts = {
    timeoutMs: opts.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    ...(opts.sharedSecret !== undefined ? { sharedSecret: opts.sharedSecret } : {}),
  };

  const sleepers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  const state: EmulatorState = {
    store,
    directory,
    faults: new FaultBook(),
    locationIds,
    quirks: { ...opts.quirks },
    limiter: makeLimiter(opts.rateLimits),
    log: [],
    stopped: false,
    sleep: (ms) =>
      new Promise((resolve) => {
        const s = {
          timer: setTimeout(() => {
            sleepers.delete(s);
            resolve();
          }, ms),
          resolve,
        };
        sleepers.add(s);
      }),
  };

  const fireEvent = (businessId: number, action: number, payload?: unknown) =>
    fire(store, businessId, action, payload, deliveryOpts);

  const server = http.createServer(
    requestListener(state, (req, res, url) => handleAdmin(handle, req, res, url)),
  );

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const handle: EmulatorHandle = {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (state.stopped) return;
      state.stopped = true;
      for (const s of sleepers) {
        clearTimeout(s.timer);
        s.resolve();
      }
      sleepers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    requests: () => state.log.map((e) => ({ ...e })),
    clearRequests: () => {
      state.log = [];
    },
    records: () => store.all(),
    record: (id) => store.get(id),
    insert: (partial) => store.insert(partial),
    patch: (id, patch) => store.patch(id, patch),
    remove: (id) => store.delete(id),
    injectFault: (f) => state.faults.add(f),
    clearFaults: () => state.faults.clear(),
    fire: fireEvent,
    expireTokens: (o) => directory.expireTokens(o),
    setRateLimits: (l) => {
      state.limiter = makeLimiter(l);
    },
    addUser: (u) => directory.add(u),
    setQuirks: (q) => {
      checkQuirks(q);
      state.quirks = { ...q };
    },
  };
  return handle;
}
