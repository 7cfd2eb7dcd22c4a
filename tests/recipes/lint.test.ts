/**
 * The CI recipes in examples/ci pass the linters a user would run on them: actionlint (with
 * shellcheck on every `run:` step) for the GitHub workflows, GitLab's CI schema
 * (check-jsonschema's vendored copy) and shellcheck on every job's script for `.gitlab-ci.yml`.
 *
 * The linters are installed into .tools/bin by `node scripts/lint-tools.js` (the end of
 * `npm run pulumi:install`). Locally a missing linter skips these cases with one message; under CI
 * (CI=true, as `.ci/run` sets) a missing linter fails.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// js-yaml ships no types (as in tests/examples/examples.test.ts).
const yaml = require("js-yaml") as { load(text: string): unknown };

const ROOT = path.resolve(__dirname, "../..");
const RECIPES = path.join(ROOT, "examples", "ci");
const BIN = path.join(ROOT, ".tools", "bin");
const TOOLS = ["actionlint", "shellcheck", "check-jsonschema"] as const;
const PATH_WITH_TOOLS = `${BIN}${path.delimiter}${process.env.PATH ?? ""}`;

function found(tool: string): boolean {
  const r = spawnSync(tool, ["--version"], { env: { ...process.env, PATH: PATH_WITH_TOOLS } });
  // actionlint answers -version, not --version (exit 2 on an unknown flag): it ran, so it is there.
  return r.error === undefined;
}

const missing = TOOLS.filter((t) => !found(t));
if (missing.length > 0 && process.env.CI !== "true") {
  console.warn(
    `tests/recipes/lint.test.ts: skipped, ${missing.join(", ")} not installed (run \`node scripts/lint-tools.js\`)`,
  );
}
const describeLinted = missing.length > 0 && process.env.CI !== "true" ? describe.skip : describe;

function lint(tool: string, args: string[], cwd = RECIPES) {
  const r = spawnSync(tool, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, PATH: PATH_WITH_TOOLS, NO_COLOR: "1" },
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

type GitlabJob = { before_script?: string[]; script?: string[]; after_script?: string[] };

/** Each job of the GitLab file as the bash script a runner executes (default before_script first). */
function gitlabJobScripts(): Map<string, string> {
  const doc = yaml.load(fs.readFileSync(path.join(RECIPES, ".gitlab-ci.yml"), "utf8")) as Record<
    string,
    GitlabJob & Record<string, unknown>
  >;
  const defaults = (doc.default ?? {}) as GitlabJob;
  const scripts = new Map<string, string>();
  for (const [name, job] of Object.entries(doc)) {
    if (!job || typeof job !== "object" || !Array.isArray(job.script)) continue;
    const before = job.before_script ?? defaults.before_script ?? [];
    const lines = [...before, ...job.script];
    scripts.set(name, ["#!/usr/bin/env bash", ...lines].join("\n") + "\n");
  }
  return scripts;
}

describeLinted("the CI recipes pass their linters", () => {
  test("actionlint (with shellcheck) finds nothing in the GitHub workflows", () => {
    const workflows = fs
      .readdirSync(path.join(RECIPES, ".github", "workflows"))
      .map((f) => path.join(".github", "workflows", f));
    expect(workflows.length).toBeGreaterThanOrEqual(2);
    const r = lint("actionlint", ["-no-color", "-oneline", "-pyflakes=", ...workflows]);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  test(".gitlab-ci.yml validates against GitLab's CI schema", () => {
    const r = lint("check-jsonschema", ["--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"]);
    expect(r.status).toBe(0);
  });

  test("shellcheck finds nothing in any GitLab job's script", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recipes-"));
    try {
      const scripts = gitlabJobScripts();
      expect([...scripts.keys()].sort()).toEqual(["health", "preview", "up"]);
      for (const [name, script] of scripts) {
        const file = path.join(dir, `${name}.sh`);
        fs.writeFileSync(file, script);
        const r = lint("shellcheck", ["--shell=bash", "--format=gcc", file], dir);
        expect({ job: name, output: r.output }).toEqual({ job: name, output: "" });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the recipes' paths and approvals", () => {
  test("with PULUMI_DIR set, the GitLab jobs find the MR-note script at the repository root", () => {
    for (const [name, script] of gitlabJobScripts()) {
      for (const line of script.split("\n").filter((l) => l.includes("gitlab-mr-note.mjs"))) {
        // Every job `cd`s into PULUMI_DIR first: a relative path would look for it there.
        expect({ job: name, line }).toEqual({
          job: name,
          line: expect.stringContaining('"$CI_PROJECT_DIR/scripts/gitlab-mr-note.mjs"'),
        });
      }
    }
    expect(fs.readFileSync(path.join(RECIPES, "README.md"), "utf8")).toMatch(
      /scripts\/gitlab-mr-note\.mjs` to your repository root/,
    );
  });

  test("the GitLab npm cache key does not name the root's lock file", () => {
    const doc = yaml.load(fs.readFileSync(path.join(RECIPES, ".gitlab-ci.yml"), "utf8")) as {
      default: { cache: { key: unknown } };
    };
    expect(JSON.stringify(doc.default.cache.key)).not.toMatch(/"package-lock\.json"/);
  });

  test("a deploy asks for the production approval once (the health job has no environment)", () => {
    const up = yaml.load(
      fs.readFileSync(path.join(RECIPES, ".github", "workflows", "up.yml"), "utf8"),
    ) as { jobs: Record<string, { environment?: unknown; needs?: unknown }> };
    const gated = Object.entries(up.jobs)
      .filter(([, job]) => job.environment !== undefined)
      .map(([name]) => name);
    expect(gated).toEqual(["up"]);
  });
});
