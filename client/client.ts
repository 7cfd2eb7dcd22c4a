/**
 * The typed REST client of the Nexudus WebHook API (`/api/sys/webhooks`, `/api/token`).
 *
 * The client in parts, one concern each: options are checked by `resolveOptions` (`./options`);
 * the credential is put on requests by a token source (`./auth`: a static token, or the password
 * grant with a process-wide cache); the routes and search parameters are in `./routes`; every
 * call goes through {@link NexudusClient}'s single request loop here (limiter slot, send, the one
 * retry policy of `./retry`); each attempt's outcome is read by `classify` (`./classify`, which
 * maps a status to an error family in one table) against the schemas of `./schemas`; failures
 * become the errors of `./errors`; secrets are kept out of everything by `./redact`.
 *
 * @module
 */
import type { AxiosInstance } from "axios";
import { PasswordGrant, sha256, StaticToken, type TokenSource } from "./auth";
import { FileCallHistory, historyKey } from "./ratelimit/callHistory";
import { classify } from "./classify";
import {
  errorMessage,
  NexudusApiError,
  NexudusAuthError,
  NexudusNotFoundError,
  NexudusRateBudgetError,
  NexudusResponseError,
  NexudusRoutingError,
} from "./errors";
import {
  aboutDuration,
  type AcquireOptions,
  type Limiter,
  type RateBudgetSpent,
  type Slot,
} from "./ratelimit/limiter";
import { resolveOptions, type NexudusClientOptions, type RequestEvent } from "./options";
import { redact, registerSecret } from "./redact";
import { checkBody, checkQuery, readWrite, recordPath, type WriteResult } from "./requests";
import { retryDelay, type RetryPolicy } from "./retry";
import { jsonBody, searchQueryString, TOKEN, WEBHOOKS, type Operation } from "./routes";
import {
  check,
  searchPageSchema,
  tokenResponseSchema,
  webhookRecordSchema,
  webhookUpdateSchema,
  webhookWriteSchema,
  writeEnvelopeSchema,
} from "./schemas";
import { MAX_PAGE_SIZE } from "./types";
import type { SearchPage, SearchQuery, WebhookRecord, WebhookSummary, WebhookWrite } from "./types";
import { ClientShare } from "./share";
import { createHttp, send } from "./transport";

export { ClientShare } from "./share";
export { errorFamily, type ErrorFamily } from "./classify";
export {
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_THROTTLE_RETRIES,
  DEFAULT_MAX_WAIT_MS,
  DEFAULT_TIMEOUT_MS,
  isLoopbackHost,
  resolveOptions,
  type NexudusClientOptions,
  type RequestEvent,
  type ResolvedOptions,
} from "./options";
export { type WriteResult } from "./requests";
export { encodePath, SEARCH_PARAMS, searchQueryString, type Route } from "./routes";
export { type LimiterStats } from "./ratelimit/limiter";
export type { SearchPage, SearchQuery, WebhookRecord, WebhookSummary, WebhookWrite } from "./types";

/** Default page size of {@link NexudusClient.search} (the API's maximum). */
export const DEFAULT_SEARCH_PAGE_SIZE = MAX_PAGE_SIZE;
/**
 * The most pages one {@link NexudusClient.searchAll} reads before it fails: a guard against a
 * server whose paging never ends (200 pages of 1,000 rows is far beyond any location).
 */
export const MAX_SEARCH_PAGES = 200;

/** Options of one search page request. */
export interface SearchPageOptions {
  /**
   * Called once, just before the first attempt is sent (after the limiter let it go): what the
   * page shows is the server's state at that moment or later.
   */
  beforeSend?: () => void;
}

/** Options of {@link NexudusClient.searchAll}. */
export interface SearchAllOptions extends SearchPageOptions {
  /** Called after each page is read: its number, its answer, and the distinct rows seen so far. */
  onPage?: (page: number, result: SearchPage, seen: number) => void;
}

