/**
 * Pure parts of the client: the retry policy, Retry-After parsing, redaction, schema messages
 * and path encoding.
 */
import { z } from "zod";
import { encodePath } from "../../provider/client";
import { NexudusAuthError, NexudusServerError, parseErrorBody } from "../../provider/errors";
import { REDACTED, redact, registerSecret } from "../../provider/redact";
import {
  BACKOFF_CAP_MS,
  backoffDelay,
  parseRetryAfter,
  retryDelay,
  type FailureClass,
  type RetryPolicy,
} from "../../provider/retry";
import { describeIssues, webhookRecordSchema } from "../../provider/schemas";

const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxRetries: 5,
  timeFactor: 1,
  random: () => 1,
  ...over,
});

describe("retryDelay", () => {
  const throttle: FailureClass = { kind: "throttle", retryAfterMs: 1000 };
  it.each<[string, FailureClass, boolean, number | undefined]>([
    ["throttle, idempotent", throttle, true, 1000],
    ["throttle, create (the server did nothing)", throttle, false, 1000],
    ["5xx, idempotent", { kind: "server" }, true, 200],
    ["5xx, create", { kind: "server" }, false, undefined],
    ["timeout, idempotent", { kind: "timeout" }, true, 200],
    ["timeout, create", { kind: "timeout" }, false, undefined],
    ["reset, idempotent", { kind: "connection", transient: true }, true, 200],
    ["reset, create", { kind: "connection", transient: true }, false, undefined],
    ["DNS failure (not transient)", { kind: "connection", transient: false }, true, undefined],
    ["a final answer (4xx)", { kind: "final" }, true, undefined],
  ])("%s", (_label, failure, idempotent, expected) => {
    expect(retryDelay(policy(), failure, 1, idempotent)).toBe(expected);
  });

  it("stops after maxRetries retries", () => {
    expect(retryDelay(policy({ maxRetries: 2 }), { kind: "server" }, 2, true)).toBeDefined();
    expect(retryDelay(policy({ maxRetries: 2 }), { kind: "server" }, 3, true)).toBeUndefined();
    expect(retryDelay(policy({ maxRetries: 0 }), throttle, 1, true)).toBeUndefined();
  });

  it("backs off exponentially with full jitter, capped, scaled by the time factor", () => {
    const at = (attempt: number, tf = 1, r = 1) =>
      backoffDelay(policy({ timeFactor: tf, random: () => r }), attempt);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => at(n))).toEqual([
      200,
      400,
      800,
      1600,
      3200,
      6400,
      BACKOFF_CAP_MS,
      BACKOFF_CAP_MS,
    ]);
    expect(at(3, 0.02)).toBeCloseTo(16);
    expect(at(20, 0.02)).toBeCloseTo(200);
    expect(at(3, 1, 0.25)).toBe(200);
    expect(at(3, 1, 0)).toBe(0);
  });
});

describe("parseRetryAfter", () => {
  it.each<[string | undefined, number, number | undefined]>([
    ["1", 1, 1000],
    ["1", 0.02, 20],
    [" 2 ", 0.5, 1000],
    ["0", 1, 0],
    [undefined, 1, undefined],
    ["", 1, undefined],
    // Capped at a minute × time factor: a server asking for a day holds a minute at most.
    ["86400", 1, 60_000],
    ["86400", 0.01, 600],
    ["61", 1, 60_000],
    // Neither delta-seconds nor an HTTP date: the documented Retry-After: 1.
    ["soon", 1, 1000],
    ["-5", 0.02, 20],
    ["1e9", 1, 1000],
    ["Infinity", 1, 1000],
  ])("%p × %p → %p ms", (header, tf, expected) => {
    expect(parseRetryAfter(header, tf)).toBe(expected);
  });

  it("reads an HTTP date (not scaled), capped at a minute × time factor", () => {
    const now = Date.parse("2025-01-15T10:30:00Z");
    expect(parseRetryAfter("Wed, 15 Jan 2025 10:30:03 GMT", 1, now)).toBe(3000);
    expect(parseRetryAfter("Wed, 15 Jan 2025 10:30:03 GMT", 0.02, now)).toBe(1200);
    expect(parseRetryAfter("Wed, 15 Jan 2025 11:30:00 GMT", 1, now)).toBe(60_000); // an hour ahead
    expect(parseRetryAfter("Wed, 15 Jan 2025 10:29:00 GMT", 1, now)).toBe(0); // past
  });
});

