/**
 * Nexudus webhooks of one location, declared as one WebhookSet (pulumi-nexudus).
 *
 *   pulumi config set businessId 1234
 *   pulumi config set --secret url https://hooks.example.com/nexudus
 *   pulumi config set --secret nexudus:token <your Nexudus API token>
 *   pulumi up
 */
import * as pulumi from "@pulumi/pulumi";
import * as nexudus from "pulumi-nexudus";

const config = new pulumi.Config();

/** The Nexudus location (business) id. */
const businessId = config.requireNumber("businessId", { min: 1 });
/** Where Nexudus POSTs the events: read as a secret, so it stays encrypted in state. */
const url = config.requireSecret("url");

const hooks = new nexudus.WebhookSet("bookings", {
  businessId,
  url,
  namePrefix: `Pulumi ${pulumi.getProject()}`,
  hooks: ["BookingCreate", "BookingUpdate", "BookingDelete"],
});

/** The Nexudus record ids (`pulumi stack output webhookIds`). */
export const webhookIds = hooks.webhookIds;
