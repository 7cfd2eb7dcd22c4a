/**
 * The `__provider` input of our resources: the text of a small CommonJS module that the engine's
 * dynamic-provider host loads with `requireFromString(text).handler()` (see
 * `@pulumi/pulumi/cmd/dynamic-provider`). Its `handler()` returns a provider whose methods load
 * the implementation from the installed package by name, so one loaded copy (one client, one
 * token cache, one rate limiter) serves every resource in the host process.
 *
 * Written here rather than made by `pulumi.dynamic.Resource`, which serializes a provider object
 * with Pulumi's closure serializer: the text would be the same for every resource anyway (the
 * shim captures nothing), and the serializer's result is an Output that every resource's
 * registration then awaits. A constant string costs nothing per resource, is known at once (no
 * inspector session, no await), and is 4 times smaller in state.
 *
 * Keep it that way: this text is written into every resource's state, so it holds no code of
 * ours, no credential, no config value and no schema. Changing it changes no resource (`diff`
 * ignores `__provider`); the engine runs the text stored in state to delete a resource, so any
 * text ever shipped must keep working with later releases of the package (it only names
 * `pulumi-nexudus/provider` and one of its exports).
 *
 * @module
 */

/** The providers `pulumi-nexudus/provider` exports for the engine. */
export type ProviderExport = "webhookProvider" | "exclusionProvider";

/** The methods the host calls, with their parameters. */
const METHODS: readonly (readonly [string, string])[] = [
  ["configure", "req"],
  ["check", "olds, news"],
  ["diff", "id, olds, news"],
  ["create", "inputs"],
  ["read", "id, props"],
  ["update", "id, olds, news"],
  ["delete", "id, props"],
];

/** The `__provider` text of the resources served by `pulumi-nexudus/provider`'s `name`. */
export function providerSource(name: ProviderExport): string {
  const methods = METHODS.map(([m, params]) => `    ${m}: (${params}) => impl().${m}(${params}),`);
  return [
    `// pulumi-nexudus: the ${name} of the installed package (no code, config or credential here).`,
    `exports.handler = () => {`,
    `  const impl = () => require("pulumi-nexudus/provider").${name};`,
    `  return {`,
    ...methods,
    `  };`,
    `};`,
    ``,
  ].join("\n");
}
