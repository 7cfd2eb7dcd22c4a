/**
 * The HTTP transport: one axios instance per client (text answers, no status thrown, at most
 * three redirects, the credential never carried to another origin) and the sending of one
 * attempt, which never throws: every outcome is an {@link Outcome} for `classify`.
 *
 * @module
 */
import axios, { type AxiosInstance } from "axios";
import type { Outcome } from "./classify";
import { redact } from "./redact";
import type { Operation } from "./routes";

/** The axios instance of a client of `baseUrl` (whose origin is `origin`). */
export function createHttp(baseUrl: string, origin: string): AxiosInstance {
  return axios.create({
    baseURL: baseUrl,
    validateStatus: () => true,
    responseType: "text",
    transformResponse: [(data: unknown) => data],
    maxRedirects: 3,
    maxContentLength: 64 * 1024 * 1024,
    // Never carry the credential to another origin.
    beforeRedirect: (options: Record<string, unknown>) => {
      let target = "";
      try {
        target = new URL(String(options.href)).origin;
      } catch {
        target = "";
      }
      if (target !== origin) {
        const headers = (options.headers ?? {}) as Record<string, unknown>;
        for (const name of Object.keys(headers)) {
          if (/^(authorization|cookie|proxy-authorization)$/i.test(name)) delete headers[name];
        }
        delete options.auth;
      }
    },
    headers: { Accept: "application/json", "User-Agent": "pulumi-nexudus" },
  });
}

/** Lower-cased header map with string values. */
export function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === "object") {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      if (v !== undefined && v !== null) {
        out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
      }
    }
  }
  return out;
}

/** The system error code of whatever the HTTP library threw. */
export function errorCode(err: unknown): { code: string; detail: string } {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } } | undefined;
  const code =
    typeof e?.cause?.code === "string" && /^E[A-Z]/.test(e.cause.code)
      ? e.cause.code
      : typeof e?.code === "string"
        ? e.code
        : "UNKNOWN";
  const message = typeof e?.message === "string" ? e.message : String(err);
  return { code, detail: redact(message).slice(0, 200) };
}

/** Sends one attempt; never throws. */
export async function send(
  http: AxiosInstance,
  op: Operation<unknown>,
  authorization: string | undefined,
  timeoutMs: number,
): Promise<Outcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const headers: Record<string, string> = {};
  if (authorization) headers.Authorization = authorization;
  if (op.body) headers["Content-Type"] = op.body.contentType;
  const data = op.body?.text;
  try {
    const res = await http.request<string>({
      method: op.method,
      url: op.path,
      headers,
      signal: controller.signal,
      // A body (a password or refresh-token grant, a secret webhook URL) never follows a redirect.
      ...(data !== undefined ? { data, maxRedirects: 0 } : {}),
    });
    const text = typeof res.data === "string" ? res.data : res.data == null ? "" : String(res.data);
    return { kind: "answer", status: res.status, headers: plainHeaders(res.headers), text };
  } catch (err) {
    if (timedOut) return { kind: "timeout" };
    return { kind: "network", ...errorCode(err) };
  } finally {
    clearTimeout(timer);
  }
}
