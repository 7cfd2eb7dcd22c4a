/**
 * `npm run pulumi:install` (scripts/pulumi-install.js) run into a scratch folder (`--bin`) that
 * holds links to the executables already in .tools/bin: binaries without stamps that were built
 * from the pins are kept (`go version -m`), nothing is built; a stale stamp of one executable
 * rebuilds that one only (the Python host, with its exec shim copied beside it); a third run
 * builds nothing. The links to .tools/bin are never written through.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const TOOLS = path.join(REPO_ROOT, ".tools", "bin");
const SCRIPT = path.join(REPO_ROOT, "scripts", "pulumi-install.js");
const EXECUTABLES = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-pulumi-nodejs",
  "pulumi-language-python",
  "pulumi-language-python-exec",
  "pulumi-language-yaml",
  "pulumi-nexudus-sdkgen",
];
const ready =
  EXECUTABLES.every((f) => fs.existsSync(path.join(TOOLS, f))) &&
  spawnSync("go", ["version"]).status === 0;
if (!ready) {
  console.warn(
    "tests/sdks/pulumi-install.test.ts skipped: it needs Go and every executable of " +
      "`npm run pulumi:install` in .tools/bin (run it first)",
  );
}

let bin: string;
beforeAll(() => {
  bin = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-install-")), "bin");
  fs.mkdirSync(bin);
  for (const f of EXECUTABLES) fs.symlinkSync(path.join(TOOLS, f), path.join(bin, f));
});
afterAll(() => {
  if (bin) fs.rmSync(path.dirname(bin), { recursive: true, force: true });
});

const install = () => {
  const r = spawnSync(process.execPath, [SCRIPT, "--bin", bin], {
    encoding: "utf8",
    timeout: 600_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
};
const built = (out: string) =>
  [...out.matchAll(/^pulumi:install: built (\S+) in/gm)].map((m) => path.basename(m[1]!));

(ready ? test : test.skip)(
  "keeps binaries built from the pins, rebuilds only what a stale stamp names, then nothing",
  () => {
    const first = install();
    expect(first.code).toBe(0);
    expect(built(first.out)).toEqual([]);
    expect(fs.readdirSync(path.join(bin, ".stamps")).sort()).toEqual(
      [
        "pulumi",
        "pulumi-language-nodejs",
        "pulumi-language-python",
        "pulumi-language-yaml",
        "pulumi-nexudus-sdkgen",
      ].sort(),
    );

    fs.writeFileSync(path.join(bin, ".stamps", "pulumi-language-python"), "stale\n");
    fs.rmSync(path.join(bin, "pulumi-language-python-exec"));
    const second = install();
    expect(second.code).toBe(0);
    expect(built(second.out)).toEqual(["pulumi-language-python"]);
    // Rebuilt in the scratch folder (the link replaced by a file), the shim copied beside it.
    expect(fs.lstatSync(path.join(bin, "pulumi-language-python")).isSymbolicLink()).toBe(false);
    const shim = path.join(bin, "pulumi-language-python-exec");
    expect(fs.statSync(shim).mode & 0o111).toBe(0o111);
    expect(fs.readFileSync(shim, "utf8")).toMatch(
      /^#!\/usr\/bin\/env python\n[\s\S]*import pulumi/,
    );
    for (const f of ["pulumi", "pulumi-language-yaml", "pulumi-nexudus-sdkgen"]) {
      expect(fs.lstatSync(path.join(bin, f)).isSymbolicLink()).toBe(true);
    }

    const third = install();
    expect(third.code).toBe(0);
    expect(built(third.out)).toEqual([]);
    expect(third.out).toMatch(/is up to date \(pulumi v\S+, 5 executables\)/);
  },
  600_000,
);
