/**
 * Validation of the JSON bodies of `POST /api/sys/webhooks` and `PUT /api/sys/webhooks`, with the
 * API's error shape: every failure names the property, the attempted value and a message.
 */
import { MAX_ACTION, MIN_ACTION } from "../client/actions";

/** One validation error, as the API reports it in `Errors`. */
export interface FieldError {
  /** The submitted value, or null when it was missing. */
  AttemptedValue: unknown;
  /** What is wrong, e.g. "is a required field". */
  Message: string;
  /** The property, e.g. "Name". */
  PropertyName: string;
}

/** The writable fields of a webhook, after validation. */
export interface WebhookWriteBody {
  Id?: number;
  BusinessId: number;
  Name: string;
  Action: number;
  URL: string;
  Description: string | null;
  Active: boolean;
}

/** The result of {@link validateWriteBody}. */
export type ValidationResult =
  { ok: true; value: WebhookWriteBody } | { ok: false; errors: FieldError[] };

/** The message of a missing or blank required field (as in the API's documentation). */
export const REQUIRED = "is a required field";

function isMissing(v: unknown): boolean {
  return v === undefined || v === null;
}

/**
 * Validates a create (`requireId` false) or update (`requireId` true) body.
 *
 * Rules: `BusinessId`, `Name`, `Action`, `URL` are required (and `Id` on update); `Name` and `URL`
 * must not be blank; numbers must be JSON integers (no numeric strings), `Action` in 1..90;
 * `BusinessId` must be one of `locationIds`; `Description` is a string or null; `Active` a boolean
 * or null. Other properties (e.g. the server fields of a record read with GET) are ignored.
 * A missing `Active` is false and a missing `Description` null: the API replaces the whole record.
 */
export function validateWriteBody(
  body: unknown,
  opts: { requireId: boolean; locationIds: ReadonlySet<number> },
): ValidationResult {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      ok: false,
      errors: [
        {
          AttemptedValue: Array.isArray(body) ? "[array]" : (body ?? null),
          Message: "the request body must be a JSON object",
          PropertyName: "body",
        },
      ],
    };
  }
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  const err = (prop: string, message: string): void => {
    errors.push({ AttemptedValue: b[prop] ?? null, Message: message, PropertyName: prop });
  };

  const integer = (prop: string, required: boolean): number | undefined => {
    const v = b[prop];
    if (isMissing(v)) {
      if (required) err(prop, REQUIRED);
      return undefined;
    }
    if (typeof v !== "number" || !Number.isSafeInteger(v)) {
      err(prop, "must be an integer");
      return undefined;
    }
    return v;
  };
  const requiredString = (prop: string): string | undefined => {
    const v = b[prop];
    if (isMissing(v)) {
      err(prop, REQUIRED);
      return undefined;
    }
    if (typeof v !== "string") {
      err(prop, "must be a string");
      return undefined;
    }
    if (v.trim() === "") {
      err(prop, REQUIRED);
      return undefined;
    }
    return v;
  };

  let id: number | undefined;
  if (opts.requireId) {
    id = integer("Id", true);
    if (id !== undefined && id <= 0) {
      err("Id", "must be a positive integer");
      id = undefined;
    }
  }
  const businessId = integer("BusinessId", true);
  if (businessId !== undefined && !opts.locationIds.has(businessId)) {
    err("BusinessId", "is not a valid location");
  }
  const name = requiredString("Name");
  const action = integer("Action", true);
  if (action !== undefined && (action < MIN_ACTION || action > MAX_ACTION)) {
    err("Action", `must be an eWebhookAction value between ${MIN_ACTION} and ${MAX_ACTION}`);
  }
  const url = requiredString("URL");

  let description: string | null = null;
  const d = b["Description"];
  if (!isMissing(d)) {
    if (typeof d === "string") description = d;
    else err("Description", "must be a string");
  }
  let active = false;
  const a = b["Active"];
  if (!isMissing(a)) {
    if (typeof a === "boolean") active = a;
    else err("Active", "must be a boolean");
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...(id !== undefined ? { Id: id } : {}),
      BusinessId: businessId!,
      Name: name!,
      Action: action!,
      URL: url!,
      Description: description,
      Active: active,
    },
  };
}

/** The API's `Message` for a list of errors: each as `PropertyName: message`, joined. */
export function joinErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.PropertyName}: ${e.Message}`).join("\n");
}
