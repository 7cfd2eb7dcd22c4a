/**
 * The API's shapes as plain TypeScript interfaces, declared by hand so that the public `.d.ts`
 * never names a third-party type (zod stays internal to client/schemas.ts, which checks these
 * against its schemas at the type level: tests/types/schemaTypes.ts).
 *
 * @module
 */

/** A full WebHook record (`GET /api/sys/webhooks/{id}`). Unknown extra fields are kept. */
export interface WebhookRecord {
  Id: number;
  BusinessId: number;
  Name: string;
  Action: number;
  URL: string;
  Active: boolean;
  Description?: string | null | undefined;
  LastError?: string | null | undefined;
  ErrorCount?: number | null | undefined;
  LastTrigger?: string | null | undefined;
  UniqueId?: string | null | undefined;
  CreatedOn?: string | null | undefined;
  UpdatedOn?: string | null | undefined;
  UpdatedBy?: string | null | undefined;
  IsNew?: boolean | null | undefined;
  SystemId?: string | null | undefined;
  ToStringText?: string | null | undefined;
  LocalizationDetails?: unknown;
  CustomFields?: unknown;
  [key: string]: unknown;
}

/** A search row: like {@link WebhookRecord} but without a populated `Description`. */
export type WebhookSummary = WebhookRecord;

/** One page of search results. */
export interface SearchPage {
  Records: WebhookSummary[];
  CurrentPage: number;
  TotalItems: number;
  TotalPages: number;
  HasNextPage: boolean;
  CurrentPageSize?: number | null | undefined;
  CurrentOrderField?: string | null | undefined;
  CurrentSortDirection?: number | null | undefined;
  FirstItem?: number | null | undefined;
  LastItem?: number | null | undefined;
  HasPreviousPage?: boolean | null | undefined;
  [key: string]: unknown;
}

/** One validation error of an answer. */
export interface ApiFieldError {
  PropertyName?: string | null | undefined;
  Message?: string | null | undefined;
  AttemptedValue?: unknown;
  [key: string]: unknown;
}

/** The envelope answered by writes. */
export interface WriteEnvelope {
  Status?: number | null | undefined;
  Message?: string | null | undefined;
  Value?: unknown;
  WasSuccessful?: boolean | null | undefined;
  Errors?: ApiFieldError[] | null | undefined;
  UpdatedOn?: string | null | undefined;
  UpdatedBy?: string | null | undefined;
  [key: string]: unknown;
}

/** The answer of the token endpoint. */
export interface TokenResponse {
  access_token: string;
  token_type?: string | null | undefined;
  expires_in?: number | null | undefined;
  refresh_token?: string | null | undefined;
  [key: string]: unknown;
}

/** The body of a create (and, with `Id`, of an update). */
export interface WebhookWrite {
  BusinessId: number;
  Name: string;
  Action: number;
  URL: string;
  Description?: string | null | undefined;
  Active?: boolean | undefined;
  [key: string]: unknown;
}

/** The largest page a search may ask for (`size`): the API's maximum, and what the client asks. */
export const MAX_PAGE_SIZE = 1000;

/**
 * A search query, in the client's field names (mapped to the API's `WebHook_*` filters by the
 * client). Dates are `YYYY-MM-DDTHH:mm`. Whether string filters match exactly or by "contains" is
 * not documented: filter rows again when an exact match matters.
 */
export interface SearchQuery {
  businessId?: number | undefined;
  name?: string | undefined;
  action?: number | undefined;
  description?: string | undefined;
  url?: string | undefined;
  active?: boolean | undefined;
  lastError?: string | undefined;
  errorCount?: number | undefined;
  lastTrigger?: string | undefined;
  fromErrorCount?: number | undefined;
  toErrorCount?: number | undefined;
  fromLastTrigger?: string | undefined;
  toLastTrigger?: string | undefined;
  fromCreatedOn?: string | undefined;
  toCreatedOn?: string | undefined;
  fromUpdatedOn?: string | undefined;
  toUpdatedOn?: string | undefined;
  page?: number | undefined;
  size?: number | undefined;
  orderBy?: string | undefined;
  dir?: 0 | 1 | undefined;
}
