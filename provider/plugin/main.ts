#!/usr/bin/env node
/**
 * `pulumi-resource-nexudus`: the entry the engine runs (through the launcher of the plugin
 * tarball, or the npm package's `bin`). Prints the gRPC port on its first stdout line, as the
 * engine expects, and serves until the engine ends it. The first argument is the engine's
 * address: the warnings of a multi-language WebhookSet go there.
 */
import { serve } from "./server";

serve(process.argv.slice(2).find((a) => !a.startsWith("-"))).then(
  ({ port }) => {
    process.stdout.write(`${port}\n`);
  },
  (e: unknown) => {
    process.stderr.write(`pulumi-resource-nexudus: could not start: ${String(e)}\n`);
    process.exit(1);
  },
);
