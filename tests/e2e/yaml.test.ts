/**
 * A YAML program declares a webhook of the `nexudus` package (its schema read from the plugin by
 * the YAML language host built by `npm run pulumi:install`); the nexudus plugin (packed,
 * installed with `pulumi plugin install`) manages it against the emulator through the real CLI:
 * preview without an API call, up, a no-change preview, destroy. Skipped with one message when
 * the YAML host is absent.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { lifeCycle } from "./plugin-programs";
import { findPulumi, installPlugin, useE2e } from "../../testing/pulumiCli";

const TOKEN = "e2e-yaml-token-3c9a";
const URL = "https://hooks.example.com/yaml/SECRET-PATH-YAML";
const cli = findPulumi();
const HOST = path.join(cli.binDir, "pulumi-language-yaml");
if (!fs.existsSync(HOST)) {
  console.warn(
    `tests/e2e/yaml.test.ts skipped: ${HOST} is missing; ` +
      "`npm run pulumi:install` builds it into .tools/bin",
  );
}

const PROGRAM = `name: yaml-hooks
runtime: yaml
resources:
  yaml-hook:
    type: nexudus:index:WebHook
    properties:
      businessId: 1234
      name: Bookings from YAML
      action: BookingCreate
      url:
        fn::secret: ${URL}
      description: made by a YAML program
outputs:
  webhookId: \${yaml-hook.webhookId}
`;

const e2e = useE2e({ name: "yaml", token: TOKEN });

(fs.existsSync(HOST) ? test : test.skip)(
  "a YAML program: preview (0 API calls), up, no-change preview, destroy",
  async () => {
    const { pulumi } = e2e;
    const dir = path.join(e2e.root, "program");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), PROGRAM);
    await installPlugin(pulumi, e2e.root);
    await e2e.stack(dir, "dev");
    await lifeCycle("YAML", pulumi, dir, e2e.emulator, {
      resource: "yaml-hook",
      name: "Bookings from YAML",
      businessId: 1234,
      url: URL,
      actionNumber: 6,
    });
  },
  600_000,
);
