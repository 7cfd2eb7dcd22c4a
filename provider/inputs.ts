/**
 * Pure logic of the WebHook resource: input validation and normalisation (`check`), the diff,
 * and the mapping from an API record to the resource's outputs. No I/O here: the provider
 * methods in `webhook.ts` only orchestrate these and the client. Over 500 lines because the
 * validation rules, the diff and the record mapping share one set of normalisations (URL, name,
 * action, server forms): split, each part would import the others' internals.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  actionName,
  actionNumber,
  MAX_ACTION,
  MIN_ACTION,
  NONE_ACTION,
  suggestAction,
} from "../client/actions";
import type { WebhookRecord } from "../client/types";
import { isLoopbackHost } from "../client/options";

/**
 * The value the engine sends, whatever the type, for an input not known yet during preview: the
 * SDK's `pulumi.runtime.unknownValue` (a unit test holds them equal), written out so that the
 * provider loads without the SDK's runtime. Everything else here and in the tests imports it.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The key under which Pulumi stores the serialized provider in inputs and outputs. */
export const PROVIDER_KEY = "__provider";

/** A check failure, as the dynamic provider contract defines it. */
export interface CheckFailure {
  readonly property: string;
  readonly reason: string;
}

/**
 * Inputs of a WebHook after `check`: every field present, `action` as its number. A type alias
 * (not an interface) so that it is a property map (`Record<string, unknown>`), as the dynamic
 * provider contract hands it around.
 */
export type WebhookInputs = {
  /** The location id. */
  businessId: number;
  /** The display name. */
  name: string;
  /** The action number. */
  action: number;
  /** The target URL (secret when given as a secret). */
  url: string;
  /** The description, or null. */
  description: string | null;
  /** Whether the webhook fires. */
  active: boolean;
  /** Whether the webhook was declared with `adopt`. */
  adopt: boolean;
};

/** The fields of an API record the computed outputs are read from (only `Id` is always known). */
type RecordFields = Pick<WebhookRecord, "Id"> & Partial<WebhookRecord>;

/**
 * The one list of a WebHook's outputs beyond its inputs, each with how it is read from an API
 * record. The outputs type, `outputsFromRecord`, the SDK class's output properties and the keys
 * its constructor registers all derive from it, so an output is added in this one place.
 */
const COMPUTED_OUTPUTS = {
  /** The Nexudus record id. */
  webhookId: (r: RecordFields): number => r.Id,
  /** The record's UUID. */
  uniqueId: (r: RecordFields): string | null => r.UniqueId ?? null,
  /** The action name, e.g. `"BookingCreate"`. */
  actionName: (r: RecordFields): string | null =>
    (r.Action === undefined ? undefined : actionName(r.Action)) ?? null,
  /** Error of the last failed delivery, or null (secret, since it may quote the URL). */
  lastError: (r: RecordFields): string | null => r.LastError ?? null,
  /** Consecutive failed deliveries. */
  errorCount: (r: RecordFields): number => r.ErrorCount ?? 0,
  /** When the webhook last fired successfully (ISO 8601), or null. */
  lastTrigger: (r: RecordFields): string | null => r.LastTrigger ?? null,
  /** When the record was created (ISO 8601). */
  createdOn: (r: RecordFields): string | null => r.CreatedOn ?? null,
  /** When the record was last updated (ISO 8601). */
  updatedOn: (r: RecordFields): string | null => r.UpdatedOn ?? null,
  /** Who last updated the record. */
  updatedBy: (r: RecordFields): string | null => r.UpdatedBy ?? null,
};

/** The outputs a WebHook has beyond its inputs (see {@link COMPUTED_OUTPUTS}). */
export type WebhookComputed = {
  [K in keyof typeof COMPUTED_OUTPUTS]: ReturnType<(typeof COMPUTED_OUTPUTS)[K]>;
};

/** The keys of {@link WebhookComputed}, in state order. */
export const COMPUTED_OUTPUT_KEYS = Object.keys(COMPUTED_OUTPUTS) as (keyof WebhookComputed)[];

