/**
 * The emulator's API handlers: what each route (search, get, create, update, delete, token) does
 * once the request has passed the routing's checks, with the quirks a server may show
 * (see `EmulatorQuirks`). A handler returns an {@link Answer}; with `dryRun` it writes nothing,
 * so that the `truncated` and `badRecord` faults can build on the real answer.
 */
import { domainToASCII } from "node:url";
import { actionName } from "../client/actions";
import { NOT_FOUND, type Answer } from "./http";
import { parseSearchQuery, runSearch } from "./search";
import type { EmulatorState } from "./state";
import type { EmulatorQuirks, EmulatorUser, RequestLogEntry, Route } from "./types";
import {
  joinErrors,
  validateWriteBody,
  type FieldError,
  type WebhookWriteBody,
} from "./validation";

/** What a handler knows of its request. */
export interface ApiContext {
  /** The record id in the path (get, delete). */
  id?: string;
  params: URLSearchParams;
  body: string;
  contentType: string | undefined;
  /** The authenticated user (none for `token`). */
  user: EmulatorUser | undefined;
  /** The request's log entry (the token route names its client there). */
  entry: RequestLogEntry;
}

/** A 400 with the API's validation envelope. */
export function validationFailure(errors: FieldError[]): Answer {
  return {
    status: 400,
    body: { Message: joinErrors(errors), Value: null, Errors: errors, WasSuccessful: false },
  };
}

