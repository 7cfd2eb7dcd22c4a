"""Nexudus webhooks of one location, declared as one WebhookSet (the nexudus plugin).

Needs the plugin: `pulumi plugin install resource nexudus <version> --file
<release folder>/pulumi-resource-nexudus-v<version>-linux-amd64.tar.gz` (docs/install.md).
"""
import pulumi
import pulumi_nexudus as nexudus

config = pulumi.Config()

# The Nexudus location (business) id.
business_id = config.require_int("businessId")
# Where Nexudus POSTs the events: read as a secret, so it stays encrypted in state.
url = config.require_secret("url")

hooks = nexudus.WebhookSet(
    "bookings",
    business_id=business_id,
    url=url,
    name_prefix=f"Pulumi {pulumi.get_project()}",
    hooks=[
        nexudus.WebhookSetHookArgs(action=nexudus.WebhookAction.BOOKING_CREATE),
        nexudus.WebhookSetHookArgs(action=nexudus.WebhookAction.BOOKING_UPDATE),
        nexudus.WebhookSetHookArgs(action=nexudus.WebhookAction.BOOKING_DELETE),
    ],
)

# The Nexudus record ids (`pulumi stack output webhookIds`).
pulumi.export("webhookIds", hooks.webhook_ids)
