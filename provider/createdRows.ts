/**
 * The outputs of new records without one GET each: the creates at a location share one search
 * page (the location's first 1,000 rows), read once the location's POSTs in flight are over.
 * A row carries every field of a record but `Description`, which the create itself just wrote.
 * A create whose row is not on the page (a location of more than 1,000 webhooks), or whose page
 * failed, makes the GET as before.
 *
 * A create takes a ticket before its POST (queued in the rate limiter or sent) and reports when
 * the POST is over; the location's page is read when no POST of that location is in flight any
 * more, or {@link MAX_BATCH_WAIT_MS} (× time factor) after the first create began waiting for it,
 * whichever comes first. A WebhookSet's hooks, created together, so cost one search, not ten GETs:
 * 3,000 new webhooks at 300 locations take 3,300 calls instead of 6,000, under the 5,000 an hour.
 *
 * The state ({@link CreatedRows}) is one account's, in its context (`provider/context.ts`).
 *
 * @module
 */
import type { NexudusClient } from "../client/client";
import { MAX_PAGE_SIZE, type WebhookRecord, type WebhookSummary } from "../client/types";

/** The longest a create waits for its location's page, in ms before the time factor. */
export const MAX_BATCH_WAIT_MS = 10_000;

type RowsClient = Pick<NexudusClient, "searchPage" | "get" | "timeFactor">;

interface Batch {
  /** Resolves with the page's rows by id (undefined when the search failed). */
  readonly rows: Promise<Map<number, WebhookSummary> | undefined>;
  readonly fire: () => void;
}

interface Location {
  /** Creates of this location whose POST is not over yet. */
  inFlight: number;
  /** The batch that the next waiting create joins (not fired yet). */
  open?: Batch;
  timer?: ReturnType<typeof setTimeout>;
}

/** How the outputs of new records were read. */
export interface CreatedRowsStats {
  /** Search pages read for new records. */
  searches: number;
  /** New records whose outputs came from a row. */
  served: number;
  /** New records read with a GET (no row, or no page). */
  fallbacks: number;
}

/**
 * One account's created rows: the batch of each location, what was learnt about how the server
 * stores descriptions, and the counters. It lives in the account's context; a test makes its own.
 */
export class CreatedRows {
  readonly locations = new Map<number, Location>();
  stats: CreatedRowsStats = { searches: 0, served: 0, fallbacks: 0 };
  readonly trust: DescriptionTrust = { trustedLength: 0 };
  constructor(readonly client: RowsClient) {}

  /** A copy of the counters. */
  counters(): CreatedRowsStats {
    return { ...this.stats };
  }
}

function location(rows: CreatedRows, businessId: number): Location {
  let loc = rows.locations.get(businessId);
  if (!loc) {
    loc = { inFlight: 0 };
    rows.locations.set(businessId, loc);
  }
  return loc;
}

function newBatch(state: CreatedRows, businessId: number, loc: Location): Batch {
  const client = state.client;
  let fire!: () => void;
  const started = new Promise<void>((resolve) => (fire = resolve));
  const rows = started.then(async () => {
    if (loc.open === batch) loc.open = undefined;
    if (loc.timer) clearTimeout(loc.timer);
    loc.timer = undefined;
    state.stats.searches++;
    try {
      const page = await client.searchPage({ businessId, page: 1, size: MAX_PAGE_SIZE });
      return new Map(page.Records.map((r) => [r.Id, r]));
    } catch {
      return undefined;
    }
  });
  const batch: Batch = { rows, fire };
  return batch;
}

/** One create's claim on its location's shared page. */
export interface CreateTicket {
  /** The POST is over (answered, failed, or looked for): call exactly once, before {@link record}. */
  posted(): void;
  /**
   * The new record `id`: its row with `description` filled in, or a GET where the page cannot
   * tell. Throws what the GET throws.
   */
  record(id: number, description: string | null): Promise<WebhookRecord>;
}

/** Takes a ticket for a create at `businessId`, before its POST. */
export function expectCreate(state: CreatedRows, businessId: number): CreateTicket {
  const client = state.client;
  const loc = location(state, businessId);
  loc.inFlight++;
  let posted = false;
  return {
    posted() {
      if (posted) return;
      posted = true;
      loc.inFlight--;
      // The last POST of the location: read the page once the callers waiting now have joined.
      const open = loc.open;
      if (loc.inFlight === 0 && open) setImmediate(() => open.fire());
    },
    async record(id, description) {
      if (!loc.open) {
        loc.open = newBatch(state, businessId, loc);
        const open = loc.open;
        loc.timer = setTimeout(open.fire, MAX_BATCH_WAIT_MS * client.timeFactor);
        loc.timer.unref?.();
        if (loc.inFlight === 0) setImmediate(() => open.fire());
      }
      const rows = await loc.open.rows;
      const row = rows?.get(id);
      const stats = state.stats;
      if (row && row.BusinessId === businessId) {
        stats.served++;
        return { ...row, Description: description };
      }
      stats.fallbacks++;
      return client.get(id);
    },
  };
}

/**
 * Search rows carry no `Description`, and a server may keep a declared one in another form (cut,
 * trimmed). A create whose description is longer than any this host has seen stored unchanged
 * reads its record back (GET); once one is seen stored as sent, descriptions up to its length
 * are trusted and take the row. On a server that changes descriptions, every create with a
 * description keeps its GET, so state always holds what the server kept.
 */
interface DescriptionTrust {
  /** The longest description seen stored exactly as sent. */
  trustedLength: number;
  /** A read-back in flight, and the length it would vouch for. */
  probe?: { length: number; done: Promise<void> };
}

/**
 * The record of a new webhook with a declared `description`: from the row when descriptions of
 * that length are known to be stored as sent, else (and to learn it) from a GET.
 */
export async function recordWithDescription(
  state: CreatedRows,
  id: number,
  description: string,
  fromRow: () => Promise<WebhookRecord>,
): Promise<WebhookRecord> {
  const client = state.client;
  const t = state.trust;
  // At most two waits for another create's read-back: then read our own.
  for (let i = 0; i < 2 && description === description.trim(); i++) {
    if (description.length <= t.trustedLength) return fromRow();
    if (!t.probe || description.length > t.probe.length) break;
    await t.probe.done;
  }
  let finish!: () => void;
  const probe = { length: description.length, done: new Promise<void>((r) => (finish = r)) };
  if (!t.probe || probe.length > t.probe.length) t.probe = probe;
  try {
    const record = await client.get(id);
    if (record.Description === description) {
      t.trustedLength = Math.max(t.trustedLength, description.length);
    }
    return record;
  } finally {
    if (t.probe === probe) t.probe = undefined;
    finish();
  }
}
