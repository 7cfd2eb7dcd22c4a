/**
 * The package's version, read once from its package.json (the nearest folder up from this file
 * whose package.json is named `pulumi-nexudus`, so it works from the sources and from `dist/`).
 */
import * as fs from "node:fs";
import * as path from "node:path";

let version: string | undefined;

/** The version of this package (`package.json` `version`). */
export function packageVersion(): string {
  if (version !== undefined) return version;
  // A single-executable build has no package.json beside it: the build sets the version.
  const baked = (globalThis as { __nexudusPackageVersion?: string }).__nexudusPackageVersion;
  if (typeof baked === "string") return (version = baked);
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-nexudus" && typeof pkg.version === "string") {
        return (version = pkg.version);
      }
    }
    dir = path.dirname(dir);
  }
  throw new Error(`pulumi-nexudus: no package.json of the package above ${__dirname}`);
}
