/**
 * Pure pieces of reliability round 2: server forms (diff with what the server stored), URL
 * comparison as a server may normalise, and redaction of webhook URLs and URL credentials.
 */
import {
  diffWebhook,
  learnServerForms,
  sameName,
  sameUrl,
  serverFormsOf,
  valueDigest,
} from "../../provider/inputs";
import { redact, registerUrlSecret } from "../../provider/redact";

describe("server forms", () => {
  const stored = { name: "Padded", url: "https://xn--bcher-kva.example/h", description: "cut" };
  const declared = { name: "  Padded  ", url: "https://bücher.example/h", description: "cut here" };

  test("are learned from a record not written since the state (same UpdatedOn), as digests", () => {
    const outputs = { ...declared, updatedOn: "T1" };
    const record = { Name: stored.name, URL: stored.url, Description: stored.description };
    const forms = learnServerForms(outputs, { ...record, UpdatedOn: "T1" });
    expect(forms).toEqual({
      name: {
        declared: valueDigest("name", declared.name),
        stored: valueDigest("name", stored.name),
      },
      url: { declared: valueDigest("url", declared.url), stored: valueDigest("url", stored.url) },
      description: {
        declared: valueDigest("description", declared.description),
        stored: valueDigest("description", stored.description),
      },
    });
    expect(JSON.stringify(forms)).not.toContain("bücher");
    // Written by someone else since (another UpdatedOn): drift, nothing learned.
    expect(learnServerForms(outputs, { ...record, UpdatedOn: "T2" })).toEqual({});
  });

  test("make the diff see no change for the declared value, and a change for another", () => {
    const forms = learnServerForms(
      { ...declared, updatedOn: "T1" },
      { Name: stored.name, URL: stored.url, Description: stored.description, UpdatedOn: "T1" },
    );
    const olds = { businessId: 1, action: 6, active: true, ...stored, serverForms: forms };
    const news = { businessId: 1, action: 6, active: true, ...declared };
    expect(diffWebhook(olds, news).changes).toBe(false);
    expect(diffWebhook(olds, { ...news, name: "Other" }).diffs).toEqual(["name"]);
    expect(serverFormsOf({ serverForms: { name: { declared: 1 } } })).toEqual({});
  });

  test("a known form that no longer matches the record (edited out of band) is dropped", () => {
    const forms = {
      name: { declared: valueDigest("name", " A "), stored: valueDigest("name", "A") },
    };
    const kept = learnServerForms(
      { name: "A", url: "u", description: null, serverForms: forms, updatedOn: "T1" },
      { Name: "B", URL: "u", Description: null, UpdatedOn: "T2" },
    );
    expect(kept).toEqual({});
  });
});

test.each([
  ["https://bücher.example/x", "https://xn--bcher-kva.example/x", true],
  ["https://HOOKS.example.com/x", "https://hooks.example.com/x", true],
  ["https://hooks.example.com", "https://hooks.example.com/", true],
  ["https://hooks.example.com/x", "https://hooks.example.com/y", false],
  ["https://hooks.example.com:443/x", "https://hooks.example.com/x", true],
  ["HTTPS://hooks.example.com?a=1", "https://hooks.example.com/?a=1", true],
  ["https://hooks.example.com/path/", "https://hooks.example.com/path", false],
  ["https://hooks.example.com/Path", "https://hooks.example.com/path", false],
  ["https://hooks.example.com/p?a=1&b=2", "https://hooks.example.com/p?b=2&a=1", false],
  ["https://hooks.example.com/a/../b", "https://hooks.example.com/b", false],
])("sameUrl(%s, %s) is %s", (a, b, expected) => {
  expect(sameUrl(a, b)).toBe(expected);
});

test("sameName trims and collapses white space only", () => {
  expect(sameName("  a  b ", "a b")).toBe(true);
  expect(sameName("a", "A")).toBe(false);
});

describe("redaction", () => {
  test("a registered webhook URL, its password, path token and query value, in any quoting", () => {
    const url = "https://u:Pw-unit-9x7@hooks.example.com/t/tokUNIT12345?key=kUNIT-77&v=1";
    registerUrlSecret(url);
    const quoted = [
      `URL '${url}' is not reachable`,
      `{"URL":${JSON.stringify(url).replace(/\//g, "\\/")}}`,
      `bad password Pw-unit-9x7`,
      `path tokUNIT12345 refused`,
      `key kUNIT-77`,
      url.replace(/&/g, "&amp;"),
    ];
    for (const text of quoted) {
      const out = redact(text);
      for (const secret of [url, "Pw-unit-9x7", "tokUNIT12345", "kUNIT-77"]) {
        expect(out).not.toContain(secret);
      }
    }
  });

  test("the credentials of any URL and key-like query parameters, never registered", () => {
    expect(redact("see https://admin:hunter22@example.com/x")).toBe(
      "see https://[redacted]@example.com/x",
    );
    expect(redact("https://example.com/h?sig=abc123&x=1")).toBe(
      "https://example.com/h?sig=[redacted]&x=1",
    );
    // Ordinary words of a URL path stay readable.
    registerUrlSecret("https://example.com/webhooks/bookings");
    expect(redact("GET /api/sys/webhooks failed")).toBe("GET /api/sys/webhooks failed");
  });
});
