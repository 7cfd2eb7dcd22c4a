/**
 * The shapes of the Nexudus WebHook API, written once as zod schemas; the TypeScript types are
 * derived from them. We have no machine-readable spec, so these schemas are the spec: strict on
 * the fields the provider relies on (`Id`, `BusinessId`), liberal where the documentation leaves
 * room (`Action` as a number or its name; a null `Name`, `URL` or `Active` on a record made by
 * hand reads as "" / false; nullable optional fields; unknown extra fields kept).
 *
 * Schemas are built inside functions (memoised), never held in exported module-level constants,
 * so that a closure serializer never meets a bound zod method.
 *
 * @module
 */
import { z } from "zod";
import { WebhookAction } from "./actions";
import { MAX_PAGE_SIZE } from "./types";

/** Memoises a schema factory: the schema is built on first use. */
function memo<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = build();
    return value;
  };
}

const id = () => z.number().int().positive();
/** An integer, or the same integer as a string of digits (a server may quote numbers). */
const intLike = () =>
  z.union(
    [
      z.number().int(),
      z
        .string()
        .regex(/^\d+$/)
        .transform((s) => Number(s)),
    ],
    { error: (issue) => `expected number, received ${describeInput(issue.input)}` },
  );
/** How an unexpected input reads in a schema message (`string`, `undefined`...). */
function describeInput(input: unknown): string {
  return input === null ? "null" : Array.isArray(input) ? "array" : typeof input;
}

/** A record id: a positive integer, or one as a string of digits. */
const recordId = () => intLike().pipe(z.number().int().positive());
const optionalString = () => z.string().nullish();
const optionalNumber = () => z.number().nullish();

/** The action numbers by name, case-insensitive (a server may send `Action` as its name). */
const actionsByName = memo(
  () =>
    new Map(Object.entries(WebhookAction).map(([name, n]) => [name.toLowerCase(), n as number])),
);

/**
 * `Action`: the enum number, as documented, or its name (`"BookingCreate"`) or a numeric string,
 * which a server may send instead. A name we do not know reads as 0 (no action we declare), so a
 * foreign record never fails a whole search.
 */
const actionField = () =>
  z.union([
    z.number().int(),
    z.string().transform((s) => {
      const t = s.trim();
      if (/^\d+$/.test(t)) return Number(t);
      return actionsByName().get(t.toLowerCase()) ?? 0;
    }),
  ]);

/** A text field a foreign record may leave null (a Name or URL made by hand): read as "". */
const lenientString = () =>
  z
    .string()
    .nullish()
    .transform((v) => v ?? "");

/** Fields common to a full record and a search row. */
function recordShape() {
  return {
    Id: recordId(),
    BusinessId: intLike(),
    Name: lenientString(),
    Action: actionField(),
    URL: lenientString(),
    Active: z
      .boolean()
      .nullish()
      .transform((v) => v ?? false),
    Description: optionalString(),
    LastError: optionalString(),
    ErrorCount: optionalNumber(),
    LastTrigger: optionalString(),
    UniqueId: optionalString(),
    CreatedOn: optionalString(),
    UpdatedOn: optionalString(),
    UpdatedBy: optionalString(),
    IsNew: z.boolean().nullish(),
    SystemId: optionalString(),
    ToStringText: optionalString(),
    LocalizationDetails: z.unknown().optional(),
    CustomFields: z.unknown().optional(),
  };
}

/** A full WebHook record, as `GET /api/sys/webhooks/{id}` returns it. */
export const webhookRecordSchema = memo(() => z.looseObject(recordShape()));

/**
 * A row of a search page: the same fields as a record, but `Description` is not populated by the
 * API (never build a `PUT` body from a row).
 */
export const webhookSummarySchema = memo(() => z.looseObject(recordShape()));

/** One page of `GET /api/sys/webhooks`. */
export const searchPageSchema = memo(() =>
  z.looseObject({
    Records: z.array(webhookSummarySchema()),
    CurrentPage: z.number().int(),
    TotalItems: z.number().int().nonnegative(),
    TotalPages: z.number().int().nonnegative(),
    HasNextPage: z.boolean(),
    CurrentPageSize: optionalNumber(),
    CurrentOrderField: optionalString(),
    CurrentSortDirection: optionalNumber(),
    FirstItem: optionalNumber(),
    LastItem: optionalNumber(),
    HasPreviousPage: z.boolean().nullish(),
  }),
);

/** One validation error in an answer's `Errors` array. */
export const fieldErrorSchema = memo(() =>
  z.looseObject({
    PropertyName: optionalString(),
    Message: optionalString(),
    AttemptedValue: z.unknown().optional(),
  }),
);

/**
 * The envelope of a write (`POST`, `PUT`, `DELETE`): `Value` is `{Id}` on create and update, and
 * `null` or `{Id}` on delete depending on the docs' version, so it is not typed here.
 */