/**
 * The client of the Nexudus WebHook API. Every call is paced by its account's limiter (in the
 * {@link ClientShare} it is given, or one of its own),
 * retried by one policy (idempotent calls only, and creates only after a throttle), validated
 * against the documented shapes, and fails with a {@link NexudusApiError} subclass whose message
 * says what to do.
 */
export class NexudusClient {
  /** The API base URL (no trailing slash). */
  readonly baseUrl: string;
  /** Per-request timeout, in ms. */
  readonly timeoutMs: number;
  /** Retries after the first attempt of an idempotent call. */
  readonly maxRetries: number;
  /** Multiplier of every documented wait. */
  readonly timeFactor: number;
  /** Whether the account's rate limiter paces this client. */
  readonly rateLimit: boolean;
  /** The tokens, limiters and counters this client shares with the other clients of its account. */
  readonly share: ClientShare;

  readonly #http: AxiosInstance;
  readonly #auth: TokenSource;
  readonly #limiter: Limiter | undefined;
  readonly #policy: RetryPolicy;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;
  readonly #maxThrottleRetries: number;
  /** The longest wait for a slot (configured, before the time factor). */
  readonly #maxWaitMs: number;
  readonly #acquireOptions: AcquireOptions;
  /** Set once the API answered a search: a 404 of a record route then means "no such record". */
  #apiConfirmed = false;

  /**
   * @param opts - the plain options (see {@link NexudusClientOptions}).
   * @param share - what this client shares with the other clients of its account (tokens,
   *   limiter, counters); a share of its own when not given.
   * @throws {@link NexudusConfigError} when an option is missing or invalid.
   */
  constructor(opts: NexudusClientOptions, share: ClientShare = new ClientShare()) {
    const o = resolveOptions(opts);
    this.share = share;
    this.baseUrl = o.baseUrl;
    this.timeoutMs = o.timeoutMs;
    this.maxRetries = o.maxRetries;
    this.timeFactor = o.timeFactor;
    this.rateLimit = o.rateLimit;
    this.#onRequest = o.onRequest;
    this.#maxThrottleRetries = o.maxThrottleRetries;
    this.#maxWaitMs = o.maxWaitMs;
    this.#acquireOptions = { maxWaitMs: o.maxWaitMs * o.timeFactor, notify: o.onNotice };
    this.#policy = { maxRetries: o.maxRetries, timeFactor: o.timeFactor, random: Math.random };

    this.#http = createHttp(o.baseUrl, o.origin);

    const identity =
      o.credential.kind === "token"
        ? `token:${sha256(o.credential.token)}`
        : `user:${o.credential.username}`;
    const historyDir = o.callHistory;
    this.#limiter = o.rateLimit
      ? share.limiter(`${o.baseUrl}\n${identity}\n${o.timeFactor}`, o.timeFactor, () =>
          historyDir === false
            ? undefined
            : new FileCallHistory(
                historyDir,
                historyKey(o.baseUrl, identity, o.timeFactor),
                o.timeFactor,
              ),
        )
      : undefined;
    this.#auth =
      o.credential.kind === "token"
        ? new StaticToken(o.credential.token)
        : new PasswordGrant(
            o.baseUrl,
            o.credential.username,
            o.credential.password,
            {
              exchange: (form) => this.exchange(form),
            },
            share.tokens,
          );
  }

  /**
   * How long to wait between two looks for a record whose create may have committed late (after
   * an error with `mayHaveCommitted`): 1 s × timeFactor.
   */
  get lookAgainMs(): number {
    return 1000 * this.timeFactor;
  }

  /** One page of search results (`size` defaults to the API's 25 unless given). */
  async searchPage(q: SearchQuery = {}, opts: SearchPageOptions = {}): Promise<SearchPage> {
    const query = checkQuery(q);
    const qs = searchQueryString(query);
    const page = await this.call<SearchPage>({
      route: "search",
      method: "GET",
      path: qs ? `${WEBHOOKS}?${qs}` : WEBHOOKS,
      read: (body) => check(searchPageSchema(), body),
      ...(opts.beforeSend ? { beforeSend: opts.beforeSend } : {}),
    });
    this.#apiConfirmed = true;
    return page;
  }

