/**
 * The account context: everything the provider keeps for one Nexudus account (a base URL and a
 * user), made in `configure()` and looked up by the resource logic, never global:
 * - the account's client, built from the settings on first use (a preview needs no credentials);
 * - its {@link ClientShare}: the tokens exchanged for the password, the rate limiter with its call
 *   history, and their counters (one budget for every resource of the account);
 * - its read cache (refresh pages), its create guard (snapshots before creates) and its created
 *   rows (the shared page of new records, and what was learnt about stored descriptions).
 * Two accounts never share any of it. A test makes its own context.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ClientShare, NexudusClient } from "../client/client";
import {
  clientOptions,
  DEFAULT_REFRESH_MODE,
  requireCredentials,
  type ProviderSettings,
  type RefreshMode,
} from "../config/settings";
import { CreatedRows } from "./createdRows";
import { CreateGuard } from "./createGuard";
import { ReadCache } from "./readCache";

/** The account of some settings: base URL and user (a token by its hash; never the secret). */
export function accountKey(settings: ProviderSettings): string {
  const who =
    settings.token !== undefined
      ? `token:${createHash("sha256").update(settings.token).digest("hex")}`
      : `user:${settings.username ?? ""}`;
  return `${settings.baseUrl}\n${who}`;
}

/** One account's client, budget, caches and guards. */
export class AccountContext {
  /** The account (see {@link accountKey}). */
  readonly account: string;
  /** What the account's clients share: tokens, limiter, counters. */
  readonly share: ClientShare;
  readonly #settings: ProviderSettings;
  #client: NexudusClient | undefined;
  #reads: ReadCache | undefined;
  #guard: CreateGuard | undefined;
  #rows: CreatedRows | undefined;

  /**
   * @param settings - the checked settings (see `config/settings.ts`).
   * @param share - the share of an earlier context of the same account (new settings, same
   *   account: the tokens and the budget carry over); a new one when not given.
   * @param client - a client to use instead of one built from the settings (tests).
   */
  constructor(settings: ProviderSettings, share?: ClientShare, client?: NexudusClient) {
    this.#settings = settings;
    this.account = accountKey(settings);
    this.share = client?.share ?? share ?? new ClientShare();
    this.#client = client;
  }

  /** The settings this context was made from (holds secrets: never log it). */
  get settings(): Readonly<ProviderSettings> {
    return this.#settings;
  }

  /** The configured refresh mode (`nexudus:refreshMode`), `account` when none. */
  get refreshMode(): RefreshMode {
    return this.#settings.refreshMode ?? DEFAULT_REFRESH_MODE;
  }

  /** The account's client; built on first use. Throws when credentials are missing. */
  get client(): NexudusClient {
    if (this.#client) return this.#client;
    requireCredentials(this.#settings);
    this.#client = new NexudusClient(clientOptions(this.#settings), this.share);
    return this.#client;
  }

  /** The read cache of refresh (search pages shared by reads). */
  get reads(): ReadCache {
    return (this.#reads ??= new ReadCache(this.client));
  }

  /** The guard of creates (snapshots of each location before its creates). */
  get guard(): CreateGuard {
    return (this.#guard ??= new CreateGuard(this.client));
  }

  /** The shared page of new records at each location. */
  get rows(): CreatedRows {
    return (this.#rows ??= new CreatedRows(this.client));
  }
}
