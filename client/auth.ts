/**
 * The credential on requests: a static bearer token, or the password grant at `POST /api/token`
 * with a token cache (the account's, in its `ClientShare`: shared by the clients of one base URL
 * and user), renewed once after a 401 and shared by concurrent callers.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { NexudusAuthError, NexudusResponseError, NexudusValidationError } from "./errors";
import { TOKEN } from "./routes";

/** Puts the credential on requests. */
export interface TokenSource {
  /** Whether a 401 can be cured by renewing the token. */
  readonly renewable: boolean;
  /** The `Authorization` header value. */
  authorization(): Promise<string>;
  /** Renews the token after `stale` was refused (shared between concurrent callers). */
  renew(stale: string): Promise<void>;
}

/** A token exchanged for a username and password, shared by the clients of one account. */
export interface CachedToken {
  accessToken?: string;
  refreshToken?: string;
  /** `Date.now()` after which the token is renewed before use. */
  renewAfter?: number;
  inflight?: Promise<void>;
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Performs one token exchange at `POST /api/token` (a client's request loop). */
export interface TokenExchanger {
  exchange(
    form: Record<string, string>,
  ): Promise<{ accessToken: string; refreshToken?: string; expiresIn?: number }>;
}

export class StaticToken implements TokenSource {
  readonly renewable = false;
  // ES private: invisible to JSON.stringify, util.inspect and closure serializers.
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  async authorization(): Promise<string> {
    return `Bearer ${this.#token}`;
  }
  async renew(): Promise<void> {}
}

export class PasswordGrant implements TokenSource {
  readonly renewable = true;
  // ES private: invisible to JSON.stringify, util.inspect and closure serializers.
  readonly #key: string;
  readonly #username: string;
  readonly #password: string;
  readonly #exchanger: TokenExchanger;
  readonly #cache: Map<string, CachedToken>;

  constructor(
    baseUrl: string,
    username: string,
    password: string,
    exchanger: TokenExchanger,
    cache: Map<string, CachedToken> = new Map(),
  ) {
    this.#cache = cache;
    this.#username = username;
    this.#password = password;
    this.#exchanger = exchanger;
    // Keyed by base URL and username; the password's hash keeps a wrong password from reusing
    // the token of a right one.
    this.#key = `${baseUrl}\n${username}\n${sha256(password)}`;
  }

  private entry(): CachedToken {
    const cache = this.#cache;
    let e = cache.get(this.#key);
    if (!e) {
      e = {};
      cache.set(this.#key, e);
    }
    return e;
  }

  async authorization(): Promise<string> {
    const e = this.entry();
    // Join an exchange in flight, or start one; a second pass only covers a cache cleared meanwhile.
    for (let pass = 0; pass < 3; pass++) {
      if (e.inflight) await e.inflight;
      if (e.accessToken && (e.renewAfter === undefined || Date.now() < e.renewAfter)) {
        return `Bearer ${e.accessToken}`;
      }
      if (!e.inflight) await this.run(e, false);
    }
    throw new NexudusResponseError({
      method: "POST",
      path: TOKEN,
      problem: "the token exchange succeeded but no access token could be kept",
    });
  }

  async renew(stale: string): Promise<void> {
    const e = this.entry();
    if (e.inflight) return e.inflight;
    if (e.accessToken && `Bearer ${e.accessToken}` !== stale) return; // renewed by someone else
    return this.run(e, true);
  }

  /** Runs one exchange for every concurrent caller: refresh grant first when asked and possible. */
  private run(e: CachedToken, preferRefresh: boolean): Promise<void> {
    const refreshToken = preferRefresh ? e.refreshToken : undefined;
    const job = (async () => {
      let got: Awaited<ReturnType<TokenExchanger["exchange"]>> | undefined;
      if (refreshToken) {
        try {
          got = await this.#exchanger.exchange({
            grant_type: "refresh_token",
            refresh_token: refreshToken,
          });
        } catch (err) {
          if (!(err instanceof NexudusAuthError) && !(err instanceof NexudusValidationError)) {
            throw err;
          }
          got = undefined; // the refresh token is no good: fall back to the password
        }
      }
      got ??= await this.#exchanger.exchange({
        grant_type: "password",
        username: this.#username,
        password: this.#password,
      });
      e.accessToken = got.accessToken;
      if (got.refreshToken !== undefined) e.refreshToken = got.refreshToken;
      if (got.expiresIn !== undefined && got.expiresIn > 0) {
        const margin = Math.min(60, got.expiresIn / 10);
        e.renewAfter = Date.now() + (got.expiresIn - margin) * 1000;
      } else {
        delete e.renewAfter;
      }
    })();
    const inflight = job.finally(() => {
      if (e.inflight === inflight) delete e.inflight;
    });
    e.inflight = inflight;
    return inflight;
  }
}
