/**
 * Webhook deliveries: what Nexudus POSTs to a webhook's URL when its action fires, and the
 * bookkeeping of the outcome on the record.
 *
 * - The body is a JSON array with one record (the given payload, or a made-up record of the entity).
 * - `X-Nexudus-Hook-Signature` is HMAC-SHA256 of the exact body with the shared secret, uppercase
 *   hex, sent only when a shared secret is set.
 * - A 2xx answer: `LastTrigger` = now, `ErrorCount` = 0; `LastError` is kept as history.
 * - Anything else (non-2xx, network error, timeout): `ErrorCount` + 1, `LastError` = `HTTP <status>`
 *   or the error message; `LastTrigger` unchanged. At 10 consecutive failures `Active` becomes false.
 * - One attempt per fire (the service's own retries are not emulated). `UpdatedOn` does not change.
 */
import { createHmac, randomInt, randomUUID } from "node:crypto";
import { actionName } from "../client/actions";
import type { WebhookStore } from "./store";
import { nowIso } from "./store";
import { MAX_CONSECUTIVE_FAILURES, type DeliveryResult, type WebhookRecord } from "./types";

/** HMAC-SHA256 of `body` with `secret`, as uppercase hex (the `X-Nexudus-Hook-Signature` value). */
export function signPayload(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("hex").toUpperCase();
}

/** A made-up record of the entity an action is about, for a fire without a payload. */
export function madeUpPayload(businessId: number, action: number): Record<string, unknown> {
  const now = nowIso();
  return {
    Id: randomInt(1, 2 ** 31 - 1),
    UniqueId: randomUUID(),
    BusinessId: businessId,
    Action: actionName(action) ?? action,
    CreatedOn: now,
    UpdatedOn: now,
    IsNew: true,
    SystemId: null,
  };
}

/** The body of a delivery: a JSON array with one record (an array payload is sent as it is). */
export function deliveryBody(businessId: number, action: number, payload: unknown): string {
  const records = Array.isArray(payload)
    ? payload
    : [payload === undefined ? madeUpPayload(businessId, action) : payload];
  return JSON.stringify(records);
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The most telling message of a fetch failure (duck-typed: errors may come from another realm). */
function errorMessage(e: unknown): string {
  if (typeof e !== "object" || e === null) return String(e);
  const err = e as ErrorLike;
  if (err.name === "TimeoutError" || err.name === "AbortError") return "Timeout";
  const cause = err.cause as ErrorLike | undefined;
  if (typeof cause === "object" && cause !== null) {
    if (typeof cause.message === "string" && cause.message !== "") return cause.message;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return typeof err.message === "string" && err.message !== "" ? err.message : String(e);
}

async function deliverOne(
  record: WebhookRecord,
  body: string,
  opts: { sharedSecret?: string; timeoutMs: number },
): Promise<DeliveryResult> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": "Nexudus-Emulator-WebHook/1.0",
  };
  let signature: string | undefined;
  if (opts.sharedSecret !== undefined) {
    signature = signPayload(body, opts.sharedSecret);
    headers["X-Nexudus-Hook-Signature"] = signature;
  }
  const base = { webhookId: record.Id, url: record.URL, ...(signature ? { signature } : {}) };
  try {
    const res = await fetch(record.URL, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ...base, ok: true, status: res.status };
    return { ...base, ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    return { ...base, ok: false, error: errorMessage(e) };
  }
}

/** Records a delivery's outcome on its webhook (no-op when the record is gone). */
export function recordOutcome(store: WebhookStore, result: DeliveryResult): void {
  const current = store.get(result.webhookId);
  if (!current) return;
  if (result.ok) {
    store.updateDeliveryState(current.Id, {
      LastTrigger: nowIso(),
      ErrorCount: 0,
      LastError: current.LastError,
      Active: current.Active,
    });
    return;
  }
  const errorCount = current.ErrorCount + 1;
  store.updateDeliveryState(current.Id, {
    LastTrigger: current.LastTrigger,
    ErrorCount: errorCount,
    LastError: result.error ?? "delivery failed",
    Active: errorCount >= MAX_CONSECUTIVE_FAILURES ? false : current.Active,
  });
}

/**
 * Delivers an event of `action` in location `businessId` to every active webhook for it (in
 * parallel), records each outcome and returns the results in Id order.
 */
export async function fire(
  store: WebhookStore,
  businessId: number,
  action: number,
  payload: unknown,
  opts: { sharedSecret?: string; timeoutMs: number },
): Promise<DeliveryResult[]> {
  const targets = store
    .all()
    .filter((r) => r.Active && r.BusinessId === businessId && r.Action === action);
  const body = deliveryBody(businessId, action, payload);
  return Promise.all(
    targets.map(async (record) => {
      const result = await deliverOne(record, body, opts);
      recordOutcome(store, result);
      return result;
    }),
  );
}
