/**
 * The demo's Pulumi program: one location's webhooks declared as a set, every hook delivering to
 * the demo's receiver. The same function runs under the Automation API and under the host harness.
 */
import type * as pulumi from "@pulumi/pulumi";
import * as nexudus from "../sdk";

/** The location the demo's emulator is configured with. */
export const DEMO_LOCATION = 1234;

/** Declares the set; returns the stack outputs. */
export function demoProgram(receiverUrl: string): Record<string, pulumi.Output<unknown>> {
  const hq = new nexudus.WebhookSet("hq", {
    businessId: DEMO_LOCATION,
    url: receiverUrl,
    hooks: [
      "BookingCreate",
      "BookingUpdate",
      { action: "BookingDelete", description: "Cancellations" },
    ],
    namePrefix: "demo",
  });
  return { webhooks: hq.webhooks };
}
