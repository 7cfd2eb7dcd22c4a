/**
 * The Python, Go and .NET SDKs (sdk/python, sdk/go, sdk/dotnet), generated from schema.json by
 * scripts/gen-sdks.js with Pulumi's code generators (.tools/bin/pulumi-nexudus-sdkgen, built by
 * `npm run pulumi:install`): regenerating gives the committed files; each SDK has every input of
 * the schema's WebHook and its functions, at the schema's version; the Python SDK installs with
 * pip from PyPI into a venv and imports, its WebHookArgs taking the schema's inputs; the Go SDK
 * builds and vets; the .NET SDK builds where a .NET SDK is installed (none here: skipped with the
 * reason). A schema without a version stops before anything is written.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const SDKGEN = path.join(REPO_ROOT, ".tools", "bin", "pulumi-nexudus-sdkgen");

interface GenSdks {
  LANGUAGES: string[];
  GenError: new (m: string) => Error;
  generate(opts?: { outRoot?: string; languages?: string[]; schema?: string }): string[];
  listFiles(dir: string): string[];
  buildPython(opts?: { venv?: string; sdkRoot?: string }): {
    venv: string;
    python: string;
    printed: string;
  };
  buildGo(opts?: { sdkRoot?: string }): { dir: string };
  buildDotnet(opts?: { sdkRoot?: string }): { skipped?: string; dir?: string };
}
const gen = require("../../scripts/gen-sdks.js") as GenSdks;

interface Schema {
  version: string;
  resources: Record<string, { inputProperties: Record<string, unknown> }>;
  functions: Record<string, unknown>;
}
const SCHEMA = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "schema.json"), "utf8")) as Schema;
const WEBHOOK_INPUTS = Object.keys(SCHEMA.resources["nexudus:index:WebHook"]!.inputProperties);
const FUNCTIONS = Object.keys(SCHEMA.functions).map((t) => t.split(":").pop()!);

const has = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return !r.error && r.status === 0;
};
const HAVE_SDKGEN = fs.existsSync(SDKGEN);
const HAVE_PYTHON = has("python3", ["-m", "venv", "--help"]);
const HAVE_GO = has("go", ["version"]);
if (!HAVE_SDKGEN) {
  console.warn(
    `tests/sdks: ${SDKGEN} is missing, regeneration is not checked: run \`npm run pulumi:install\``,
  );
}

const GO_MODULE = "github.com/pulumi-nexudus/pulumi-nexudus/sdk/go";
/** The Go example of docs/languages.md, whole. */
const GO_PROGRAM = `package main

import (
	"${GO_MODULE}/nexudus"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		hook, err := nexudus.NewWebHook(ctx, "bookings", &nexudus.WebHookArgs{
			BusinessId: pulumi.Int(1234),
			Name:       pulumi.String("Bookings"),
			Action:     nexudus.WebhookActionBookingCreate,
			Url:        pulumi.String("https://hooks.example.com/bookings"),
		})
		if err != nil {
			return err
		}
		ctx.Export("webhookId", hook.WebhookId)
		return nil
	})
}
`;

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const read = (...p: string[]) => fs.readFileSync(path.join(REPO_ROOT, "sdk", ...p), "utf8");

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-sdks-"));
});
afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("generation", () => {
  (HAVE_SDKGEN ? test : test.skip)(
    "regenerating from schema.json gives the committed sdk/python, sdk/go and sdk/dotnet",
    () => {
      const out = path.join(tmp, "regen");
      gen.generate({ outRoot: out });
      for (const language of gen.LANGUAGES) {
        const committed = path.join(REPO_ROOT, "sdk", language);
        const fresh = path.join(out, "sdk", language);
        expect({ language, files: gen.listFiles(fresh) }).toEqual({
          language,
          files: gen.listFiles(committed),
        });
        const differing = gen
          .listFiles(fresh)
          .filter(
            (f) =>
              !fs
                .readFileSync(path.join(fresh, f))
                .equals(fs.readFileSync(path.join(committed, f))),
          );
        expect({ language, differing }).toEqual({ language, differing: [] });
      }
    },
    300_000,
  );

  test("a schema without a semver version stops before anything is written", () => {
    const bad = path.join(tmp, "bad-schema.json");
    fs.writeFileSync(bad, JSON.stringify({ ...SCHEMA, version: "next" }));
    const out = path.join(tmp, "bad-out");
    expect(() => gen.generate({ outRoot: out, schema: bad })).toThrow(
      /bad-schema\.json: "version" must be a semver string .*got "next"/,
    );
    expect(() => gen.generate({ outRoot: out, languages: ["java"] })).toThrow(
      /unknown language "java": one of python, go, dotnet/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("the committed SDKs follow the schema", () => {
  test("each carries the schema's version as the plugin version", () => {
    for (const file of [
      ["python", "pulumi_nexudus", "pulumi-plugin.json"],
      ["go", "nexudus", "pulumi-plugin.json"],
      ["dotnet", "pulumi-plugin.json"],
    ]) {
      expect(JSON.parse(read(...file))).toEqual({
        resource: true,
        name: "nexudus",
        version: SCHEMA.version,
      });
    }
    expect(read("python", "setup.py")).toContain(`VERSION = "${SCHEMA.version}"`);
  });

  test("each has the WebHook with every schema input, the provider and the functions", () => {
    const python = read("python", "pulumi_nexudus", "web_hook.py");
    const go = read("go", "nexudus", "webHook.go");
    const dotnet = read("dotnet", "WebHook.cs");
    for (const input of WEBHOOK_INPUTS) {
      const pascal = input[0]!.toUpperCase() + input.slice(1);
      expect(python).toContain(`def ${snake(input)}(self)`);
      expect(go).toMatch(new RegExp(`\\n\\t${pascal} +\\S+`));
      expect(dotnet).toContain(`[Input("${input}"`);
    }
    expect(python).toContain('"nexudus:index:WebHook"');
    expect(go).toContain('"nexudus:index:WebHook"');
    expect(dotnet).toContain('"nexudus:index:WebHook"');
    for (const fn of FUNCTIONS) {
      const pascal = fn[0]!.toUpperCase() + fn.slice(1);
      expect(
        fs.existsSync(path.join(REPO_ROOT, "sdk", "python", "pulumi_nexudus", `${snake(fn)}.py`)),
      ).toBe(true);
      expect(fs.existsSync(path.join(REPO_ROOT, "sdk", "go", "nexudus", `${fn}.go`))).toBe(true);
      expect(fs.existsSync(path.join(REPO_ROOT, "sdk", "dotnet", `${pascal}.cs`))).toBe(true);
    }
  });
});

describe("the SDKs build", () => {
  (HAVE_PYTHON ? test : test.skip)(
    "Python: pip installs sdk/python with pulumi from PyPI; WebHookArgs takes the schema's inputs",
    () => {
      const { python, printed } = gen.buildPython({ venv: path.join(tmp, "venv") });
      expect(printed).toBe("WebHook Provider");
      const r = spawnSync(
        python,
        [
          "-c",
          "import inspect, json, pulumi_nexudus as n; " +
            "print(json.dumps(sorted(p for p in inspect.signature(n.WebHookArgs.__init__).parameters if p not in ('self', '__self__'))))",
        ],
        { encoding: "utf8" },
      );
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout) as string[]).toEqual(WEBHOOK_INPUTS.map(snake).sort());
      // Nothing of the install is left beside the sources.
      expect(
        gen
          .listFiles(path.join(REPO_ROOT, "sdk", "python"))
          .filter((f) => /^build\/|egg-info/.test(f)),
      ).toEqual([]);
    },
    600_000,
  );

  (HAVE_GO ? test : test.skip)(
    "Go: go build ./... and go vet ./... in sdk/go; the program of docs/languages.md compiles",
    () => {
      expect(gen.buildGo().dir).toBe(path.join(REPO_ROOT, "sdk", "go"));
      const prog = path.join(tmp, "go-program");
      fs.mkdirSync(prog);
      fs.writeFileSync(path.join(prog, "main.go"), GO_PROGRAM);
      fs.writeFileSync(
        path.join(prog, "go.mod"),
        `module example.com/hooks\n\ngo 1.24\n\nrequire ${GO_MODULE} v0.0.0\n\n` +
          `replace ${GO_MODULE} => ${path.join(REPO_ROOT, "sdk", "go")}\n`,
      );
      fs.copyFileSync(path.join(REPO_ROOT, "sdk", "go", "go.sum"), path.join(prog, "go.sum"));
      const env = { ...process.env, GOWORK: "off", GOFLAGS: "-mod=mod" };
      for (const args of [
        ["mod", "tidy"],
        ["build", "-o", path.join(prog, "hooks"), "."],
      ]) {
        const r = spawnSync("go", args, { cwd: prog, env, encoding: "utf8", timeout: 600_000 });
        expect({ args, code: r.status, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
      }
    },
    600_000,
  );

  const dotnet = has("dotnet", ["--version"]);
  (dotnet ? test : test.skip)(
    `.NET: dotnet build in sdk/dotnet${dotnet ? "" : ` (skipped: ${gen.buildDotnet().skipped})`}`,
    () => {
      expect(gen.buildDotnet().skipped).toBeUndefined();
    },
    600_000,
  );
});
