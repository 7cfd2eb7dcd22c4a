/**
 * `pulumi-nexudus/provider`: what the serialized providers stored in state load by name
 * (`require("pulumi-nexudus/provider").webhookProvider.create(inputs)`, see sdk/webhook.ts and
 * sdk/exclusion.ts) in the dynamic-provider host. Every stack's state depends on these two names:
 * keep them, with the methods of `pulumi.dynamic.ResourceProvider`.
 *
 * Nothing else is exported: the client, its configuration, the limiter and the test reset hooks
 * are internals, imported by relative path inside this repository (tests, CLI, benchmark).
 */
export { webhookProvider } from "./webhook";
export { exclusionProvider } from "./exclusion";
