/**
 * `nexudus.native` (the plugin-backed resources for TypeScript), as the engine receives them
 * under the real SDK's mocks: the types, credentials given to a
 * `Provider` sent as secrets, resources bound to their provider, the move alias of the dynamic
 * type, a function call's token, and an exclusive `WebhookSet` that keeps (never deletes) a
 * plugin-backed `WebHook` of the program at its location.
 */
import * as pulumi from "@pulumi/pulumi";
import { native, WebhookSet } from "../../sdk";
import { WEBHOOK_TYPE } from "../../sdk/webhook";
import { captureResources } from "../../testing/capture";

const HQ = 1234;
const TOKEN = "native-S3CRET-token-19";

test("a Provider per account, WebHooks bound to it, the token secret", async () => {
  const resources = await captureResources(() => {
    const hq = new native.Provider("hq", { baseUrl: "https://hq.example.com", token: TOKEN });
    new native.WebHook(
      "bookings",
      {
        businessId: HQ,
        name: "Bookings",
        action: "BookingCreate",
        url: "https://h.example.com/b",
      },
      { provider: hq },
    );
  });
  const provider = resources.find((r) => r.name === "hq")!;
  const hook = resources.find((r) => r.name === "bookings")!;
  expect(provider.type).toBe("pulumi:providers:nexudus");
  expect(provider.secretInputs).toContain("token");
  expect(JSON.stringify(provider.rawInputs)).not.toContain(`"token":"${TOKEN}"`);
  expect(hook.type).toBe("nexudus:index:WebHook");
  expect(hook.options.provider).toMatch(
    /^urn:pulumi:stack::project::pulumi:providers:nexudus::hq::/,
  );
  expect(hook.inputs).toMatchObject({ businessId: HQ, action: "BookingCreate" });
  expect(hook.inputs).not.toHaveProperty("__provider");
});

test("fromDynamic is the alias of the dynamic WebHook's type", () => {
  expect(native.fromDynamic).toEqual({ type: WEBHOOK_TYPE });
  expect(WEBHOOK_TYPE).toBe("pulumi-nodejs:dynamic/nexudus:WebHook");
});

test("the functions call the plugin's tokens", async () => {
  const calls: { token: string; inputs: Record<string, unknown> }[] = [];
  let answer: unknown;
  await captureResources(
    () => {
      native
        .getWebhooks({ businessId: HQ, namePrefix: "Book" })
        .apply((r) => (answer = r.webhooks.length));
      native.getWebhookActions().apply(() => undefined);
    },
    {
      mockCall: (args) => {
        calls.push({ token: args.token, inputs: args.inputs as Record<string, unknown> });
        return args.token.endsWith("getWebhooks")
          ? { webhooks: [{ name: "Bookings" }] }
          : { actions: [] };
      },
    },
  );
  expect(calls.map((c) => c.token).sort()).toEqual([
    "nexudus:index:getWebhookActions",
    "nexudus:index:getWebhooks",
  ]);
  expect(calls.find((c) => c.token.endsWith("getWebhooks"))!.inputs).toEqual({
    businessId: HQ,
    namePrefix: "Book",
  });
  expect(answer).toBe(1);
});

test("an exclusive WebhookSet keeps a plugin-backed WebHook of the program at its location", async () => {
  const resources = await captureResources(
    () => {
      new WebhookSet("ops", {
        businessId: HQ,
        url: "https://hooks.example.com/ops",
        hooks: ["BookingCreate"],
        exclusive: true,
      });
      new native.WebHook("billing", {
        businessId: HQ,
        name: "Billing",
        action: "CoworkerInvoicePaid",
        url: pulumi.secret("https://hooks.example.com/billing"),
      });
    },
    {
      mockResource: (args) =>
        args.type === "nexudus:index:WebHook"
          ? { id: "4242", state: { ...args.inputs, webhookId: 4242 } }
          : undefined,
    },
  );
  const exclusion = resources.find((r) => r.type.endsWith("WebhookSetExclusion"))!;
  expect(exclusion).toBeDefined();
  expect(exclusion.inputs.keepIds).toEqual([4242]);
});