function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false; answer: Answer } {
  const fail = (message: string): { ok: false; answer: Answer } => ({
    ok: false,
    answer: validationFailure([{ AttemptedValue: null, Message: message, PropertyName: "body" }]),
  });
  if (text.trim() === "") return fail("the request body is empty (expected a JSON object)");
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return fail(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Whether a Content-Type header names JSON (`application/json`, `text/json` or `...+json`). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return (
    mediaType === "application/json" || mediaType === "text/json" || mediaType.endsWith("+json")
  );
}

function successEnvelope(
  verb: "created" | "updated",
  id: number,
  updatedOn: string,
  updatedBy: string,
): Record<string, unknown> {
  return {
    Status: 200,
    Message: `WebHook was successfully ${verb}.`,
    Value: { Id: id },
    OpenInDialog: false,
    OpenInWindow: false,
    RedirectURL: null,
    JavaScript: null,
    UpdatedOn: updatedOn,
    UpdatedBy: updatedBy,
    Errors: null,
    WasSuccessful: true,
  };
}

function parseId(id: string | undefined): number | undefined {
  if (id === undefined || !/^\d+$/.test(id)) return undefined;
  const n = Number(id);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A record as a quirky server shows it (action by name, extra fields). */
function quirkyRecord(r: unknown, q: EmulatorQuirks): unknown {
  if (typeof r !== "object" || r === null) return r;
  const out: Record<string, unknown> = { ...(r as Record<string, unknown>) };
  if (q.actionAsName && typeof out["Action"] === "number") {
    out["Action"] = actionName(out["Action"]) ?? out["Action"];
  }
  if (q.extraFields) {
    out["TenantTimeZone"] = "Europe/London";
    out["Tags"] = ["x"];
    out["Links"] = { self: `/api/sys/webhooks/${String(out["Id"])}` };
  }
  return out;
}

/** A search envelope as a quirky server answers it (see {@link EmulatorQuirks}). */
function quirkySearch(env: ReturnType<typeof runSearch>, q: EmulatorQuirks): unknown {
  const out: Record<string, unknown> = {
    ...env,
    Records: env.Records.map((r) => quirkyRecord(r, q)),
  };
  if (q.totalItemsOffset) out["TotalItems"] = env.TotalItems + q.totalItemsOffset;
  if (q.endlessPaging) {
    out["HasNextPage"] = true;
    out["TotalPages"] = Math.max(env.TotalPages, env.CurrentPage + 1);
  }
  if (q.extraFields) out["ServerTime"] = new Date().toISOString();
  return out;
}

/** The values a normalising server stores for a write body. */
function normalised(body: WebhookWriteBody, q: EmulatorQuirks): WebhookWriteBody {
  const n = q.normalise;
  if (!n) return body;
  const out = { ...body };
  if (n.trimName) out.Name = out.Name.trim();
  if (n.punycodeHost) {
    const m = /^([a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?)([^/?#:]*)/i.exec(out.URL);
    const ascii = m ? domainToASCII(m[2]!) : "";
    if (m && ascii) out.URL = `${m[1]}${ascii}${out.URL.slice(m[0].length)}`;
  }
  if (
    n.maxDescription !== undefined &&
    out.Description &&
    out.Description.length > n.maxDescription
  ) {
    out.Description = out.Description.slice(0, n.maxDescription);
  }
  return out;
}

/** The URL of a write body, when there is one (for `echoRequestInErrors`). */
export function requestUrl(body: string): string | undefined {
  try {
    const v = (JSON.parse(body) as { URL?: unknown }).URL;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A write answer as a `bareWriteAnswers` server sends it (no dates). */
function bare(envelope: Record<string, unknown>, quirks: EmulatorQuirks): Record<string, unknown> {
  if (!quirks.bareWriteAnswers) return envelope;
  const out = { ...envelope };
  delete out["UpdatedOn"];
  delete out["UpdatedBy"];
  return out;
}

/** Runs an API route's real handler; with `dryRun` nothing is written. */
export function runRoute(
  state: EmulatorState,
  route: Route,
  ctx: ApiContext,
  dryRun: boolean,
): Answer {
  const { store, directory, locationIds, quirks } = state;
  const by = ctx.user?.username ?? "";
  switch (route) {
    case "search": {
      const q = parseSearchQuery(ctx.params);
      if (!q.ok) return validationFailure(q.errors);
      const query = { ...q.query };
      const askedSize = query.size;
      if (quirks.maxPageSize !== undefined) query.size = Math.min(query.size, quirks.maxPageSize);
      if (quirks.endlessPaging === "repeatPage" || quirks.endlessPaging === "growing") {
        query.page = 1;
      }
      const found = runSearch(store.all(), query);
      if (quirks.endlessPaging === "growing") {
        // Every page brings rows never seen (made-up Ids), as a server that never stops would.
        const asked = q.query.page;
        found.Records = found.Records.map((r) => ({ ...r, Id: r.Id + (asked - 1) * 10_000_000 }));
        found.CurrentPage = asked;
        found.TotalItems = 1_000_000_000;
      }
      if (quirks.silentPageSizeCap && query.size < askedSize) {
        // The envelope says the asked size was used, although fewer rows came.
        found.CurrentPageSize = askedSize;
        found.TotalPages = Math.ceil(found.TotalItems / askedSize);
        found.HasNextPage = found.CurrentPage < found.TotalPages;
      }
      return { status: 200, body: quirkySearch(found, quirks) };
    }
    case "get": {
      const id = parseId(ctx.id);
      const record = id === undefined ? undefined : store.get(id);
      return record
        ? { status: 200, body: quirkyRecord(record, quirks) }
        : { status: 404, body: NOT_FOUND };
    }
    case "delete": {
      const id = parseId(ctx.id);
      if (id === undefined || !store.has(id)) return { status: 404, body: NOT_FOUND };
      if (!dryRun) store.delete(id);
      return {
        status: 200,
        body: {
          Status: 200,
          Message: "WebHook was successfully deleted.",
          Value: null,
          WasSuccessful: true,
          Errors: null,
        },
      };
    }
    case "create":
    case "update": {
      if (!isJsonMediaType(ctx.contentType)) {
        const mediaType = (ctx.contentType ?? "").split(";")[0]?.trim() || "(none)";
        return {
          status: 415,
          body: {
            Message: `The request entity's media type '${mediaType}' is not supported for this resource; send Content-Type: application/json.`,
            Value: null,
            Errors: null,
            WasSuccessful: false,
          },
        };
      }
      const parsed = parseJsonBody(ctx.body);
      if (!parsed.ok) return parsed.answer;
      const v = validateWriteBody(parsed.value, { requireId: route === "update", locationIds });
      if (!v.ok) {
        const url = quirks.echoRequestInErrors ? requestUrl(ctx.body) : undefined;
        const failure = validationFailure(v.errors);
        if (url !== undefined) {
          (failure.body as Record<string, unknown>)["Message"] =
            `${joinErrors(v.errors)} (WebHook with URL '${url}')`;
        }
        return failure;
      }
      v.value = normalised(v.value, quirks);
      if (route === "create") {
        if (dryRun) {
          const now = new Date().toISOString();
          return { status: 200, body: successEnvelope("created", store.peekNextId(), now, by) };
        }
        const r = store.create(v.value, by);
        return {
          status: 200,
          body: bare(successEnvelope("created", r.Id, r.UpdatedOn, by), quirks),
        };
      }
      const id = v.value.Id ?? 0;
      if (!store.has(id)) return { status: 404, body: NOT_FOUND };
      if (dryRun) {
        return {
          status: 200,
          body: successEnvelope("updated", id, new Date().toISOString(), by),
        };
      }
      const r = store.replace(id, v.value, by);
      return r
        ? { status: 200, body: bare(successEnvelope("updated", r.Id, r.UpdatedOn, by), quirks) }
        : { status: 404, body: NOT_FOUND };
    }
    case "token": {
      const t = directory.token(ctx.contentType, ctx.body);
      if (t.username !== undefined) ctx.entry.client = t.username;
      return { status: t.status, body: t.body };
    }
  }
}
