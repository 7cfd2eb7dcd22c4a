/**
 * Injected faults: which request a fault hits (per route, after `skip` matching requests, for
 * `times` of them), the answers of the kinds that answer by themselves, and the bodies of the
 * kinds that alter the real answer. The routing decides when a fault applies.
 */
import { z } from "zod";
import { throttled, type Answer } from "./http";
import { FAULT_KINDS, ROUTES, type FaultKind, type FaultSpec, type Route } from "./types";

interface ActiveFault {
  spec: FaultSpec;
  skipLeft: number;
  timesLeft: number;
}

/** Checks a fault spec (from code or the admin endpoint); throws an error naming the field. */
export function checkFault(f: FaultSpec): FaultSpec {
  const parsed = faultSpecSchema().safeParse(f);
  if (!parsed.success) {
    throw new Error(`emulator fault: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * The zod schema of a fault spec. `times` may also be the string `"Infinity"` (JSON has no
 * Infinity), as the admin endpoint accepts it.
 */
export function faultSpecSchema() {
  const count = z.union([
    z.number().int().min(0),
    z.literal(Infinity),
    z.literal("Infinity").transform(() => Infinity),
  ]);
  return z
    .object({
      route: z.enum(["*", ...ROUTES] as [Route | "*", ...(Route | "*")[]]),
      kind: z.enum(FAULT_KINDS as [FaultSpec["kind"], ...FaultSpec["kind"][]]),
      status: z.number().int().min(100).max(599).optional(),
      delayMs: z.number().min(0).optional(),
      jitterMs: z.number().min(0).optional(),
      retryAfter: z.string().max(200).optional(),
      times: count.optional(),
      skip: z.number().int().min(0).optional(),
    })
    .strict()
    .refine((f) => f.kind !== "delay" || f.delayMs !== undefined, {
      message: 'kind "delay" needs delayMs',
      path: ["delayMs"],
    })
    .refine((f) => f.kind === "delay" || f.jitterMs === undefined, {
      message: 'jitterMs is for kind "delay" only',
      path: ["jitterMs"],
    })
    .refine((f) => f.kind === "throttle" || f.retryAfter === undefined, {
      message: 'retryAfter is for kind "throttle" only',
      path: ["retryAfter"],
    });
}

/** The faults currently armed, in the order they were injected. */
export class FaultBook {
  private faults: ActiveFault[] = [];

  /** Arms a fault. */
  add(spec: FaultSpec): void {
    const f = checkFault(spec);
    this.faults.push({ spec: f, skipLeft: f.skip ?? 0, timesLeft: f.times ?? 1 });
  }

  /** Disarms every fault. */
  clear(): void {
    this.faults = [];
  }

  /**
   * The fault that hits this request of `route`, if any. Every armed fault whose route matches
   * and that still has `skip` left lets the request through and counts it; the first matching
   * fault with no skip left hits it (and uses up one of its `times`).
   */
  take(route: Route): FaultSpec | undefined {
    let hit: FaultSpec | undefined;
    for (const f of this.faults) {
      if (f.timesLeft <= 0 || (f.spec.route !== "*" && f.spec.route !== route)) continue;
      if (f.skipLeft > 0) {
        f.skipLeft--;
        continue;
      }
      if (hit === undefined) {
        hit = f.spec;
        f.timesLeft--;
      }
    }
    this.faults = this.faults.filter((f) => f.timesLeft > 0);
    return hit;
  }
}

/** The HTML page of the `html` fault (what a proxy in front of the API answers). */
export const HTML_502_PAGE =
  "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>" +
  "<body><h1>502 Bad Gateway</h1><p>The server returned an invalid or incomplete response.</p>" +
  "</body></html>\n";

/** The JSON body of the `status` fault. */
export function statusFaultBody(status: number): Record<string, unknown> {
  return {
    Message: status >= 500 ? "An error has occurred." : `HTTP ${status}`,
    Value: null,
    Errors: null,
    WasSuccessful: false,
  };
}

/** The body of the `wasSuccessfulFalse` fault: HTTP 200 but a failed operation. */
export function wasSuccessfulFalseBody(): Record<string, unknown> {
  return {
    Status: 200,
    Message: "WebHook: the operation could not be completed",
    Value: null,
    Errors: [
      {
        AttemptedValue: null,
        Message: "the operation could not be completed",
        PropertyName: "WebHook",
      },
    ],
    WasSuccessful: false,
  };
}

/**
 * The answer of a fault that answers by itself (`status`, `wasSuccessfulFalse`, `throttle`,
 * `html`), `"reset"` for `reset`, or undefined for the kinds that let the request go on.
 * `echoed`: the request's URL, when the server quotes it in its errors (`echoRequestInErrors`).
 */
export function faultAnswer(
  fault: FaultSpec,
  body: string,
  echoed: string | undefined,
): Answer | "reset" | undefined {
  switch (fault.kind) {
    case "status": {
      const status = fault.status ?? 500;
      const failure = statusFaultBody(status);
      if (echoed !== undefined) {
        failure["Message"] = `An error has occurred while saving the WebHook for ${echoed}.`;
        failure["ExceptionMessage"] = `SqlException: cannot insert ${body}`;
      }
      return { status, body: failure };
    }
    case "wasSuccessfulFalse": {
      const failure = wasSuccessfulFalseBody();
      if (echoed !== undefined) {
        failure["Message"] = `WebHook: the URL ${echoed} could not be reached`;
        failure["Errors"] = [
          { AttemptedValue: echoed, Message: `${echoed} is not reachable`, PropertyName: "URL" },
        ];
      }
      return { status: 200, body: failure };
    }
    case "throttle":
      return throttled(fault.retryAfter);
    case "html":
      return {
        status: fault.status ?? 502,
        raw: true,
        body: HTML_502_PAGE,
        headers: { "Content-Type": "text/html; charset=utf-8" },
      };
    case "reset":
      return "reset";
    default:
      return undefined;
  }
}

/** The kinds that alter the real handler's answer; like those that answer, they bypass the limiter. */
export const ALTERING_FAULTS: readonly FaultKind[] = ["commitThenReset", "truncated", "badRecord"];

function withoutIdAndName(row: unknown): Record<string, unknown> {
  const copy: Record<string, unknown> =
    typeof row === "object" && row !== null ? { ...(row as Record<string, unknown>) } : {};
  delete copy["Id"];
  delete copy["Name"];
  return copy;
}

/** The body of the `badRecord` fault for a route, built from the real answer. */
export function badRecordBody(route: Route, real: Answer): unknown {
  const body = (real.body ?? {}) as Record<string, unknown>;
  switch (route) {
    case "search": {
      const rows = Array.isArray(body["Records"]) ? (body["Records"] as unknown[]) : [];
      const bad = rows.length > 0 ? rows.map(withoutIdAndName) : [{ BusinessId: 0, Active: true }];
      return { ...body, Records: bad };
    }
    case "get":
      return withoutIdAndName(real.status === 200 ? real.body : { BusinessId: 0, Active: true });
    case "create":
    case "update":
      return {
        Status: 200,
        Message: `WebHook was successfully ${route === "create" ? "created" : "updated"}.`,
        Value: {},
        Errors: null,
        WasSuccessful: true,
      };
    case "delete":
      return { Status: 200, Value: null };
    case "token":
      return { token_type: "bearer", expires_in: body["expires_in"] ?? 0 };
  }
}
