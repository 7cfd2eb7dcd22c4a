/**
 * Keeps `npm run bench` working: runs `bench/run.ts --quick` (N = 10) into a temporary folder and
 * checks the shape of what it writes. Never touches the committed bench/results.json, and asserts
 * no timing: the figures belong to the benchmark's output.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../testing/host";

jest.setTimeout(240_000);

let dir: string;
let run: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-bench-"));
  run = await new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        "bench/run.ts",
        "--quick",
        "--out",
        path.join(dir, "results.json"),
        "--table",
        path.join(dir, "results.md"),
        "--chart",
        path.join(dir, "converge.svg"),
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const num = expect.any(Number);

describe("npm run bench -- --quick", () => {
  it("exits 0 and prints the table", () => {
    expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({
      code: 0,
      stderr: "",
    });
    expect(run.stdout).toMatch(/^\| Measure +\| Result +\| Target +\| Met \|$/m);
    expect(run.stdout).toMatch(/Converge 10: wall time \/ lower bound/);
  });

  it("writes results.json with the documented shape", () => {
    const results = JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8"));
    expect(results).toMatchObject({
      timeFactor: num,
      callsPerOp: {
        check: 0,
        diff: 0,
        create: 3, // the POST, the GET, and the pre-create snapshot search (alone, it is not shared)
        update: 2,
        read: 1,
        delete: 1,
        noChangeUp: { n: 10, calls: 0 },
      },
      providerBytes: num,
      stateBytesPerWebhook: num,
      convergeByTimeFactor: [],
    });
    expect(results.converge).toEqual([
      expect.objectContaining({
        n: 10,
        writes: 10, // one POST each; the snapshot before and the outputs after are shared searches
        throttled: 0,
        errors: 0,
        seconds: num,
        boundSeconds: num,
        ratio: num,
      }),
    ]);
    expect(results.converge[0].boundSeconds).toBeGreaterThan(0);
    expect(results.converge[0].reads).toBeGreaterThanOrEqual(1);
    // The shared search pages, and a GET or two to learn that descriptions are kept as sent.
    expect(results.converge[0].reads).toBeLessThanOrEqual(6);
    expect(results.refresh).toEqual([
      expect.objectContaining({ n: 10, mode: "get", calls: 10, gets: 10, searches: 0 }),
      expect.objectContaining({ n: 10, mode: "search", calls: 1, gets: 0, searches: 1 }),
      expect.objectContaining({ n: 10, mode: "account", calls: 1, gets: 0, searches: 1 }),
      expect.objectContaining({
        n: 10,
        mode: "account",
        edited: 1,
        deleted: 1,
        searches: 1,
        gets: 2,
        dropped: 1,
        driftSeen: 1,
      }),
    ]);
    expect(results.providerBytes).toBeLessThanOrEqual(8 * 1024);
    expect(results.stateBytesPerWebhook).toBeLessThanOrEqual(12 * 1024);
  });

  it("writes the Markdown table and the SVG chart with the bound drawn in", () => {
    expect(fs.readFileSync(path.join(dir, "results.md"), "utf8")).toMatch(/^\| Measure +\|/);
    const svg = fs.readFileSync(path.join(dir, "converge.svg"), "utf8");
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain("lower bound");
    expect(svg.trim()).toMatch(/<\/svg>$/);
  });
});
