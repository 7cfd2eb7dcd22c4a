/**
 * Helpers for the emulator tests: plain `fetch` calls on loopback and a webhook receiver.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { EmulatorHandle } from "../../emulator";

/** The default admin's bearer header. */
export const ADMIN_AUTH = "Bearer emulator-admin-token";

/** A parsed answer. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
}

/** Options of {@link call}. */
export interface CallOptions {
  /** A JSON body (serialized) ... */
  body?: unknown;
  /** ... or a raw body (sent without Content-Type unless `headers` has one). */
  rawBody?: string;
  /** The Authorization header; null sends none. Default: the admin token. */
  auth?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Calls the emulator with plain fetch. */
export async function call(
  emu: Pick<EmulatorHandle, "url">,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  const auth = opts.auth === undefined ? ADMIN_AUTH : opts.auth;
  if (auth !== null) headers["Authorization"] = auth;
  let body: string | Uint8Array | undefined;
  if (opts.rawBody !== undefined) {
    // A string body makes fetch add "Content-Type: text/plain"; bytes leave the header out.
    const hasType = Object.keys(headers).some((h) => h.toLowerCase() === "content-type");
    body = hasType ? opts.rawBody : new TextEncoder().encode(opts.rawBody);
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] ??= "application/json";
  }
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A valid create body for location 1234. */
export function webhookBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    BusinessId: 1234,
    Name: "Bookings to CRM",
    Action: 6,
    URL: "https://hooks.example.com/bookings",
    Description: "sends new bookings",
    Active: true,
    ...overrides,
  };
}

/** Creates a webhook through the API and returns its Id. */
export async function createWebhook(
  emu: Pick<EmulatorHandle, "url">,
  overrides: Record<string, unknown> = {},
  auth?: string,
): Promise<number> {
  const r = await call(emu, "POST", "/api/sys/webhooks", {
    body: webhookBody(overrides),
    ...(auth !== undefined ? { auth } : {}),
  });
  if (r.status !== 200) throw new Error(`create failed: ${r.status} ${r.text}`);
  return (r.json as { Value: { Id: number } }).Value.Id;
}

/** A form-encoded body. */
export function form(fields: Record<string, string>): {
  rawBody: string;
  headers: Record<string, string>;
  auth: null;
} {
  return {
    rawBody: new URLSearchParams(fields).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    auth: null,
  };
}

/** Basic auth header value. */
export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** One request a receiver got. */
export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback. */
export interface Receiver {
  url: string;
  received: Received[];
  /** The status it answers (default 200); "hang" never answers. */
  respondWith: number | "hang";
  close(): Promise<void>;
}

/** Starts a webhook receiver on 127.0.0.1. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: "",
    received,
    respondWith: 200,
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      if (receiver.respondWith === "hang") return;
      res.writeHead(receiver.respondWith, { "Content-Type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

/** A loopback URL where nothing listens (connection refused). */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An ISO 8601 UTC date with the Z suffix. */
export const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;
/** A UUID. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
