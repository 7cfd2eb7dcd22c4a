/**
 * The YAML and Python language hosts that `npm run pulumi:install` builds beside `pulumi`
 * (pulumi-language-yaml from pulumi-yaml v1.25.0; pulumi-language-python from sdk/v3 v3.79.0 with
 * its exec shim pulumi-language-python-exec), each running a trivial program through the real
 * CLI (file backend, passphrase, no plugin download): `pulumi up --yes`, then
 * `pulumi stack output --json`. The Python program runs in a venv with `pulumi` from PyPI
 * (pinned in scripts/gen-sdks.js). Without the hosts the suite skips, saying so once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { findPulumi, parseJson, PulumiSession, useE2e } from "../../testing/pulumiCli";

const gen = require("../../scripts/gen-sdks.js") as {
  PYTHON_PULUMI: string;
  makeVenv(dir: string, packages: string[]): string;
};

const cli = findPulumi();
const beside = (name: string) => path.join(cli.binDir, name);
const HOSTS = {
  yaml: ["pulumi-language-yaml"],
  python: ["pulumi-language-python", "pulumi-language-python-exec"],
};
const missing = Object.values(HOSTS)
  .flat()
  .filter((f) => !fs.existsSync(beside(f)));
if (missing.length > 0) {
  console.warn(
    `tests/e2e/languages.test.ts skips what needs ${missing.join(", ")}: not beside ` +
      `${cli.bin}; \`npm run pulumi:install\` builds them into .tools/bin`,
  );
}
const withHost = (host: keyof typeof HOSTS) =>
  HOSTS[host].every((f) => fs.existsSync(beside(f))) ? test : test.skip;

const e2e = useE2e({ name: "languages", token: "e2e-languages-token" });

withHost("yaml")(
  "a YAML program (outputs only) runs through pulumi-language-yaml",
  async () => {
    const dir = path.join(e2e.root, "yaml");
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      [
        "name: yaml-hello",
        "runtime: yaml",
        "outputs:",
        "  greeting: hello from yaml",
        "  stack: ${pulumi.stack}",
        "",
      ].join("\n"),
    );
    await e2e.pulumi.ok(dir, ["stack", "init", "dev"]);
    await e2e.pulumi.ok(dir, ["up", "--yes"]);
    const out = parseJson<Record<string, unknown>>(
      await e2e.pulumi.ok(dir, ["stack", "output", "--json"]),
    );
    expect(out).toEqual({ greeting: "hello from yaml", stack: "dev" });
  },
  300_000,
);

withHost("python")(
  "a Python program (venv with pulumi from PyPI) runs through pulumi-language-python",
  async () => {
    const dir = path.join(e2e.root, "python");
    fs.mkdirSync(dir);
    const venv = path.join(dir, "venv");
    gen.makeVenv(venv, [gen.PYTHON_PULUMI]);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: py-hello\nruntime: python\n");
    fs.writeFileSync(path.join(dir, "requirements.txt"), `${gen.PYTHON_PULUMI}\n`);
    fs.writeFileSync(
      path.join(dir, "__main__.py"),
      [
        "import pulumi",
        "",
        'pulumi.export("greeting", "hello from " + pulumi.Config().require("who"))',
        'pulumi.export("stack", pulumi.get_stack())',
        "",
      ].join("\n"),
    );
    // The v3.79.0 host does not read runtime.options.virtualenv from this engine (the engine
    // now sends it in the run request, which that host predates): the venv is activated, as
    // `source venv/bin/activate` does.
    const session = new PulumiSession(cli, path.join(e2e.root, "python-session"), {
      VIRTUAL_ENV: venv,
      PATH: [path.join(venv, "bin"), cli.binDir, process.env.PATH ?? ""].join(path.delimiter),
    });
    await session.ok(dir, ["stack", "init", "dev"]);
    await session.ok(dir, ["config", "set", "who", "python"]);
    await session.ok(dir, ["up", "--yes"]);
    const out = parseJson<Record<string, unknown>>(
      await session.ok(dir, ["stack", "output", "--json"]),
    );
    expect(out).toEqual({ greeting: "hello from python", stack: "dev" });
  },
  600_000,
);
