/**
 * One WebhookSet: Nexudus POSTs booking events to `url`. Stack config:
 *
 *   nexudus:baseUrl   the API address (the emulator by default)
 *   nexudus:token     the API token (a secret)
 *   businessId        the location id
 *   url               the target URL (read as a secret: webhook URLs often carry a credential)
 */
import * as pulumi from "@pulumi/pulumi";
import * as nexudus from "pulumi-nexudus";

const config = new pulumi.Config();

const bookings = new nexudus.WebhookSet("bookings", {
  businessId: config.requireNumber("businessId", { min: 1 }),
  url: config.requireSecret("url"),
  hooks: ["BookingCreate", "BookingUpdate", "BookingDelete"],
});

/** The ids of the Nexudus webhooks the set manages. */
export const webhookIds = bookings.webhookIds;