  /**
   * Every record matching `q` (1000 per page unless `q.size`), read to the end before anything
   * is returned, so that no caller decides on a partial list. Paging stops at `TotalPages` (once
   * `TotalItems` rows are seen), on an empty page or one that repeats rows already seen, and fails
   * beyond {@link MAX_SEARCH_PAGES} pages. After
   * the first page it asks with the page size the server used (`CurrentPageSize`, or the rows of
   * a full page when the server caps `size` without saying so). When the distinct rows seen do
   * not add up to `TotalItems` it fails instead of returning a partial or inconsistent list.
   * Rows are summaries: `Description` is not populated, so `get` a record before building an
   * update from it.
   */
  async searchAll(q: SearchQuery = {}, opts: SearchAllOptions = {}): Promise<WebhookSummary[]> {
    const query = checkQuery(q);
    let size = query.size ?? DEFAULT_SEARCH_PAGE_SIZE;
    const first = query.page ?? 1;
    const byId = new Map<number, WebhookSummary>();
    const path = `${WEBHOOKS}?${searchQueryString({ ...query, page: first, size })}`;
    let totalItems: number | undefined;
    let pages = 0;
    for (let page = first; ; page++) {
      if (pages >= MAX_SEARCH_PAGES) {
        throw new NexudusResponseError({
          method: "GET",
          path,
          problem:
            `the search did not end after ${MAX_SEARCH_PAGES} pages (${byId.size} distinct rows; ` +
            `TotalPages or HasNextPage kept asking for more), so paging was stopped and nothing ` +
            `was decided on the list`,
        });
      }
      pages++;
      const result = await this.searchPage(
        { ...query, page, size },
        page === first && opts.beforeSend ? { beforeSend: opts.beforeSend } : {},
      );
      const rows = result.Records;
      let fresh = 0;
      for (const row of rows) {
        if (!byId.has(row.Id)) {
          byId.set(row.Id, row);
          fresh++;
        }
      }
      totalItems = result.TotalItems;
      opts.onPage?.(page, result, byId.size);
      if (rows.length === 0 || fresh === 0) break; // an empty page, or one seen already
      // More to read: pages left by TotalPages, or rows left by TotalItems (HasNextPage alone,
      // which some servers never turn false, is not trusted).
      const more = page < result.TotalPages || (first === 1 && byId.size < result.TotalItems);
      if (page === first) {
        const used = result.CurrentPageSize;
        if (typeof used === "number" && Number.isInteger(used) && used > 0 && used < size) {
          size = used;
        } else if (more && rows.length < size) {
          size = rows.length; // the server capped the size without saying so
        }
      }
      if (!more) break;
    }
    if (first === 1 && totalItems !== undefined && byId.size !== totalItems) {
      throw new NexudusResponseError({
        method: "GET",
        path,
        problem:
          `the search returned ${byId.size} distinct rows but its TotalItems says ${totalItems}: ` +
          `the list is partial or inconsistent (records changed while paging, or the server pages ` +
          `differently), so nothing was decided on it; run the operation again`,
      });
    }
    return [...byId.values()];
  }

  /** {@link searchAll} as an iterator (every page is read before the first row is yielded). */
  async *search(q: SearchQuery = {}): AsyncIterable<WebhookSummary> {
    yield* await this.searchAll(q);
  }

  /** The full record with this Id. */
  async get(id: number): Promise<WebhookRecord> {
    const path = recordPath("GET", id);
    return this.recordCall<WebhookRecord>({
      route: "get",
      method: "GET",
      path,
      read: (body) => {
        const r = check(webhookRecordSchema(), body);
        if (r.ok && r.value.Id !== id) {
          return { ok: false, problem: `Id: expected ${id}, got ${r.value.Id}` };
        }
        return r;
      },
    });
  }

