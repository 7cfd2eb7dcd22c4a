/**
 * Type-level check (run by `npm run typecheck`, part of `npm test`): each hand-declared interface
 * of client/types.ts is the type its zod schema in client/schemas.ts parses to, both ways. A
 * schema changed without its interface (or the reverse) is a compile error on that line.
 */
import type { z } from "zod";
import type * as schemas from "../../client/schemas";
import type * as types from "../../client/types";

type Parsed<F extends () => z.ZodType> = z.infer<ReturnType<F>>;
/** `true` when A and B are assignable both ways, else `never` (so `true` fails to compile). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

export type SchemaTypeChecks = [
  Same<types.WebhookRecord, Parsed<typeof schemas.webhookRecordSchema>>,
  Same<types.WebhookSummary, Parsed<typeof schemas.webhookSummarySchema>>,
  Same<types.SearchPage, Parsed<typeof schemas.searchPageSchema>>,
  Same<types.ApiFieldError, Parsed<typeof schemas.fieldErrorSchema>>,
  Same<types.WriteEnvelope, Parsed<typeof schemas.writeEnvelopeSchema>>,
  Same<types.TokenResponse, Parsed<typeof schemas.tokenResponseSchema>>,
  Same<types.WebhookWrite, Parsed<typeof schemas.webhookWriteSchema>>,
  Same<types.SearchQuery, Parsed<typeof schemas.searchQuerySchema>>,
];
export const schemaTypeChecks: SchemaTypeChecks = [true, true, true, true, true, true, true, true];
