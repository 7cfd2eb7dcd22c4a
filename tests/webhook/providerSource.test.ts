/**
 * The `__provider` text every WebHook and WebhookSetExclusion stores (sdk/providerSource.ts),
 * loaded the way the engine's dynamic-provider host loads it: `requireFromString(text).handler()`.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { providerSource, type ProviderExport } from "../../sdk/providerSource";
import * as provider from "../../provider";

/** The host's own loader, from where @pulumi/pulumi finds it. */
const requireFromString = require(
  require.resolve("require-from-string", {
    paths: [path.dirname(require.resolve("@pulumi/pulumi/package.json"))],
  }),
) as (code: string) => unknown;

const METHODS = ["configure", "check", "diff", "create", "read", "update", "delete"];

describe.each<ProviderExport>(["webhookProvider", "exclusionProvider"])("%s", (name) => {
  const text = providerSource(name);

  test("is small, names only the package's provider module, and holds no value of ours", () => {
    expect(Buffer.byteLength(text)).toBeLessThan(700);
    expect([...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual([
      "pulumi-nexudus/provider",
    ]);
    expect(text).not.toMatch(/https?:|token|secret|zod/i);
  });

  test("loads as the host loads it; every method forwards to the installed provider", async () => {
    const loaded = (
      requireFromString(text) as { handler(): pulumi.dynamic.ResourceProvider }
    ).handler() as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(Object.keys(loaded).sort()).toEqual([...METHODS].sort());
    const impl = provider[name] as unknown as Record<string, (...args: unknown[]) => unknown>;
    for (const m of METHODS) expect(typeof impl[m]).toBe("function");
    // The same answer through the text as from the module itself (the exclusion's check wants
    // credentials, which this process has none of: the same refusal, before any request).
    const news =
      name === "webhookProvider"
        ? { businessId: 1, name: "n", action: "BookingCreate", url: "https://a.example.com/h" }
        : { businessId: 1, memberIds: [1] };
    const settle = (p: unknown) =>
      Promise.resolve(p).then(
        (value) => ({ value }),
        // The text's module loads outside jest's sandbox: its errors are of another realm.
        (e: unknown) => ({ error: (e as { message?: string }).message ?? String(e) }),
      );
    const direct = await settle(impl.check!({}, news));
    expect(await settle(loaded.check!({}, news))).toEqual(direct);
    expect(direct).toHaveProperty(name === "webhookProvider" ? "value" : "error");
  });
});
