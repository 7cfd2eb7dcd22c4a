/**
 * What a create may take as its own after a POST that failed without a definite answer (a reset,
 * a timeout, a 5xx): only a record that did not exist when that create started.
 *
 * Before its POST, every create waits for a snapshot of the ids at its location. The snapshot is
 * one search of the location (one page of up to 1,000 rows, read to the end when there are more)
 * shared by the creates of a run: a create joins a snapshot that has not been sent yet, so the
 * snapshot shows the server as it was after the create started; otherwise it asks for a new one.
 * Creates arriving together (the engine starts a run's creates in parallel) wait for each other
 * (until none joined for {@link COALESCE_MS}, at most {@link MAX_COALESCE_MS}), so a burst costs
 * one search per location. Creates that start one after the other (parallelism 1) pay one each.
 *
 * After an ambiguous failure, {@link findOwnCreate} looks for a record at the location with the
 * same action, URL and Name (as a server may normalise them: trimmed Name, punycode host) that is
 * not in the snapshot. A record made before the create started (by another stack an hour or a
 * second before, or between preview and up) is in the snapshot and is never taken.
 *
 * Adopt (`adopt: true`) is the opposite on purpose, and lives in `webhook.ts`: it takes an
 * existing record.
 *
 * @module
 */
import type { NexudusClient } from "../client/client";
import { errorMessage, NexudusResponseError, NexudusRoutingError } from "../client/errors";
import { sameName, sameUrl, type WebhookInputs } from "./inputs";
import { WEBHOOKS } from "../client/routes";

/**
 * How long a snapshot waits after the last create that joined it before it is sent, in ms (a
 * debounce: the creates of a run reach the host over some tens of milliseconds)...
 */
export const COALESCE_MS = 25;
/** ...and at most this long after the first one asked for it. */
export const MAX_COALESCE_MS = 250;

/** The ids at a location before a create, or why they could not be read. */
export type CreateSnapshot =
  | { readonly ok: true; readonly ids: ReadonlySet<number> }
  | {
      readonly ok: false;
      readonly error: string;
      /**
       * Set when the answer says the base URL is not the Nexudus API (a routing 404, an HTML page,
       * a body that is not the search envelope): what was answered, in a few words. A create
       * must not send its POST there.
       */
      readonly notTheApi?: string;
    };

/** The longest answer detail quoted by {@link notTheApi}. */
const MAX_DETAIL = 160;

/**
 * What a failed search answered, in a few words, when that answer says the base URL is not the
 * Nexudus API; undefined for a failure that does not (a timeout, a reset, a 5xx, a 401...).
 */
export function notTheApi(e: unknown): string | undefined {
  // Only the search's own answer says so: a failed token exchange (POST /api/token) before it
  // keeps its own error, which names that request.
  if (!(e instanceof NexudusResponseError || e instanceof NexudusRoutingError)) return undefined;
  if (e.method !== "GET" || !e.path.startsWith(WEBHOOKS)) return undefined;
  if (e instanceof NexudusRoutingError) {
    return `HTTP 404 for the route itself (${e.why})`;
  }
  if (e instanceof NexudusResponseError && e.status !== undefined && e.status < 500) {
    const detail =
      e.problem.length > MAX_DETAIL ? `${e.problem.slice(0, MAX_DETAIL - 1)}…` : e.problem;
    return `HTTP ${e.status} that is not the WebHook search answer (${detail})`;
  }
  return undefined;
}

interface Pending {
  sent: boolean;
  /** When the last create joined (ms, `Date.now()`). */
  lastJoin: number;
  readonly snapshot: Promise<CreateSnapshot>;
}

/** Counters, for tests and the benchmark. */
export interface CreateGuardStats {
  /** Snapshots asked for (one search each, more pages only past 1,000 rows). */
  snapshots: number;
  /** Creates that joined a snapshot another create asked for. */
  joined: number;
}

type GuardClient = Pick<NexudusClient, "searchAll">;

