/**
 * The WebHook dynamic provider's implementation. The serialized `__provider` in state is a thin
 * shim (see `sdk/webhook.ts`) that loads this module by name and forwards each call here, so the
 * code, the client and its credentials never travel in state.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
  errorMessage,
  NexudusApiError,
  NexudusError,
  NexudusNotFoundError,
} from "../client/errors";
import {
  applyInputs,
  createBody,
  checkWebhookInputs,
  computedOutputs,
  diffWebhook,
  formsAfterWrite,
  inputsFromOutputs,
  withoutDerived,
  learnServerForms,
  outputsFromRecord,
  plainHttpWarning,
  PROVIDER_KEY,
  recordMatches,
  sameUrl,
  serverFormsOf,
  valueDigest,
  type ServerForms,
  type WebhookInputs,
  type WebhookOutputs,
} from "./inputs";
import { configure, currentContext, getClient, warn, type ConfigGetter } from "./runtime";
import type { WebhookRecord, WebhookSummary } from "../client/types";
import type { NexudusClient } from "../client/client";
import { cachedRecord } from "./readCache";
import { expectCreate, recordWithDescription } from "./createdRows";
import { findOwnCreate, snapshotBeforeCreate } from "./createGuard";
import { registerUrlSecret } from "../client/redact";
import { DEFAULT_BASE_URL, settingLabel } from "../config/settings";

/** An error that tells the engine the webhook exists (id + properties) although the step failed. */
export class WebhookPartialError extends NexudusError {
  override readonly name = "WebhookPartialError";
  readonly reasons: string[];
  readonly properties: Record<string, unknown>;
  /**
   * @param properties the outputs to record; `provider` is the `__provider` of the inputs, which
   * the host does not add to an error's properties itself (without it, a later read or delete of
   * the half-created resource could not load the provider).
   */
  constructor(
    message: string,
    readonly id: string,
    properties: object,
    provider: unknown,
  ) {
    super(message);
    this.reasons = [message];
    this.properties = { ...properties, [PROVIDER_KEY]: provider };
  }
}

/** A provider step failed; the message says which webhook and what to do. */
export class WebhookOperationError extends NexudusError {
  override readonly name = "WebhookOperationError";
}

/** Parses a resource id as stored in state into the Nexudus record id. */
export function parseWebhookId(id: string): number {
  const n = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(n) || n < 1) {
    throw new WebhookOperationError(
      `id ${JSON.stringify(id)} is not a Nexudus webhook id (a positive integer)`,
    );
  }
  return n;
}

/** Re-validates inputs as `check` does; throws (before any write) when they are bad. */
function validInputs(news: Record<string, unknown>): WebhookInputs {
  // The URL (and the description) may be secret (the provider cannot tell): keep them out of
  // every message from now on, including text the API quotes back.
  registerUrlSecret(news.url);
  registerUrlSecret(news.description);
  const { inputs, failures } = checkWebhookInputs(withoutDerived(news));
  if (failures.length > 0) {
    throw new WebhookOperationError(
      `invalid WebHook inputs: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`,
    );
  }
  // No failure: every field is present with its type (check fills in the defaults).
  return inputs as WebhookInputs;
}

/**
 * The contract the engine holds this provider to. The inputs are the raw property map the engine
 * sends (anything, including the preview's unknown marker): `check` validates it and the writes
 * validate it again. The state's computed part is optional because the contract types the
 * inputs `read` hands back as outputs too; each method keeps its exact type for its callers.
 */
type WebhookContract = dynamic.ResourceProvider<
  Record<string, unknown>,
  WebhookInputs & Partial<WebhookOutputs>
>;

/** What `read` answers: the outputs, and the managed inputs as they stand on the server. */
type WebhookReadResult = Omit<dynamic.ReadResult<WebhookOutputs>, "inputs"> & {
  readonly inputs?: WebhookInputs;
};

/** Every record of a location with an action, filtered again on our side (filters may "contain"). */
async function recordsAt(
  client: NexudusClient,
  businessId: number,
  action: number,
): Promise<WebhookSummary[]> {
  const rows = await client.searchAll({ businessId, action });
  return rows.filter((row) => row.BusinessId === businessId && row.Action === action);
}

