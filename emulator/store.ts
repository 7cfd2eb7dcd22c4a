/**
 * The emulator's record store: the webhooks in memory, their Ids, and the optional state file
 * (loaded at start, rewritten atomically after every change).
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import type { WebhookInsert, WebhookRecord } from "./types";
import type { WebhookWriteBody } from "./validation";

/** The current time as an ISO 8601 string in UTC (`...Z`). */
export function nowIso(): string {
  return new Date().toISOString();
}

function stateFileSchema() {
  const record = z.object({
    Id: z.number().int(),
    UniqueId: z.string(),
    BusinessId: z.number().int(),
    Name: z.string(),
    Action: z.number().int(),
    Description: z.string().nullable(),
    URL: z.string(),
    Active: z.boolean(),
    LastError: z.string().nullable(),
    ErrorCount: z.number().int(),
    LastTrigger: z.string().nullable(),
    CreatedOn: z.string(),
    UpdatedOn: z.string(),
    UpdatedBy: z.string().nullable(),
    IsNew: z.boolean(),
    SystemId: z.string().nullable(),
    ToStringText: z.string(),
    LocalizationDetails: z.null(),
    CustomFields: z.null(),
  });
  return z.object({
    version: z.literal(1),
    nextId: z.number().int(),
    records: z.array(record),
  });
}

/** Options of {@link WebhookStore}. */
export interface StoreOptions {
  /** The first Id handed out when nothing is stored yet. */
  startId: number;
  /** The JSON state file, if any. */
  stateFile?: string;
  /** `UpdatedBy` of records inserted out of band. */
  defaultUpdatedBy: string;
}

/** The webhooks, keyed by Id. Every method returns copies, never the stored objects. */
export class WebhookStore {
  private readonly byId = new Map<number, WebhookRecord>();
  private nextId: number;
  private readonly stateFile: string | undefined;
  private readonly defaultUpdatedBy: string;

  constructor(opts: StoreOptions) {
    this.nextId = opts.startId;
    this.stateFile = opts.stateFile;
    this.defaultUpdatedBy = opts.defaultUpdatedBy;
    if (this.stateFile !== undefined && fs.existsSync(this.stateFile)) this.load(this.stateFile);
  }