/** The outputs a WebHook program sees: its inputs as stored, and the computed fields. */
export type WebhookPublicOutputs = WebhookInputs & WebhookComputed;

/** Outputs of a WebHook as stored in state (never `undefined`, dates as ISO strings or null). */
export type WebhookOutputs = WebhookPublicOutputs & {
  /**
   * Declared values the server stores in another form (a trimmed Name, a punycode host, a cut
   * Description), by field, as SHA-256 digests (a URL may be a secret). Absent when none. Kept in
   * state for `diff` only, so not an output of the SDK class.
   */
  serverForms?: ServerForms;
};

/** The computed outputs of a record, all of them (see {@link COMPUTED_OUTPUTS}). */
export function computedOutputs(record: RecordFields): WebhookComputed {
  const out: Partial<Record<keyof WebhookComputed, unknown>> = {};
  for (const key of COMPUTED_OUTPUT_KEYS) out[key] = COMPUTED_OUTPUTS[key](record);
  return out as WebhookComputed;
}

/** Inputs a user may give; anything else is refused by `check`. */
export const WEBHOOK_INPUT_KEYS = [
  "businessId",
  "name",
  "action",
  "url",
  "description",
  "active",
  "adopt",
] as const;

/** Inputs whose change is applied in place by `update`; `businessId` forces a replacement. */
export const UPDATABLE_KEYS = ["name", "action", "url", "description", "active"] as const;

/** Largest id the API's 32-bit integer fields hold. */
const MAX_INT32 = 2_147_483_647;

/** How a bad value reads in an error message: `the string "x"`, `number 5`, `an array`, ... */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the argument is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** Lower-case hex SHA-256 of a URL: names hooks apart and matches adoptable records without the URL. */
export function urlSha256(url: string): string {
  return createHash("sha256").update(url, "utf8").digest("hex");
}

/** The schema of a location id, built once (a check runs it for every resource of a run). */
let businessIdZod: z.ZodNumber | undefined;
function businessIdSchema(): z.ZodNumber {
  return (businessIdZod ??= z.number().int().min(1).max(MAX_INT32));
}

/** `businessId must be a positive integer` and friends, or undefined when the value is fine. */
export function businessIdProblem(value: unknown, property = "businessId"): string | undefined {
  const ok = businessIdSchema().safeParse(value).success;
  return ok
    ? undefined
    : `${property} must be a positive integer no greater than ${MAX_INT32} (the Nexudus location id); got ${describeValue(value)}`;
}

/** Normalises an action name or number to its number, or explains why it cannot. */
export function parseAction(
  value: unknown,
  property = "action",
): { ok: true; value: number } | { ok: false; reason: string } {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < MIN_ACTION || value > MAX_ACTION) {
      return {
        ok: false,
        reason: `${property} ${value} is not a Nexudus webhook action; numbers run from ${MIN_ACTION} to ${MAX_ACTION}`,
      };
    }
    if (value === NONE_ACTION) {
      return {
        ok: false,
        reason: `${property} None (1) fires for nothing; choose the event to react to`,
      };
    }
    return { ok: true, value };
  }
  if (typeof value === "string") {
    const n = actionNumber(value);
    if (n === NONE_ACTION) {
      return {
        ok: false,
        reason: `${property} None (1) fires for nothing; choose the event to react to`,
      };
    }
    if (n !== undefined) return { ok: true, value: n };
    const suggestion = suggestAction(value.trim());
    return {
      ok: false,
      reason:
        `${property} ${JSON.stringify(value)} is not a Nexudus webhook action` +
        (suggestion
          ? `; did you mean ${JSON.stringify(suggestion)}?`
          : "; see WebhookAction for the names"),
    };
  }
  return {
    ok: false,
    reason: `${property} must be a Nexudus webhook action name (e.g. "BookingCreate") or its number; got ${describeValue(value)}`,
  };
}

/**
 * A URL as quoted in a message: only its scheme and host (never a user or password), since the
 * path and query of a webhook URL often hold a credential (Slack, Zapier) and the provider cannot
 * tell whether the value was given as a secret. A value that is no `scheme://host...` is never
 * quoted at all: it may be a token pasted into the wrong argument.
 */
