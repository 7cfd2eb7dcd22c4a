/**
 * pulumi-nexudus quickstart: one Nexudus webhook, configured from stack config.
 *
 *   pulumi config set businessId 1234
 *   pulumi config set url https://hooks.example.com/nexudus/bookings
 *   pulumi config set --secret nexudus:token <your Nexudus API token>
 *   pulumi up
 *
 * Optional: `action` (an eWebhookAction name, default BookingCreate) and `name` (the display name
 * in Nexudus). See README.md for the emulator and for user/password credentials.
 */
import * as pulumi from "@pulumi/pulumi";
import * as nexudus from "pulumi-nexudus";

const config = new pulumi.Config();

/** The Nexudus location (business) id. */
const businessId = config.requireNumber("businessId", { min: 1 });
/**
 * Where Nexudus POSTs the event. Read as a secret whether or not it was set with `--secret`:
 * webhook URLs often carry a credential (Slack, Zapier), and a secret input stays encrypted in
 * state and is masked in the CLI output.
 */
const url = config.requireSecret("url");
/** The event; the provider checks the name at preview and suggests the closest one on a typo. */
const action = config.get<nexudus.WebhookActionName>("action") ?? "BookingCreate";
const name = config.get("name") ?? `Pulumi ${action}`;

const hook = new nexudus.WebHook("quickstart", {
  businessId,
  name,
  action,
  url,
  description: `Managed by Pulumi: ${pulumi.getProject()}/${pulumi.getStack()}`,
});

/** The Nexudus record id (`pulumi stack output webhookId`). */
export const webhookId = hook.webhookId;
/** The location the webhook belongs to. */
export const location = hook.businessId;
/** The event, by name. */
export const actionName = hook.actionName;
/** Whether the webhook fires. */
export const active = hook.active;
/** The target URL (a secret: `pulumi stack output targetUrl --show-secrets`). */
export const targetUrl = hook.url;