  private load(file: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`emulator state file ${file} is not valid JSON: ${(e as Error).message}`);
    }
    const result = stateFileSchema().safeParse(parsed);
    if (!result.success) {
      throw new Error(
        `emulator state file ${file} does not hold emulator state: ${z.prettifyError(result.error)}`,
      );
    }
    let maxId = this.nextId - 1;
    for (const r of result.data.records) {
      this.byId.set(r.Id, { ...r });
      maxId = Math.max(maxId, r.Id);
    }
    this.nextId = Math.max(result.data.nextId, maxId + 1);
  }

  /** Writes the state file (temp file + rename, so a reader never sees half a file). */
  private persist(): void {
    if (this.stateFile === undefined) return;
    const data = JSON.stringify({ version: 1, nextId: this.nextId, records: this.all() }, null, 1);
    const dir = path.dirname(this.stateFile);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(
      dir,
      `.${path.basename(this.stateFile)}.${process.pid}.${randomUUID()}.tmp`,
    );
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, this.stateFile);
  }

  /** The Id the next created record will get. */
  peekNextId(): number {
    return this.nextId;
  }

  /** Every record, in Id order (copies). */
  all(): WebhookRecord[] {
    return [...this.byId.values()].sort((a, b) => a.Id - b.Id).map((r) => ({ ...r }));
  }

  /** The number of records. */
  size(): number {
    return this.byId.size;
  }

  /** One record (a copy), or undefined. */
  get(id: number): WebhookRecord | undefined {
    const r = this.byId.get(id);
    return r ? { ...r } : undefined;
  }

  /** Whether a record with this Id exists. */
  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** Creates a record from a validated body, as user `by`. */
  create(body: WebhookWriteBody, by: string): WebhookRecord {
    const now = nowIso();
    const record: WebhookRecord = {
      Id: this.nextId++,
      UniqueId: randomUUID(),
      BusinessId: body.BusinessId,
      Name: body.Name,
      Action: body.Action,
      Description: body.Description,
      URL: body.URL,
      Active: body.Active,
      LastError: null,
      ErrorCount: 0,
      LastTrigger: null,
      CreatedOn: now,
      UpdatedOn: now,
      UpdatedBy: by,
      IsNew: false,
      SystemId: null,
      ToStringText: body.Name,
      LocalizationDetails: null,
      CustomFields: null,
    };
    this.byId.set(record.Id, record);
    this.persist();
    return { ...record };
  }

  /**
   * Replaces the writable fields of record `id` (a full replace: `Description` and `Active` come
   * from the body, already defaulted to null / false). Server fields are kept. Undefined when the
   * Id is unknown.
   */
  replace(id: number, body: WebhookWriteBody, by: string): WebhookRecord | undefined {
    const old = this.byId.get(id);
    if (!old) return undefined;
    const record: WebhookRecord = {
      ...old,
      BusinessId: body.BusinessId,
      Name: body.Name,
      Action: body.Action,
      Description: body.Description,
      URL: body.URL,
      Active: body.Active,
      UpdatedOn: nowIso(),
      UpdatedBy: by,
      ToStringText: body.Name,
    };
    this.byId.set(id, record);
    this.persist();
    return { ...record };
  }

  /** Deletes a record; false when the Id is unknown. */
  delete(id: number): boolean {
    const existed = this.byId.delete(id);
    if (existed) this.persist();
    return existed;
  }

  /** Stores a record out of band; fields not given get defaults. */
  insert(partial: WebhookInsert): WebhookRecord {
    const now = nowIso();
    const id = partial.Id ?? this.nextId;
    if (!Number.isSafeInteger(id) || this.byId.has(id)) {
      throw new Error(`emulator insert: Id ${id} is not a free integer Id`);
    }
    const record: WebhookRecord = {
      UniqueId: randomUUID(),
      Description: null,
      Active: true,
      LastError: null,
      ErrorCount: 0,
      LastTrigger: null,
      CreatedOn: now,
      UpdatedOn: now,
      UpdatedBy: this.defaultUpdatedBy,
      IsNew: false,
      SystemId: null,
      ToStringText: partial.Name,
      LocalizationDetails: null,
      CustomFields: null,
      ...partial,
      Id: id,
    };
    this.byId.set(id, record);
    this.nextId = Math.max(this.nextId, id + 1);
    this.persist();
    return { ...record };
  }

  /**
   * Edits a record out of band. `UpdatedOn` becomes now unless the patch sets it; `Id` cannot
   * change. Throws when the Id is unknown.
   */
  patch(id: number, patch: Partial<WebhookRecord>): WebhookRecord {
    const old = this.byId.get(id);
    if (!old) throw new Error(`emulator patch: no record with Id ${id}`);
    const record: WebhookRecord = { ...old, UpdatedOn: nowIso(), ...patch, Id: id };
    if (patch.Name !== undefined && patch.ToStringText === undefined) {
      record.ToStringText = patch.Name;
    }
    this.byId.set(id, record);
    this.persist();
    return { ...record };
  }

  /**
   * Records the outcome of a delivery without touching `UpdatedOn` (it is bookkeeping of the
   * service, not an edit). Undefined when the record is gone.
   */
  updateDeliveryState(
    id: number,
    fields: Pick<WebhookRecord, "ErrorCount" | "LastError" | "LastTrigger" | "Active">,
  ): WebhookRecord | undefined {
    const old = this.byId.get(id);
    if (!old) return undefined;
    const record = { ...old, ...fields };
    this.byId.set(id, record);
    this.persist();
    return { ...record };
  }
}