function shownUrl(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]*)([\s\S]*)$/i.exec(value);
  if (m) {
    const host = m[2]!.includes("@") ? `…@${m[2]!.slice(m[2]!.lastIndexOf("@") + 1)}` : m[2]!;
    return JSON.stringify(`${m[1]}${host}${m[3] ? "/…" : ""}`);
  }
  return `a string of ${value.length} character${value.length === 1 ? "" : "s"} (not quoted: it may be a secret)`;
}

/**
 * A URL in the form a server is seen to store it, for telling "the same URL" apart from "another
 * URL": only the authority is normalised (scheme and host in lower case, an IDN host as punycode,
 * the default port dropped) and an empty path is "/". The path, the query and the fragment are
 * kept exactly as given: `/path/` and `/path`, `/Path` and `/path`, `?a=1&b=2` and `?b=2&a=1`
 * may reach different handlers, so a near miss is another URL. A value that does not parse is
 * only trimmed.
 */
export function canonicalUrl(url: string): string {
  const value = url.trim();
  const m = /^([a-z][a-z0-9+.-]*:)\/\/([^/?#]*)([\s\S]*)$/i.exec(value);
  if (!m) return value;
  let parsed: URL;
  try {
    parsed = new URL(`${m[1]}//${m[2]}`);
  } catch {
    return value;
  }
  const userinfo = m[2]!.includes("@") ? `${m[2]!.slice(0, m[2]!.lastIndexOf("@") + 1)}` : "";
  const rest = m[3]!;
  const pathAndQuery =
    rest === "" || rest.startsWith("?") || rest.startsWith("#") ? `/${rest}` : rest;
  return `${parsed.protocol}//${userinfo}${parsed.host}${pathAndQuery}`;
}

/** Whether two URLs name the same target once normalised as a server may (see {@link canonicalUrl}). */
export function sameUrl(a: string, b: string): boolean {
  return a === b || canonicalUrl(a) === canonicalUrl(b);
}

/** A Name as a server may store it: trimmed, inner white space collapsed. */
export function sameName(a: string, b: string): boolean {
  return a === b || a.trim().replace(/\s+/g, " ") === b.trim().replace(/\s+/g, " ");
}

/** `url must be an absolute http(s) URL`, with the detail of what is wrong, or undefined. */
export function urlProblem(value: unknown, property = "url"): string | undefined {
  const rule = `${property} must be an absolute http(s) URL`;
  if (typeof value !== "string") return `${rule}; got ${describeValue(value)}`;
  if (value.length === 0) return `${rule}; got an empty string`;
  if (/\s/.test(value)) {
    const at = value.search(/\s/);
    return `${rule} without spaces or line breaks; got ${shownUrl(value)} (white space at character ${at + 1})`;
  }
  if (value.length > 2048) return `${rule} of at most 2048 characters; got ${value.length}`;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return `${rule}; got ${shownUrl(value)}`;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return `${rule}; got the scheme ${JSON.stringify(parsed.protocol.replace(/:$/, ""))}`;
  }
  if (!parsed.hostname) return `${rule} with a host name; got ${shownUrl(value)}`;
  return undefined;
}

/** A display name problem (`name must be a non-empty string`), or undefined. */
export function nameProblem(value: unknown, property = "name"): string | undefined {
  if (typeof value !== "string")
    return `${property} must be a non-empty string; got ${describeValue(value)}`;
  if (value.trim().length === 0) {
    return `${property} must be a non-empty string, not ${value.length === 0 ? "empty" : "only white space"}`;
  }
  if (value.length > 255) return `${property} must be at most 255 characters; got ${value.length}`;
  return undefined;
}

function optionalProblem(
  value: unknown,
  property: string,
  type: "string" | "boolean",
): string | undefined {
  if (value === undefined || value === null || typeof value === type) return undefined;
  return `${property} must be a ${type} when given; got ${describeValue(value)}`;
}

/**
 * The input `check` adds beside `action` (its name), so that a diff shows which action a number
 * is. Not an argument: `check` accepts it only when it names the action (the engine checks the
 * inputs `read` answers, which carry it); `create`/`update` drop it before validating (see
 * {@link withoutDerived}).
 */
export const DERIVED_ACTION_NAME = "actionName";

/** Checked inputs without the keys `check` derived, for validating them again. */
export function withoutDerived(inputs: Record<string, unknown>): Record<string, unknown> {
  const { [DERIVED_ACTION_NAME]: _derived, ...rest } = inputs;
  return rest;
}

/**
 * `check` for a WebHook: validates every argument and returns the normalised inputs (action as
 * its number, defaults filled in) plus one failure per bad property. Values not yet known in a
 * preview are passed through untouched. Makes no API call.
 */
export function checkWebhookInputs(news: Record<string, unknown>): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const failures: CheckFailure[] = [];
  const fail = (property: string, reason: string | undefined) => {
    if (reason) failures.push({ property, reason });
  };
  const known = (key: string) => news[key] !== UNKNOWN;
  const inputs: Record<string, unknown> = {};

  for (const key of Object.keys(news)) {
    if (key === PROVIDER_KEY || key === DERIVED_ACTION_NAME) continue;
    if (!(WEBHOOK_INPUT_KEYS as readonly string[]).includes(key)) {
      fail(
        key,
        `unknown argument ${JSON.stringify(key)}; a WebHook takes ${WEBHOOK_INPUT_KEYS.join(", ")}`,
      );
    }
  }

  inputs.businessId = news.businessId;
  if (known("businessId")) fail("businessId", businessIdProblem(news.businessId));

  inputs.name = news.name;
  if (known("name")) fail("name", nameProblem(news.name));

  inputs.action = news.action;
  if (known("action")) {
    const parsed = parseAction(news.action);
    if (parsed.ok) {
      inputs.action = parsed.value;
      // Derived, for the eye: `preview --diff` shows the stored inputs, where the action is a
      // number (`action: 50`); its name beside it says which. `diff` never compares it.
      const name = actionName(parsed.value);
      if (name !== undefined) inputs[DERIVED_ACTION_NAME] = name;
      // The engine checks the inputs `read` answered (pulumi import, refresh), which carry it;
      // a program that gives another one is told where it comes from.
      const given = news[DERIVED_ACTION_NAME];
      if (given !== undefined && given !== UNKNOWN && given !== name) {
        fail(
          DERIVED_ACTION_NAME,
          `${DERIVED_ACTION_NAME} is derived from action (${name ?? parsed.value}); leave it out; got ${describeValue(given)}`,
        );
      }
    } else fail("action", parsed.reason);
  }

  inputs.url = news.url;
  if (known("url")) fail("url", urlProblem(news.url));

  inputs.description = news.description ?? null;
  if (known("description"))
    fail("description", optionalProblem(news.description, "description", "string"));
  if (inputs.description === "") inputs.description = null;

  inputs.active = news.active ?? true;
  if (known("active")) fail("active", optionalProblem(news.active, "active", "boolean"));

  inputs.adopt = news.adopt ?? false;
  if (known("adopt")) fail("adopt", optionalProblem(news.adopt, "adopt", "boolean"));

  if (PROVIDER_KEY in news) inputs[PROVIDER_KEY] = news[PROVIDER_KEY];
  // A missing argument must not come back as `undefined`: the host cannot encode it ("Unexpected
  // struct type") and the failure naming the argument would be lost.
  for (const key of Object.keys(inputs)) if (inputs[key] === undefined) delete inputs[key];
  return { inputs, failures };
}