  /**
   * Creates a record. Never retried (except after a throttle, when the server did nothing): on a
   * failure after sending (reset, timeout, 5xx) the error has `mayHaveCommitted: true`, and the
   * caller must search before creating again.
   */
  async create(body: WebhookWrite): Promise<WriteResult> {
    const checked = checkBody("POST", WEBHOOKS, webhookWriteSchema(), body);
    return this.call<WriteResult>({
      route: "create",
      method: "POST",
      path: WEBHOOKS,
      body: jsonBody(checked),
      read: (answer) => readWrite(answer, undefined),
    });
  }

  /** Replaces a record (a field left out is cleared: build the body from a fresh `get`). */
  async update(body: WebhookWrite & { Id: number }): Promise<WriteResult> {
    const checked = checkBody("PUT", WEBHOOKS, webhookUpdateSchema(), body);
    return this.recordCall<WriteResult>({
      route: "update",
      method: "PUT",
      path: WEBHOOKS,
      body: jsonBody(checked),
      read: (answer) => readWrite(answer, checked.Id),
    });
  }

  /**
   * Deletes a record. When an attempt fails without a definite answer and the retry answers 404,
   * the first attempt deleted it: that is success.
   */
  async delete(id: number): Promise<void> {
    const path = recordPath("DELETE", id);
    await this.recordCall<void>({
      route: "delete",
      method: "DELETE",
      path,
      read: (answer) => {
        if (answer === undefined) return { ok: true, value: undefined };
        const r = check(writeEnvelopeSchema(), answer);
        return r.ok ? { ok: true, value: undefined } : r;
      },
    });
  }

  /**
   * Makes sure a token is held: exchanges the username and password at `POST /api/token` unless
   * a valid token is cached (the cache is process-wide). Does nothing for a token client.
   */
  async exchangeToken(): Promise<void> {
    await this.#auth.authorization();
  }

  // ---- internals -------------------------------------------------------------------------------

