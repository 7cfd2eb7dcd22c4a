/**
 * The API's routes as the client sends them: the paths, the role each call needs, the search
 * query parameters, and the shape of one call ({@link Operation}) for the request loop.
 *
 * @module
 */
import type { NexudusRole } from "./errors";
import type { SearchQuery } from "./types";

/** The calls of the API. */
export type Route = "search" | "get" | "create" | "update" | "delete" | "token";

/** Maps the client's search field names to the API's query parameters. */
export const SEARCH_PARAMS = {
  businessId: "WebHook_Business",
  name: "WebHook_Name",
  action: "WebHook_Action",
  description: "WebHook_Description",
  url: "WebHook_URL",
  active: "WebHook_Active",
  lastError: "WebHook_LastError",
  errorCount: "WebHook_ErrorCount",
  lastTrigger: "WebHook_LastTrigger",
  fromErrorCount: "from_WebHook_ErrorCount",
  toErrorCount: "to_WebHook_ErrorCount",
  fromLastTrigger: "from_WebHook_LastTrigger",
  toLastTrigger: "to_WebHook_LastTrigger",
  fromCreatedOn: "from_WebHook_CreatedOn",
  toCreatedOn: "to_WebHook_CreatedOn",
  fromUpdatedOn: "from_WebHook_UpdatedOn",
  toUpdatedOn: "to_WebHook_UpdatedOn",
  page: "page",
  size: "size",
  orderBy: "orderBy",
  dir: "dir",
} as const satisfies Record<keyof SearchQuery, string>;

/** The query string of a search (`page=1&size=1000&WebHook_Business=…`), in a stable order. */
export function searchQueryString(q: SearchQuery): string {
  const params = new URLSearchParams();
  for (const [key, param] of Object.entries(SEARCH_PARAMS)) {
    const value = q[key as keyof SearchQuery];
    if (value !== undefined) params.append(param, String(value));
  }
  return params.toString();
}

export const WEBHOOKS = "/api/sys/webhooks";
export const TOKEN = "/api/token";

/** The role each call needs. */
export const ROLES: Record<Exclude<Route, "token">, NexudusRole> = {
  search: "WebHook-List",
  get: "WebHook-Read",
  create: "WebHook-Create",
  update: "WebHook-Edit",
  delete: "WebHook-Delete",
};

/**
 * Builds a path from a template, encoding every parameter with `encodeURIComponent`: the one
 * place path parameters are put into URLs.
 */
export function encodePath(strings: TemplateStringsArray, ...params: (string | number)[]): string {
  return strings.reduce(
    (out, part, i) => out + part + (i < params.length ? encodeURIComponent(String(params[i])) : ""),
    "",
  );
}

/** One API call, as the request loop sees it. */
export interface Operation<T> {
  readonly route: Route;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path with the query string. */
  readonly path: string;
  /** JSON body, or a form body for the token exchange. */
  readonly body?: { contentType: string; text: string };
  /** Turns a 2xx answer's parsed JSON (undefined when empty) into the result. */
  readonly read: (body: unknown) => Read<T>;
  /** Called just before the first attempt is sent. */
  readonly beforeSend?: () => void;
}

/** A JSON request body (already checked to serialize). */
export function jsonBody(value: unknown): { contentType: string; text: string } {
  return { contentType: "application/json", text: JSON.stringify(value) };
}

/** A read answer body: the value, or what is wrong with it. */
export type Read<T> = { ok: true; value: T } | { ok: false; problem: string };