/** Fields whose declared value a server may store in another form. */
export const NORMALISED_KEYS = ["name", "url", "description"] as const;
type NormalisedKey = (typeof NORMALISED_KEYS)[number];

/** For each field, the digest of a declared value and of the form the server stored it in. */
export type ServerForms = Partial<Record<NormalisedKey, { declared: string; stored: string }>>;

/** SHA-256 of a field value (`""` and null are the same for the description). */
export function valueDigest(key: string, value: unknown): string {
  const v = key === "description" ? value || null : value;
  return createHash("sha256")
    .update(JSON.stringify(v ?? null), "utf8")
    .digest("hex");
}

/** The server forms kept in outputs (validated: only well-formed entries of known fields). */
export function serverFormsOf(outputs: Record<string, unknown>): ServerForms {
  const raw = outputs.serverForms;
  const out: ServerForms = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const key of NORMALISED_KEYS) {
    const f = (raw as Record<string, unknown>)[key] as Record<string, unknown> | undefined;
    if (f && typeof f.declared === "string" && typeof f.stored === "string") {
      out[key] = { declared: f.declared, stored: f.stored };
    }
  }
  return out;
}

/** Whether `declared` is stored by the server as `stored` (equal, or a known server form). */
function storedAs(key: string, declared: unknown, stored: unknown, forms: ServerForms): boolean {
  if (sameValue(key, stored, declared)) return true;
  const f = forms[key as NormalisedKey];
  return (
    f !== undefined &&
    f.declared === valueDigest(key, declared) &&
    f.stored === valueDigest(key, stored)
  );
}