  /**
   * A call on one record: a 404 is "no such record" only once the API is known to answer here
   * (a search succeeded in this process); otherwise one search page is asked first, and when that
   * fails too the 404 is the route's, not the record's ({@link NexudusRoutingError}, naming
   * baseUrl), so nothing is taken as deleted.
   */
  private async recordCall<T>(op: Operation<T>): Promise<T> {
    try {
      return await this.call(op);
    } catch (e) {
      if (!(e instanceof NexudusNotFoundError) || this.#apiConfirmed) throw e;
      try {
        await this.searchPage({ page: 1, size: 1 });
      } catch (probe) {
        if (probe instanceof NexudusAuthError) throw e; // the API answered: the route exists
        const name = errorMessage(probe);
        if (
          probe instanceof NexudusRoutingError ||
          probe instanceof NexudusNotFoundError ||
          probe instanceof NexudusResponseError
        ) {
          throw new NexudusRoutingError({
            method: op.method,
            path: op.path,
            status: 404,
            baseUrl: this.baseUrl,
            why: `the WebHook search does not answer at this address either: ${name}`,
            ...(e.apiMessage !== undefined ? { apiMessage: e.apiMessage } : {}),
          });
        }
        throw new NexudusApiError(
          `${op.method} ${op.path} answered 404, and whether that means "no such record" could ` +
            `not be confirmed (the WebHook search failed: ${name}); nothing was taken as deleted. ` +
            `Try again.`,
          { method: op.method, path: op.path, status: 404 },
        );
      }
      throw e;
    }
  }

  private exchange(
    form: Record<string, string>,
  ): Promise<{ accessToken: string; refreshToken?: string; expiresIn?: number }> {
    return this.call({
      route: "token",
      method: "POST",
      path: TOKEN,
      body: {
        contentType: "application/x-www-form-urlencoded",
        text: new URLSearchParams(form).toString(),
      },
      read: (body) => {
        const r = check(tokenResponseSchema(), body);
        if (!r.ok) return r;
        registerSecret(r.value.access_token);
        registerSecret(r.value.refresh_token);
        return {
          ok: true,
          value: {
            accessToken: r.value.access_token,
            ...(r.value.refresh_token ? { refreshToken: r.value.refresh_token } : {}),
            ...(typeof r.value.expires_in === "number" ? { expiresIn: r.value.expires_in } : {}),
          },
        };
      },
    });
  }

  /** The request loop: limiter slot, send, read, one token renewal on 401, the retry policy. */
  private async call<T>(op: Operation<T>): Promise<T> {
    const recordWrite = op.method !== "GET" && op.route !== "token";
    const idempotent = op.method !== "POST" || op.route === "token";
    let attempts = 0;
    let retries = 0;
    let throttles = 0;
    let renewed = false;
    let ambiguous = false;
    for (;;) {
      const authorization = op.route === "token" ? undefined : await this.#auth.authorization();
      const slot = this.#limiter ? await this.slot(op) : undefined;
      attempts++;
      if (attempts === 1) op.beforeSend?.();
      const started = performance.now();
      const outcome = await send(this.#http, op, authorization, this.timeoutMs);
      const result = classify(op, outcome, this);
      const throttle = !result.ok && result.failure.retry.kind === "throttle";
      slot?.done(throttle);
      const status = outcome.kind === "answer" ? outcome.status : undefined;

      if (result.ok) {
        this.emit(op, attempts, started, status);
        return result.value;
      }
      const failure = result.failure;
      const mayHaveCommitted = recordWrite && (ambiguous || failure.ambiguous);
      if (this.#onRequest) {
        this.emit(op, attempts, started, status, failure.make({ attempts, mayHaveCommitted }));
      }

      if (status === 401 && authorization && this.#auth.renewable && !renewed) {
        renewed = true;
        await this.#auth.renew(authorization);
        continue;
      }
      if (op.route === "delete" && ambiguous && status === 404) return undefined as T;
      if (failure.ambiguous) ambiguous = true;
      if (failure.retry.kind === "throttle" && slot && this.#limiter?.throttled) {
        // A throttle the limiter did not predict: budget spent elsewhere (another command or
        // stack of this user). The limiter holds every request for a growing while; the server
        // did nothing, so the request goes again when the hold ends (more tries than other
        // failures, each bounded by the hold's cap).
        if (throttles >= this.#maxThrottleRetries) {
          throw failure.make({ attempts, mayHaveCommitted });
        }
        throttles++;
        this.#limiter.throttled(slot, failure.retry.retryAfterMs);
        continue;
      }
      const delay = retryDelay(this.#policy, failure.retry, retries + 1, idempotent);
      if (delay === undefined) throw failure.make({ attempts, mayHaveCommitted });
      retries++;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  /** A limiter slot, or the error of a budget spent for longer than `maxWaitMs` (nothing sent). */
  private async slot(op: Operation<unknown>): Promise<Slot> {
    try {
      return await this.#limiter!.acquire(op.method !== "GET", this.#acquireOptions);
    } catch (e) {
      const spent = e as RateBudgetSpent;
      if (typeof spent?.limit !== "string" || typeof spent.freesAt !== "number") throw e;
      throw new NexudusRateBudgetError({
        method: op.method,
        path: op.path,
        attempts: 0,
        limit: spent.limit,
        count: spent.count,
        freesAt: spent.freesAt,
        waitMs: spent.waitMs,
        maxWaitMs: this.#maxWaitMs,
        about: aboutDuration(spent.waitMs),
      });
    }
  }

  private emit(
    op: Operation<unknown>,
    attempt: number,
    started: number,
    status: number | undefined,
    error?: NexudusApiError,
  ): void {
    if (!this.#onRequest) return;
    const event: RequestEvent = {
      method: op.method,
      path: redact(op.path),
      route: op.route,
      attempt,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(status !== undefined ? { status } : {}),
      ...(error ? { error: `${error.name}: ${error.message}` } : {}),
    };
    try {
      this.#onRequest(event);
    } catch {
      // a logging hook must not break the call
    }
  }
}