export const writeEnvelopeSchema = memo(() =>
  z.looseObject({
    Status: optionalNumber(),
    Message: optionalString(),
    Value: z.unknown().optional(),
    WasSuccessful: z.boolean().nullish(),
    Errors: z.array(fieldErrorSchema()).nullish(),
    UpdatedOn: optionalString(),
    UpdatedBy: optionalString(),
  }),
);

/** The `Value` of a create or update envelope. */
export const writeValueSchema = memo(() => z.looseObject({ Id: id() }));

/**
 * The body of an error answer, as liberal as the API is: a JSON string (`"Not found"`), an
 * envelope with `Message`/`Errors`, or an OAuth error (`error`, `error_description`).
 */
export const errorEnvelopeSchema = memo(() =>
  z.union([
    z.string(),
    z.looseObject({
      Message: z.unknown().optional(),
      Errors: z.unknown().optional(),
      WasSuccessful: z.unknown().optional(),
      error: z.unknown().optional(),
      error_description: z.unknown().optional(),
    }),
  ]),
);

/** The answer of `POST /api/token`. */
export const tokenResponseSchema = memo(() =>
  z.looseObject({
    access_token: z.string().min(1),
    token_type: optionalString(),
    expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).nullish(),
    refresh_token: optionalString(),
  }),
);

/** The body of `POST`/`PUT /api/sys/webhooks` (the client checks it before sending). */
export const webhookWriteSchema = memo(() =>
  z.looseObject({
    BusinessId: id(),
    Name: z.string(),
    Action: z.number().int(),
    URL: z.string(),
    Description: z.string().nullish(),
    Active: z.boolean().optional(),
  }),
);

/** An update body: a write body with the record's `Id`. */
export const webhookUpdateSchema = memo(() => webhookWriteSchema().extend({ Id: id() }));

/**
 * A search query, in the client's field names (mapped to the API's `WebHook_*` filters by the
 * client). Dates are `YYYY-MM-DDTHH:mm`. Whether string filters match exactly or by "contains" is
 * not documented: filter rows again when an exact match matters.
 */
export const searchQuerySchema = memo(() => {
  const count = () => z.number().int("must be an integer").nonnegative("must be >= 0");
  const text = () => z.string();
  return z.strictObject({
    businessId: z.number().int("must be an integer").positive("must be > 0").optional(),
    name: text().optional(),
    action: z.number().int("must be an integer").positive("must be > 0").optional(),
    description: text().optional(),
    url: text().optional(),
    active: z.boolean().optional(),
    lastError: text().optional(),
    errorCount: count().optional(),
    lastTrigger: text().optional(),
    fromErrorCount: count().optional(),
    toErrorCount: count().optional(),
    fromLastTrigger: text().optional(),
    toLastTrigger: text().optional(),
    fromCreatedOn: text().optional(),
    toCreatedOn: text().optional(),
    fromUpdatedOn: text().optional(),
    toUpdatedOn: text().optional(),
    page: z.number().int("must be an integer").positive("must be >= 1").optional(),
    size: z
      .number()
      .int("must be an integer")
      .positive("must be >= 1")
      .max(MAX_PAGE_SIZE, `must be <= ${MAX_PAGE_SIZE} (the API's maximum page size)`)
      .optional(),
    orderBy: text().optional(),
    dir: z
      .union([z.literal(0), z.literal(1)], "must be 0 (ascending) or 1 (descending)")
      .optional(),
  });
});

/**
 * The types of these shapes, hand-declared in ./types (zod-free, so the public `.d.ts` compiles
 * without zod's types); tests/types/schemaTypes.ts checks each against its schema.
 */
export type {
  ApiFieldError,
  SearchPage,
  SearchQuery,
  TokenResponse,
  WebhookRecord,
  WebhookSummary,
  WebhookWrite,
  WriteEnvelope,
} from "./types";

/** How many schema problems a message lists before summarising the rest. */
const MAX_ISSUES = 5;

/** Strips zod's generic prefixes so a message reads `Name: expected string, missing`. */
function issueText(issue: z.core.$ZodIssue): string {
  const text = issue.message
    .replace(/^Invalid input:\s*/i, "")
    .replace(/^Too (small|big):\s*/i, "");
  return text.replace(/, received undefined$/, ", missing") || "invalid";
}

/**
 * A short, human-readable list of what is wrong (`Records.3.Name: expected string, missing`),
 * naming at most five problems, never a raw zod dump.
 */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join(".") : "(body)";
    return `${where}: ${issueText(issue)}`;
  });
  const more = error.issues.length - MAX_ISSUES;
  if (more > 0) parts.push(`and ${more} more`);
  return parts.join("; ");
}

/** A parse result: the value, or a readable description of what was wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Validates `value` against `schema`, describing failures with {@link describeIssues}. */
export function check<S extends z.ZodType>(schema: S, value: unknown): Checked<z.infer<S>> {
  const result = schema.safeParse(value);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, problem: describeIssues(result.error) };
}
