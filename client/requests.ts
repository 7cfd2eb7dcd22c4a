/**
 * What goes on a request and comes off a write: the checks of an id, a search query and a write
 * body before anything is sent (a {@link NexudusValidationError} naming each field), and the
 * reading of a write answer.
 *
 * @module
 */
import { z } from "zod";
import { errorMessage, NexudusValidationError, type FieldError } from "./errors";
import { encodePath, SEARCH_PARAMS, WEBHOOKS, type Read } from "./routes";
import {
  check,
  describeIssues,
  searchQuerySchema,
  writeEnvelopeSchema,
  writeValueSchema,
} from "./schemas";
import type { SearchQuery } from "./types";

/** The result of a create or update. */
export interface WriteResult {
  /** The record's Id. */
  id: number;
  /** The envelope's `UpdatedOn` (when the server wrote the record), when it gave one. */
  updatedOn?: string | null;
  /** The envelope's `UpdatedBy` (the user who wrote it), when it gave one. */
  updatedBy?: string | null;
}

/** The path of one record, after checking its id. */
export function recordPath(method: string, id: number): string {
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
    const shown = typeof id === "number" ? String(id) : (JSON.stringify(id) ?? typeof id);
    throw new NexudusValidationError({
      method,
      path: `${WEBHOOKS}/{id}`,
      fieldErrors: [{ property: "id", message: `must be a positive integer (got ${shown})` }],
    });
  }
  return encodePath`/api/sys/webhooks/${id}`;
}

/** A search query checked against the schema (a validation error names each bad field). */
export function checkQuery(q: SearchQuery): SearchQuery {
  const r = searchQuerySchema().safeParse(q ?? {});
  if (r.success) return r.data;
  const fieldErrors: FieldError[] = r.error.issues.map((issue) =>
    issue.code === "unrecognized_keys"
      ? {
          property: issue.keys.join(", "),
          message: `is not a search field (known: ${Object.keys(SEARCH_PARAMS).join(", ")})`,
        }
      : { property: issue.path.map(String).join("."), message: issue.message },
  );
  throw new NexudusValidationError({ method: "GET", path: WEBHOOKS, fieldErrors });
}

/**
 * What {@link checkBody} needs of a schema (a zod schema is one), declared here so that the
 * public `.d.ts` names no zod type.
 */
export interface BodySchema<T> {
  safeParse(value: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: { issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string }> };
      };
}

/** A write body checked against its schema, and known to serialize. */
export function checkBody<T>(
  method: string,
  path: string,
  schema: BodySchema<T>,
  body: unknown,
): T {
  const r = schema.safeParse(body);
  if (r.success) {
    try {
      JSON.stringify(r.data);
      return r.data;
    } catch (e) {
      const why = errorMessage(e);
      throw new NexudusValidationError({
        method,
        path,
        fieldErrors: [{ property: "(body)", message: `cannot be sent as JSON (${why})` }],
      });
    }
  }
  const fieldErrors: FieldError[] = r.error.issues.map((issue) => ({
    property: issue.path.map(String).join(".") || "(body)",
    message: describeIssues(new z.ZodError([issue as z.core.$ZodIssue])).replace(/^[^:]*: /, ""),
  }));
  throw new NexudusValidationError({ method, path, fieldErrors });
}

/** Reads a create or update answer: the id (the known one when the answer has none) and the envelope. */
export function readWrite(answer: unknown, knownId: number | undefined): Read<WriteResult> {
  const envelope = check(writeEnvelopeSchema(), answer);
  if (!envelope.ok) return envelope;
  const { UpdatedOn, UpdatedBy } = envelope.value;
  const extra = {
    ...(UpdatedOn !== undefined ? { updatedOn: UpdatedOn } : {}),
    ...(UpdatedBy !== undefined ? { updatedBy: UpdatedBy } : {}),
  };
  const value = check(writeValueSchema(), envelope.value.Value);
  if (value.ok) return { ok: true, value: { id: value.value.Id, ...extra } };
  if (knownId !== undefined) return { ok: true, value: { id: knownId, ...extra } };
  return { ok: false, problem: `Value.${value.problem}` };
}