/**
 * The server forms after a read of `record` for state `outputs`: a field the state holds as sent
 * and the record holds otherwise, while the record has not been written since (same `UpdatedOn`),
 * is the server's form of that value; a known form that no longer matches (an edit out of band)
 * is dropped, so the next `up` corrects it.
 */
export function learnServerForms(
  outputs: Record<string, unknown>,
  record: { Name: string; URL: string; Description?: string | null; UpdatedOn?: string | null },
): ServerForms {
  const known = serverFormsOf(outputs);
  const untouched = sameInstant(record.UpdatedOn, outputs.updatedOn);
  const now: Record<NormalisedKey, unknown> = {
    name: record.Name,
    url: record.URL,
    description: record.Description ?? null,
  };
  const out: ServerForms = {};
  for (const key of NORMALISED_KEYS) {
    const state = outputs[key];
    const stored = now[key];
    const f = known[key];
    if (f && f.stored === valueDigest(key, stored)) out[key] = f;
    else if (!sameValue(key, state, stored) && untouched) {
      out[key] = { declared: valueDigest(key, state), stored: valueDigest(key, stored) };
    }
  }
  return out;
}

/** Whether two `UpdatedOn` values name the same instant (the same text, or the same time). */
function sameInstant(a: unknown, b: unknown): boolean {
  if (typeof a !== "string" || typeof b !== "string" || a === "" || b === "") return false;
  if (a === b) return true;
  const ta = Date.parse(a);
  return !Number.isNaN(ta) && ta === Date.parse(b);
}

/** The server forms of a record just written with `inputs` and read back (what differs). */
export function formsAfterWrite(
  inputs: WebhookInputs,
  record: { Name: string; URL: string; Description?: string | null },
): ServerForms {
  return learnServerForms(
    {
      name: inputs.name,
      url: inputs.url,
      description: inputs.description,
      updatedOn: "(just written)",
    },
    { ...record, UpdatedOn: "(just written)" },
  );
}

function sameValue(key: string, old: unknown, now: unknown): boolean {
  if (key === "description") return (old || null) === (now || null);
  return old === now;
}

/**
 * `diff` for a WebHook: pure and local. Compares the new inputs with the old outputs field by
 * field over the managed inputs. A changed or not-yet-known `businessId` replaces the webhook,
 * creating the new one before deleting the old so that no event is missed. Server-side fields
 * (`lastError`, `errorCount`, `lastTrigger`, dates) never cause a diff; neither does `adopt`,
 * which only matters when the webhook is created.
 */
export function diffWebhook(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean; diffs: string[] } {
  const replaces: string[] = [];
  const diffs: string[] = [];
  if (news.businessId === UNKNOWN || !sameValue("businessId", olds.businessId, news.businessId)) {
    replaces.push("businessId");
    diffs.push("businessId");
  }
  const forms = serverFormsOf(olds);
  for (const key of UPDATABLE_KEYS) {
    if (news[key] === UNKNOWN || !storedAs(key, news[key], olds[key], forms)) diffs.push(key);
  }
  return { changes: diffs.length > 0, replaces, deleteBeforeReplace: false, diffs };
}