/**
 * How long to wait before looking again for the effect of a write, sent at `startedAt`, that
 * failed without a definite answer: as long as the failed call ran (at most the per-request
 * timeout), since a server that was still working on it when the client gave up may commit about
 * that much later; a fixed short wait would let a create that timed out commit after the last
 * look (an orphan record, and a duplicate on the next `up`). A fast failure (a reset) still waits
 * only `client.lookAgainMs`.
 */
function lookAgainMs(client: NexudusClient, startedAt: number): number {
  return Math.max(client.lookAgainMs, Math.min(Date.now() - startedAt, client.timeoutMs));
}

/**
 * After a PUT or DELETE sent at `startedAt` that failed without a definite answer
 * (`mayHaveCommitted`), whether its effect shows: looks at once and, if not, once more after
 * {@link lookAgainMs}. A failed look counts as "not seen" (the caller reports the original error).
 */
async function effectSeen(
  client: NexudusClient,
  startedAt: number,
  seen: () => Promise<boolean>,
): Promise<boolean> {
  const waitMs = lookAgainMs(client, startedAt);
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, waitMs));
    try {
      if (await seen()) return true;
    } catch {
      // could not look: not seen
    }
  }
  return false;
}

/**
 * Outputs for a record we just wrote. When the PUT answer carries the new `UpdatedOn`, without
 * another GET: the outputs hold what was sent, and a server that stored another form of a value
 * (a trimmed Name...) is recognised by the next read, since the record's `UpdatedOn` is still
 * ours (see `learnServerForms`). Without it, the record is read back, so that the state holds what
 * the server stored and never loops on an update.
 */
async function outputsAfterPut(
  client: NexudusClient,
  record: WebhookRecord,
  body: Record<string, unknown>,
  inputs: WebhookInputs,
  answer: { updatedOn?: string | null; updatedBy?: string | null },
  forms: ServerForms,
): Promise<WebhookOutputs> {
  if (!answer.updatedOn) {
    const stored = await client.get(record.Id);
    return outputsFromRecord(stored, inputs.adopt, {
      ...keptForms(forms, inputs),
      ...formsAfterWrite(inputs, stored),
    });
  }
  const merged = {
    ...record,
    ...body,
    UpdatedOn: answer.updatedOn,
    UpdatedBy: answer.updatedBy ?? record.UpdatedBy,
  } as WebhookRecord;
  return outputsFromRecord(merged, inputs.adopt, keptForms(forms, inputs));
}

/** The known server forms that still apply to the declared values. */
function keptForms(forms: ServerForms, inputs: WebhookInputs): ServerForms {
  const out: ServerForms = {};
  for (const [key, f] of Object.entries(forms) as [keyof ServerForms, ServerForms["name"]][]) {
    if (f && f.declared === valueDigest(key, inputs[key])) out[key] = f;
  }
  return out;
}

/** Takes over the one record at the location with the same action and URL, if there is one. */
async function adoptExisting(
  client: NexudusClient,
  inputs: WebhookInputs,
  provider: unknown,
): Promise<dynamic.CreateResult<WebhookOutputs> | undefined> {
  // Adopt takes a record that exists (the opposite of a create, see createGuard.ts), matched by
  // action and URL as the server may have normalised it.
  const matches = (await recordsAt(client, inputs.businessId, inputs.action)).filter((r) =>
    sameUrl(r.URL, inputs.url),
  );
  if (matches.length === 0) return undefined;
  if (matches.length > 1) {
    throw new WebhookOperationError(
      `adopt: ${matches.length} webhooks at location ${inputs.businessId} already have action ${inputs.action} ` +
        `and this URL (ids ${matches.map((m) => m.Id).join(", ")}); delete all but one in Nexudus, ` +
        `or set adopt: false to create a new one`,
    );
  }
  const id = matches[0]!.Id;
  const record = await client.get(id);
  if (recordMatches(record, inputs)) {
    return { id: String(id), outs: outputsFromRecord(record, inputs.adopt) };
  }
  const body = applyInputs(record, inputs);
  try {
    const answer = await client.update(body as Parameters<NexudusClient["update"]>[0]);
    return {
      id: String(id),
      outs: await outputsAfterPut(client, record, body, inputs, answer, {}),
    };
  } catch (e) {
    // The record is ours now either way: record it so that the next `up` retries the update.
    throw new WebhookPartialError(
      `adopted webhook ${id} but could not apply the declared values: ${errorMessage(e)}`,
      String(id),
      outputsFromRecord(record, inputs.adopt),
      provider,
    );
  }
}

