/**
 * The program the CI pipelines in this folder deploy: the webhooks of one Nexudus location, as a
 * `WebhookSet`, from the stack config committed in `Pulumi.<stack>.yaml`:
 *
 *   nexudus-ci:businessId: "1234"
 *   nexudus-ci:url: https://hooks.example.com/nexudus
 *   nexudus-ci:hooks: [BookingCreate, BookingUpdate, BookingDelete]   # optional
 *   nexudus-ci:namePrefix: ci                                         # optional
 *   nexudus-ci:exclusive: "false"                                     # optional
 *
 * The Nexudus token is not in the config: CI passes it as the NEXUDUS_TOKEN environment variable.
 * See README.md.
 */
import * as pulumi from "@pulumi/pulumi";
import * as nexudus from "pulumi-nexudus";

const config = new pulumi.Config();

const businessId = config.requireNumber("businessId", { min: 1 });
const hooks = config.getObject<nexudus.WebhookActionName[]>("hooks") ?? [
  "BookingCreate",
  "BookingUpdate",
  "BookingDelete",
];
if (!Array.isArray(hooks) || hooks.length === 0 || hooks.some((h) => typeof h !== "string")) {
  throw new pulumi.RunError(
    `config '${pulumi.getProject()}:hooks' must be a non-empty list of action names; ` +
      `got ${JSON.stringify(hooks)}`,
  );
}

const location = new nexudus.WebhookSet(`location-${businessId}`, {
  businessId,
  url: config.require("url"),
  hooks,
  namePrefix: config.get("namePrefix"),
  exclusive: config.getBoolean("exclusive") ?? false,
});

/** The location, for the health gate (`nexudus-webhooks health --business <businessId>`). */
export { businessId };
/** The managed webhooks, `{webhookId, action, url, active}` by hook. */
export const webhooks = location.webhooks;