/** The managed inputs as a record holds them: what `check` sees when a record is declared. */
export function declaredInputs(record: WebhookRecord, adopt: boolean) {
  return {
    businessId: record.BusinessId,
    name: record.Name,
    action: record.Action,
    url: record.URL,
    description: record.Description || null,
    active: record.Active,
    adopt,
  };
}

/** The resource outputs for an API record (never undefined: the host rejects it). */
export function outputsFromRecord(
  record: WebhookRecord,
  adopt: boolean,
  forms: ServerForms = {},
): WebhookOutputs {
  return {
    ...(Object.keys(forms).length > 0 ? { serverForms: forms } : {}),
    ...declaredInputs(record, adopt),
    ...computedOutputs(record),
  };
}

/** The managed inputs as they stand on the server, for `read` to hand back to the engine. */
export function inputsFromOutputs(
  outputs: WebhookOutputs,
): WebhookInputs & { actionName?: string } {
  return {
    businessId: outputs.businessId,
    name: outputs.name,
    action: outputs.action,
    ...(outputs.actionName ? { [DERIVED_ACTION_NAME]: outputs.actionName } : {}),
    url: outputs.url,
    description: outputs.description,
    active: outputs.active,
    adopt: outputs.adopt,
  };
}

/**
 * The body of a PUT: the fresh record from a GET with the declared fields applied, so that no
 * field we do not manage is cleared by the API's full-replace update.
 */
export function applyInputs(record: WebhookRecord, inputs: WebhookInputs): Record<string, unknown> {
  return { ...record, Id: record.Id, ...createBody(inputs) };
}

/** The body of a POST: the API's writable fields, nothing more. */
export function createBody(inputs: WebhookInputs) {
  return {
    BusinessId: inputs.businessId,
    Name: inputs.name,
    Action: inputs.action,
    URL: inputs.url,
    Description: inputs.description,
    Active: inputs.active,
  };
}

/**
 * Whether a record already carries every declared value (so an update would change nothing),
 * counting a known server form of a declared value (`forms`) as that value.
 */
export function recordMatches(
  record: WebhookRecord,
  inputs: WebhookInputs,
  forms: ServerForms = {},
): boolean {
  return (
    record.BusinessId === inputs.businessId &&
    storedAs("name", inputs.name, record.Name, forms) &&
    record.Action === inputs.action &&
    storedAs("url", inputs.url, record.URL, forms) &&
    storedAs("description", inputs.description, record.Description, forms) &&
    record.Active === inputs.active
  );
}

/** The variable that silences {@link plainHttpWarning} (`1` or `true`). */
export const ALLOW_PLAIN_HTTP_ENV = "NEXUDUS_ALLOW_PLAIN_HTTP";

/**
 * A warning (not an error) for a webhook target on plain `http://` off loopback: Nexudus would
 * send every event, and any credential in the URL, unencrypted. Undefined for https, loopback
 * (127.0.0.0/8, localhost, [::1]), an unparsable URL (check reports that) or when
 * `NEXUDUS_ALLOW_PLAIN_HTTP` is `1`/`true`.
 */
export function plainHttpWarning(
  url: unknown,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (typeof url !== "string" || !/^http:\/\//i.test(url.trim())) return undefined;
  if (/^(1|true)$/i.test(env[ALLOW_PLAIN_HTTP_ENV] ?? "")) return undefined;
  let host: string;
  try {
    host = new URL(url.trim()).hostname;
  } catch {
    return undefined;
  }
  if (isLoopbackHost(host)) return undefined;
  return (
    `webhook url uses plain http:// on ${host}: Nexudus will send every event (and any ` +
    `credential in the URL) unencrypted; use https://, or set ${ALLOW_PLAIN_HTTP_ENV}=1 to silence this warning`
  );
}