/** The WebHook provider: the methods the engine calls, through the shim in state. */
export const webhookProvider = {
  async configure(req: { config: ConfigGetter }): Promise<void> {
    configure(req.config);
  },

  async check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.CheckResult> {
    const result = checkWebhookInputs(news);
    const warning = result.failures.length === 0 ? plainHttpWarning(news.url) : undefined;
    if (warning !== undefined) {
      // A warning, not a failure: the engine shows it and the step goes on.
      await warn(`WebHook ${JSON.stringify(news.name)}: ${warning}`);
    }
    return result;
  },

  async diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.DiffResult> {
    const { changes, replaces, deleteBeforeReplace } = diffWebhook(olds, news);
    return { changes, replaces, deleteBeforeReplace };
  },

  async create(news: Record<string, unknown>): Promise<dynamic.CreateResult<WebhookOutputs>> {
    const inputs = validInputs(news);
    const account = currentContext();
    const client = account.client;
    if (inputs.adopt) {
      const adopted = await adoptExisting(client, inputs, news[PROVIDER_KEY]);
      if (adopted) return adopted;
    }
    // Which records existed when this create started: after a failure without a definite
    // answer, only a record outside this snapshot may be taken as ours (createGuard.ts).
    const snapshot = await snapshotBeforeCreate(account.guard, inputs.businessId);
    if (!snapshot.ok && snapshot.notTheApi !== undefined) {
      // The search was answered by something that is not the Nexudus API: a POST there would
      // be a write to a wrong address (and its failure would read as a lost create).
      throw new WebhookOperationError(
        `creating webhook ${JSON.stringify(inputs.name)} at location ${inputs.businessId}: the ` +
          `search before the create got ${snapshot.notTheApi} from ${client.baseUrl}, which is ` +
          `not the Nexudus API; nothing was written. Fix ${settingLabel("baseUrl")}: ` +
          `the site root, e.g. ${DEFAULT_BASE_URL}.`,
      );
    }
    const startedAt = Date.now();
    // The outputs come from a search page shared by the location's creates (createdRows.ts).
    const ticket = expectCreate(account.rows, inputs.businessId);
    let id: number;
    try {
      id = (await client.create(createBody(inputs))).id;
    } catch (e) {
      if (!(e instanceof NexudusApiError) || !e.mayHaveCommitted) throw e;
      const own = await findOwnCreate(client, inputs, snapshot, lookAgainMs(client, startedAt));
      if (!own.found) {
        throw new WebhookOperationError(
          `creating webhook ${JSON.stringify(inputs.name)} at location ${inputs.businessId} failed without a ` +
            `definite answer (${errorMessage(e)}), and ${own.why}; nothing was recorded. ` +
            `Run the update again; if a duplicate shows up in Nexudus later, declare the webhook with adopt: true.`,
        );
      }
      id = own.id;
    } finally {
      ticket.posted();
    }
    try {
      // Search rows carry no Description: see recordWithDescription for when the row will do.
      const description = inputs.description;
      const record = description
        ? await recordWithDescription(account.rows, id, description, () =>
            ticket.record(id, description),
          )
        : await ticket.record(id, null);
      return {
        id: String(id),
        outs: outputsFromRecord(record, inputs.adopt, formsAfterWrite(inputs, record)),
      };
    } catch (e) {
      // The webhook exists: hand the engine its id so it is recorded, not leaked.
      const partial: WebhookOutputs = { ...inputs, ...computedOutputs({ Id: id }) };
      throw new WebhookPartialError(
        `created webhook ${id} but could not read it back: ${errorMessage(e)}; it is recorded in state, ` +
          `and \`pulumi refresh\` or the next \`pulumi up\` completes it`,
        String(id),
        partial,
        news[PROVIDER_KEY],
      );
    }
  },

  async read(id: string, props: Record<string, unknown> = {}): Promise<WebhookReadResult> {
    const webhookId = parseWebhookId(id);
    registerUrlSecret(props.url);
    const account = currentContext();
    const client = account.client;
    // `account` (default) and `search` modes: served from search pages shared by the host's reads
    // (the account's, or one per location) when the row shows the record unchanged since the
    // state was written (see readCache.ts).
    const mode = account.refreshMode;
    let record: WebhookRecord | undefined =
      mode === "get"
        ? undefined
        : await cachedRecord(
            account.reads,
            webhookId,
            props,
            Date.now(),
            mode === "account" ? "account" : "location",
          );
    if (!record) {
      try {
        record = await client.get(webhookId);
      } catch (e) {
        if (e instanceof NexudusNotFoundError) return {}; // deleted out of band: drop it from state
        throw e;
      }
    }
    // State holds what the server stored; a declared value it stores in another form is
    // remembered (serverForms), so the next diff sees no change and no update loops.
    const outs = outputsFromRecord(record, props.adopt === true, learnServerForms(props, record));
    return { id, props: outs, inputs: inputsFromOutputs(outs) };
  },

  async update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<dynamic.UpdateResult<WebhookOutputs>> {
    const webhookId = parseWebhookId(id);
    const inputs = validInputs(news);
    const forms = serverFormsOf(olds ?? {});
    const client = getClient();
    let record: WebhookRecord;
    try {
      record = await client.get(webhookId);
    } catch (e) {
      if (e instanceof NexudusNotFoundError) {
        throw new WebhookOperationError(
          `webhook ${webhookId} no longer exists in Nexudus; run \`pulumi refresh\` to drop it from state, ` +
            `then \`pulumi up\` creates it again`,
        );
      }
      throw e;
    }
    if (recordMatches(record, inputs, forms)) {
      return { outs: outputsFromRecord(record, inputs.adopt, keptForms(forms, inputs)) };
    }
    const body = applyInputs(record, inputs);
    const startedAt = Date.now();
    try {
      const answer = await client.update(body as Parameters<NexudusClient["update"]>[0]);
      return { outs: await outputsAfterPut(client, record, body, inputs, answer, forms) };
    } catch (e) {
      // No definite answer: the PUT may have been applied. If the record now carries the
      // declared values, it was: report success rather than an error for a done update.
      if (!(e instanceof NexudusApiError) || !e.mayHaveCommitted) throw e;
      let applied: WebhookRecord | undefined;
      const seen = await effectSeen(client, startedAt, async () => {
        const now = await client.get(webhookId);
        if (recordMatches(now, inputs, forms)) applied = now;
        return applied !== undefined;
      });
      if (seen && applied) {
        return {
          outs: outputsFromRecord(applied, inputs.adopt, {
            ...keptForms(forms, inputs),
            ...formsAfterWrite(inputs, applied),
          }),
        };
      }
      throw e;
    }
  },

  async delete(id: string, props: Record<string, unknown> = {}): Promise<void> {
    const webhookId = parseWebhookId(id);
    registerUrlSecret(props.url);
    const client = getClient();
    const startedAt = Date.now();
    try {
      await client.delete(webhookId);
    } catch (e) {
      if (e instanceof NexudusNotFoundError) return; // already gone
      // No definite answer: the DELETE may have been applied. If the record is gone, it was (a
      // failed step here would leave in state a webhook that no longer exists).
      if (e instanceof NexudusApiError && e.mayHaveCommitted) {
        const gone = await effectSeen(client, startedAt, async () => {
          try {
            await client.get(webhookId);
            return false;
          } catch (lookError) {
            if (lookError instanceof NexudusNotFoundError) return true;
            throw lookError;
          }
        });
        if (gone) return;
      }
      throw e;
    }
  },
} satisfies WebhookContract;
