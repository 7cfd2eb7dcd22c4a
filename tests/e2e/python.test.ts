/**
 * A Python program using the generated Python SDK (sdk/python, pip-installed into the program's
 * venv with `pulumi` from PyPI) declares a webhook; the nexudus plugin (packed, installed with
 * `pulumi plugin install`) manages it against the emulator through the real CLI and the Python
 * language host built by `npm run pulumi:install`: preview without an API call, up, a no-change
 * preview, destroy; with a multi-language WebhookSet beside it (the plugin constructs it). Skipped with one message when the Python host is absent.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { lifeCycle } from "./plugin-programs";
import {
  findPulumi,
  installPlugin,
  missingPythonHost,
  useE2e,
  venvSession,
} from "../../testing/pulumiCli";

const gen = require("../../scripts/gen-sdks.js") as {
  buildPython(opts: { venv: string }): { venv: string };
};

const TOKEN = "e2e-python-token-5b7e";
const URL = "https://hooks.example.com/python/SECRET-PATH-PY";
const SET_URL = "https://hooks.example.com/python/SECRET-PATH-SET";
const cli = findPulumi();
const absent = missingPythonHost(cli);
if (absent.length > 0) {
  console.warn(
    `tests/e2e/python.test.ts skipped: ${absent.join(", ")} not beside ${cli.bin}; ` +
      "`npm run pulumi:install` builds them into .tools/bin",
  );
}

const PROGRAM = `import pulumi
import pulumi_nexudus as nexudus

hook = nexudus.WebHook(
    "py-hook",
    business_id=1234,
    name="Bookings from Python",
    action=nexudus.WebhookAction.BOOKING_CREATE,
    url=pulumi.Output.secret(${JSON.stringify(URL)}),
    description="made by the Python SDK",
)
pulumi.export("webhookId", hook.webhook_id)

# The multi-language WebhookSet: the plugin constructs it, one WebHook per hook.
team = nexudus.WebhookSet(
    "py-set",
    business_id=1234,
    url=pulumi.Output.secret(${JSON.stringify(SET_URL)}),
    name_prefix="py",
    hooks=[
        nexudus.WebhookSetHookArgs(action=nexudus.WebhookAction.TEAM_CREATED),
        {"action": "BookingDelete", "description": "a dict works too"},
    ],
)
pulumi.export("setIds", team.webhook_ids)
`;

const e2e = useE2e({ name: "python", token: TOKEN });

(absent.length === 0 ? test : test.skip)(
  "a Python program with the generated SDK: preview (0 API calls), up, no-change preview, destroy",
  async () => {
    const dir = path.join(e2e.root, "program");
    fs.mkdirSync(dir);
    const { venv } = gen.buildPython({ venv: path.join(dir, "venv") });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: python-hooks\nruntime: python\n");
    fs.writeFileSync(path.join(dir, "__main__.py"), PROGRAM);
    // The v3.79.0 host does not read runtime.options.virtualenv from this engine: the venv is
    // activated (docs/languages.md).
    const pulumi = venvSession(cli, path.join(e2e.root, "session"), venv);
    await installPlugin(pulumi, e2e.root);
    await pulumi.ok(dir, ["stack", "init", "dev"]);
    await pulumi.ok(dir, ["config", "set", "nexudus:baseUrl", e2e.emulator.url]);
    await pulumi.ok(dir, ["config", "set", "--secret", "nexudus:token", TOKEN]);
    await lifeCycle("Python", pulumi, dir, e2e.emulator, {
      resource: "py-hook",
      name: "Bookings from Python",
      businessId: 1234,
      url: URL,
      actionNumber: 6,
      afterUp: (outputs) => {
        const set = e2e.emulator.records().filter((r) => r.Name.startsWith("py "));
        expect(set.map((r) => [r.Name, r.Action, r.URL, r.Description ?? null]).sort()).toEqual(
          [
            ["py BookingDelete", 8, SET_URL, "a dict works too"],
            ["py TeamCreated", 57, SET_URL, null],
          ].sort(),
        );
        expect([...(outputs.setIds as number[])].sort()).toEqual(set.map((r) => r.Id).sort());
      },
    });
    // destroy took the set's hooks too
    expect(e2e.emulator.records().filter((r) => r.Name.startsWith("py "))).toEqual([]);
  },
  600_000,
);