describe("redaction", () => {
  it("removes registered secrets in every encoding", () => {
    const secret = "p@ss word/S3CRET+1";
    registerSecret(secret);
    const text = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ p: secret }).toString(),
      JSON.stringify({ x: secret }),
      Buffer.from(secret).toString("base64"),
    ].join(" | ");
    const out = redact(text);
    expect(out).not.toContain("S3CRET");
    expect(out).toContain(REDACTED);
  });

  it("removes credential-looking patterns never registered", () => {
    expect(redact("Authorization: Bearer abc.def-ghi")).not.toContain("abc.def");
    expect(redact("sent Basic dXNlcjpwYXNz")).toBe(`sent Basic ${REDACTED}`);
    expect(redact("grant_type=password&username=u&password=hunter22")).toBe(
      `grant_type=password&username=u&password=${REDACTED}`,
    );
    expect(redact('{"access_token":"zzz","refresh_token":"yyy"}')).toBe(
      `{"access_token":"${REDACTED}","refresh_token":"${REDACTED}"}`,
    );
  });

  it("leaves ordinary text alone", () => {
    const text = "GET /api/sys/webhooks/5 failed (503): try again later";
    expect(redact(text)).toBe(text);
  });

  it("applies to every error message and field, even when the API echoes a credential", () => {
    registerSecret("tok-ECHOED-9912");
    const e = new NexudusAuthError({
      method: "GET",
      path: "/api/sys/webhooks/1",
      status: 401,
      apiMessage: "token tok-ECHOED-9912 is not valid",
      fieldErrors: [{ property: "token", message: "tok-ECHOED-9912" }],
      requiredRole: "WebHook-Read",
    });
    const text = [e.message, e.stack, JSON.stringify(e), String(e)].join("\n");
    expect(text).not.toContain("tok-ECHOED-9912");
    expect(e.apiMessage).toBe(`token ${REDACTED} is not valid`);
  });
});

describe("error bodies and messages", () => {
  it.each<[unknown, ReturnType<typeof parseErrorBody>]>([
    ["Not found", { apiMessage: "Not found", fieldErrors: [] }],
    [
      {
        Message: "Name: is a required field",
        Errors: [{ AttemptedValue: null, Message: "is a required field", PropertyName: "Name" }],
        WasSuccessful: false,
      },
      {
        apiMessage: "Name: is a required field",
        fieldErrors: [{ property: "Name", message: "is a required field" }],
      },
    ],
    [
      { error: "invalid_grant", error_description: "The user name or password is incorrect." },
      {
        apiMessage: "The user name or password is incorrect.",
        oauthError: "invalid_grant",
        fieldErrors: [],
      },
    ],
    [undefined, { fieldErrors: [] }],
    [42, { fieldErrors: [] }],
    [
      { Errors: [null, 3, { PropertyName: "URL" }] },
      { fieldErrors: [{ property: "URL", message: "" }] },
    ],
  ])("parses %p liberally", (body, expected) => {
    expect(parseErrorBody(body)).toEqual(expected);
  });

  it("says when a write may have been applied", () => {
    const e = new NexudusServerError({
      method: "POST",
      path: "/api/sys/webhooks",
      status: 502,
      mayHaveCommitted: true,
    });
    expect(e.message).toContain("may have been applied by the server");
    expect(e.name).toBe("NexudusServerError");
    expect(String(e)).toMatch(/^NexudusServerError: POST \/api\/sys\/webhooks failed/);
  });

  it("describes schema problems in one readable line", () => {
    // Name, URL and Active may be null or missing on a foreign record (read as "" / false).
    const r = webhookRecordSchema().safeParse({ Id: "seven", Action: 2, URL: "u" });
    expect(r.success).toBe(false);
    expect(describeIssues(r.error!)).toBe(
      "Id: expected number, received string; BusinessId: expected number, missing",
    );
    const many = z.object({
      a: z.string(),
      b: z.string(),
      c: z.string(),
      d: z.string(),
      e: z.string(),
      f: z.string(),
      g: z.string(),
    });
    expect(describeIssues(many.safeParse({}).error!)).toMatch(/; and 2 more$/);
  });
});

describe("encodePath", () => {
  it("encodes every parameter", () => {
    expect(encodePath`/api/sys/webhooks/${5}`).toBe("/api/sys/webhooks/5");
    expect(encodePath`/a/${"x/../y?z=1"}/b`).toBe("/a/x%2F..%2Fy%3Fz%3D1/b");
  });
});
