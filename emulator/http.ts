/**
 * The emulator's HTTP plumbing, shared by the routing and the handlers: an answer before it is
 * written, reading a request body with a size cap, and writing an answer.
 */
import type * as http from "node:http";

/** Largest request body accepted, in bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The body of a 404 for a missing record: the JSON string "Not found". */
export const NOT_FOUND = "Not found";

/** An answer before it is written: a status, a body (JSON value or raw text) and headers. */
export interface Answer {
  status: number;
  /** A JSON value to serialize, or raw text with `raw: true`, or undefined for an empty body. */
  body?: unknown;
  raw?: boolean;
  headers?: Record<string, string>;
}

/** The API's throttle: 409 with `Retry-After: 1` (or `retryAfter`) and an empty body. */
export function throttled(retryAfter = "1"): Answer {
  return { status: 409, headers: { "Retry-After": retryAfter } };
}

/** A request body over {@link MAX_BODY_BYTES}. */
export class BodyTooLarge extends Error {}

/** Reads a request body as UTF-8; rejects with {@link BodyTooLarge} past the cap. */
export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** The text and Content-Type an answer is written with. */
export function serialize(a: Answer): {
  text: string | undefined;
  contentType: string | undefined;
} {
  if (a.body === undefined) return { text: undefined, contentType: undefined };
  if (a.raw) return { text: String(a.body), contentType: a.headers?.["Content-Type"] };
  return { text: JSON.stringify(a.body), contentType: "application/json; charset=utf-8" };
}

/** Writes an answer with `text` as its body (which may differ from the answer's own, truncated). */
export function write(res: http.ServerResponse, a: Answer, text: string | undefined): void {
  const headers: Record<string, string | number> = { ...(a.headers ?? {}) };
  const { contentType } = serialize(a);
  if (text !== undefined && contentType !== undefined) headers["Content-Type"] = contentType;
  headers["Content-Length"] = text === undefined ? 0 : Buffer.byteLength(text);
  res.writeHead(a.status, headers);
  res.end(text);
}