/**
 * One account's create guard: the snapshot being gathered at each location, and its counters.
 * It lives in the account's context (`provider/context.ts`); a test makes its own.
 */
export class CreateGuard {
  readonly pending = new Map<number, Pending>();
  stats: CreateGuardStats = { snapshots: 0, joined: 0 };
  constructor(readonly client: GuardClient) {}

  /** A copy of the counters. */
  counters(): CreateGuardStats {
    return { ...this.stats };
  }
}

/** The snapshot a create starting now may rely on (shared with the creates starting with it). */
export function snapshotBeforeCreate(
  guard: CreateGuard,
  businessId: number,
): Promise<CreateSnapshot> {
  const s = guard;
  const client = guard.client;
  const byLocation = guard.pending;
  const open = byLocation.get(businessId);
  if (open && !open.sent) {
    s.stats.joined++;
    open.lastJoin = Date.now();
    return open.snapshot;
  }
  s.stats.snapshots++;
  const opened = Date.now();
  const entry: { sent: boolean; lastJoin: number; snapshot?: Promise<CreateSnapshot> } = {
    sent: false,
    lastJoin: opened,
  };
  entry.snapshot = coalesce(entry, opened)
    .then(() => client.searchAll({ businessId }, { beforeSend: () => (entry.sent = true) }))
    .then(
      (rows): CreateSnapshot => ({
        ok: true,
        ids: new Set(rows.filter((r) => r.BusinessId === businessId).map((r) => r.Id)),
      }),
      (e): CreateSnapshot => {
        const why = notTheApi(e);
        return {
          ok: false,
          error: errorMessage(e),
          ...(why !== undefined ? { notTheApi: why } : {}),
        };
      },
    )
    .finally(() => {
      entry.sent = true;
      if (byLocation.get(businessId) === entry) byLocation.delete(businessId);
    });
  byLocation.set(businessId, entry as Pending);
  return entry.snapshot;
}

/** Resolves once no create joined for {@link COALESCE_MS}, or {@link MAX_COALESCE_MS} passed. */
async function coalesce(entry: { lastJoin: number }, opened: number): Promise<void> {
  for (;;) {
    const now = Date.now();
    const wait = Math.min(entry.lastJoin + COALESCE_MS, opened + MAX_COALESCE_MS) - now;
    if (wait <= 0) return;
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** What {@link findOwnCreate} concluded. */
export type OwnCreate =
  { readonly found: true; readonly id: number } | { readonly found: false; readonly why: string };

/**
 * After a POST sent at `startedAt` failed without a definite answer, the record it made, if any:
 * at the location, same action, URL and Name (server-normalised forms count), and not in the
 * snapshot. Looks `attempts` times, `waitMs` apart, since a slow server may commit late.
 */
export async function findOwnCreate(
  client: GuardClient,
  inputs: WebhookInputs,
  snapshot: CreateSnapshot,
  waitMs: number,
  attempts = 3,
): Promise<OwnCreate> {
  if (!snapshot.ok) {
    return {
      found: false,
      why:
        `the records at the location could not be listed before the create (${snapshot.error}), ` +
        `so a matching record could not be told apart from one that existed before; none was taken`,
    };
  }
  let lastError = "";
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, waitMs));
    let rows;
    try {
      rows = await client.searchAll({ businessId: inputs.businessId, action: inputs.action });
    } catch (e) {
      lastError = errorMessage(e);
      continue;
    }
    const candidates = rows.filter(
      (r) =>
        r.BusinessId === inputs.businessId &&
        r.Action === inputs.action &&
        !snapshot.ids.has(r.Id) &&
        sameUrl(r.URL, inputs.url) &&
        sameName(r.Name, inputs.name),
    );
    // Several new identical records (several creates lost their answers at once): the newest.
    if (candidates.length > 0) {
      return { found: true, id: [...candidates].sort((a, b) => b.Id - a.Id)[0]!.Id };
    }
  }
  return {
    found: false,
    why: lastError
      ? `the location could not be searched for it (${lastError})`
      : "no such record appeared when looked for",
  };
}
