/**
 * The mechanisms behind tests/e2e/user-errors.test.ts, as tables: the plain-http warning's rule
 * and the mark that makes the Pulumi CLI print a user error as its message only.
 */
import { RunError } from "@pulumi/pulumi/errors";
import { NexudusError } from "../../client/errors";
import { shownAsMessage } from "../../client/shownAsMessage";
import { plainHttpWarning } from "../../provider/inputs";
import { WebhookSetArgsError } from "../../provider/setArgs";

describe("plainHttpWarning", () => {
  test.each([
    ["http://hooks.example.com/x", true],
    ["HTTP://Hooks.Example.com/x", true],
    ["https://hooks.example.com/x", false],
    ["http://127.0.0.1:8080/x", false],
    ["http://localhost/x", false],
    ["http://[::1]/x", false],
    ["not a url", false],
    [undefined, false],
  ])("%s warns: %s", (url, warns) => {
    expect(plainHttpWarning(url, {}) !== undefined).toBe(warns);
  });

  test("names the host only (never the path or query), and the way to silence it", () => {
    const w = plainHttpWarning("http://hooks.example.com/path?key=s3cret", {})!;
    expect(w).toContain("hooks.example.com");
    expect(w).not.toContain("s3cret");
    expect(w).toContain("NEXUDUS_ALLOW_PLAIN_HTTP=1");
  });

  test.each(["1", "true", "TRUE"])("NEXUDUS_ALLOW_PLAIN_HTTP=%s silences it", (v) => {
    expect(
      plainHttpWarning("http://hooks.example.com/x", { NEXUDUS_ALLOW_PLAIN_HTTP: v }),
    ).toBeUndefined();
  });
});

describe("shownAsMessage", () => {
  test("a WebhookSetArgsError is shown as a RunError (message only) and keeps its classes", () => {
    const e = new WebhookSetArgsError("location", ["hooks[0].action is wrong"]);
    expect(RunError.isInstance(e)).toBe(true);
    expect(e).toBeInstanceOf(WebhookSetArgsError);
    expect(e).toBeInstanceOf(NexudusError);
    expect(Object.keys(e)).not.toContain("__pulumiRunError");
  });

  test("marks any error and returns it", () => {
    const e = new Error("x");
    expect(shownAsMessage(e)).toBe(e);
    expect(RunError.isInstance(e)).toBe(true);
  });
});
