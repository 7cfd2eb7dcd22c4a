/**
 * The emulator's admin endpoints (`/__emulator/...`, loopback, no auth): the handle's methods over
 * HTTP, for tests and demos that drive an emulator they did not start in-process.
 */
import type * as http from "node:http";
import { z } from "zod";
import { readBody, write } from "./http";
import type { EmulatorHandle, FaultSpec } from "./types";

const fireBodySchema = () =>
  z.object({
    businessId: z.number().int(),
    action: z.number().int(),
    payload: z.unknown().optional(),
  });

const expireBodySchema = () => z.object({ keepRefreshTokens: z.boolean().optional() }).strict();

/** Answers one admin request with what `handle` does or holds. */
export async function handleAdmin(
  handle: EmulatorHandle,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const p = url.pathname.replace(/\/+$/, "");
  const reply = (status: number, body: unknown): void =>
    write(res, { status, body }, JSON.stringify(body));
  const text = await readBody(req);
  const json = (): { ok: true; value: unknown } | { ok: false } => {
    if (text.trim() === "") return { ok: true, value: {} };
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch {
      return { ok: false };
    }
  };
  /** The body as `schema` reads it, or undefined once a 400 naming the problem is sent. */
  const bodyAs = <S extends z.ZodType>(schema: S): z.infer<S> | undefined => {
    const body = json();
    const parsed = body.ok ? schema.safeParse(body.value) : undefined;
    if (parsed?.success) return parsed.data;
    reply(400, { error: parsed ? z.prettifyError(parsed.error) : "the body is not valid JSON" });
    return undefined;
  };
  const key = `${method} ${p}`;
  switch (key) {
    case "GET /__emulator/requests":
      return reply(200, handle.requests());
    case "DELETE /__emulator/requests":
      handle.clearRequests();
      return reply(200, { ok: true });
    case "GET /__emulator/records":
      return reply(200, handle.records());
    case "POST /__emulator/faults": {
      const body = json();
      if (!body.ok) return reply(400, { error: "the body is not valid JSON" });
      try {
        handle.injectFault(body.value as FaultSpec);
      } catch (e) {
        return reply(400, { error: (e as Error).message });
      }
      return reply(200, { ok: true });
    }
    case "DELETE /__emulator/faults":
      handle.clearFaults();
      return reply(200, { ok: true });
    case "POST /__emulator/fire": {
      const body = bodyAs(fireBodySchema());
      if (body === undefined) return;
      return reply(200, await handle.fire(body.businessId, body.action, body.payload));
    }
    case "POST /__emulator/expire-tokens": {
      const body = bodyAs(expireBodySchema());
      if (body === undefined) return;
      handle.expireTokens(body);
      return reply(200, { ok: true });
    }
    default:
      return reply(404, { error: `no admin endpoint ${method} ${p}` });
  }
}
