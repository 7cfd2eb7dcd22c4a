/**
 * The package as a user gets it: `npm pack`, unpacked into an empty project's node_modules, the
 * program requiring it by name, and the dynamic-provider host started in that project so that
 * the `require("pulumi-nexudus/provider")` inside the serialized provider resolves there.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startEmulator, type EmulatorHandle } from "../../emulator";
import { captureResources } from "../support/capture";
import { Engine } from "../support/engine";
import { REPO_ROOT, startHost, type Host } from "../support/host";

let project: string;
let emulator: EmulatorHandle;
let host: Host | undefined;

beforeAll(async () => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-packed-"));
  const tarball = execFileSync(
    "npm",
    ["pack", "--ignore-scripts", "--silent", "--pack-destination", project],
    {
      cwd: REPO_ROOT,
      encoding: "utf8",
    },
  )
    .trim()
    .split("\n")
    .pop()!;
  const target = path.join(project, "node_modules", "pulumi-nexudus");
  fs.mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", path.join(project, tarball), "-C", target, "--strip-components=1"]);
  // The package's dependencies, as npm would install them beside it (linked: no network in tests).
  const pkg = JSON.parse(fs.readFileSync(path.join(target, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  for (const dep of Object.keys(pkg.dependencies)) {
    const link = path.join(project, "node_modules", dep);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules", dep), link, "dir");
  }
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "user-stack", private: true, dependencies: { "pulumi-nexudus": "*" } }),
  );
  emulator = await startEmulator({ port: 0 });
}, 120_000);

afterAll(async () => {
  await host?.stop();
  await emulator?.stop();
  fs.rmSync(project, { recursive: true, force: true });
});

test("the packed tarball holds the compiled package and no sources or tests", () => {
  const root = path.join(project, "node_modules", "pulumi-nexudus");
  expect(fs.existsSync(path.join(root, "dist", "sdk", "index.js"))).toBe(true);
  expect(fs.existsSync(path.join(root, "dist", "provider", "index.js"))).toBe(true);
  expect(fs.existsSync(path.join(root, "tests"))).toBe(false);
  expect(fs.existsSync(path.join(root, "provider"))).toBe(false);
});

test("a program using the installed package runs its whole lifecycle through a host in that project", async () => {
  // The user's program, requiring the package by name from the project.
  const programFile = path.join(project, "index.js");
  fs.writeFileSync(
    programFile,
    `const nexudus = require("pulumi-nexudus");
module.exports = () => new nexudus.WebHook("bookings", {
  businessId: 1234, name: "Bookings", action: nexudus.WebhookAction.BookingCreate,
  url: "https://hooks.example.com/bookings",
});
`,
  );
  const program = require(programFile) as () => void;
  const desired = await captureResources(program);
  expect(desired).toHaveLength(1);
  const code = desired[0]!.inputs.__provider as string;
  expect(code).toContain('require("pulumi-nexudus/provider")');
  expect(code.length).toBeLessThan(4096);

  host = await startHost({ cwd: project });
  expect(fs.realpathSync(host.script)).toBe(
    fs.realpathSync(
      path.join(REPO_ROOT, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"),
    ),
  );
  const engine = new Engine(host, {
    config: {
      "nexudus:baseUrl": emulator.url,
      "nexudus:token": { secret: "emulator-admin-token" },
    },
  });
  await engine.up(desired);
  expect(emulator.records()).toHaveLength(1);
  expect(engine.find("bookings")!.outputs).toMatchObject({
    actionName: "BookingCreate",
    active: true,
  });
  await engine.destroy();
  expect(emulator.records()).toHaveLength(0);
});
