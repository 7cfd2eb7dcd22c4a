/**
 * The three paths through the real Pulumi engine, side by side: `pulumi preview` and `pulumi up`
 * of N webhooks (N/10 locations x 10) with the dynamic provider (`nexudus.WebHook`), with the
 * `nexudus` plugin (`nexudus.native.WebHook`, the packed plugin installed with `pulumi plugin
 * install`), and a baseline of N trivial dynamic resources (a create that only returns an id),
 * against the emulator on loopback with the documented limits time-scaled. For each: wall time
 * and the peak resident memory of the whole process tree (engine, language host, provider
 * hosts), sampled every 100 ms from /proc.
 *
 * `npm run bench -- --paths [--paths-sizes 100,3000] [--paths-time-factor 0.01]` (a `paths`
 * object in bench/results.json and a table in bench/results.md); alone:
 * `npx ts-node --transpile-only bench/paths.ts [--sizes 100] [--time-factor 0.01] [--only plugin]`.
 * Each run also records each part's own peak (engine, language host, program, provider).
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import {
  collect,
  findPulumi,
  installPlugin,
  makeProgram,
  PulumiSession,
} from "../testing/pulumiCli";

/** The paths compared. */
export type BenchPath = "dynamic" | "plugin" | "baseline";

/** One path at one size. */
export interface PathRun {
  path: BenchPath;
  n: number;
  previewSeconds: number;
  previewPeakMb: number | null;
  upSeconds: number;
  upPeakMb: number | null;
  /** Each part's own peak (engine, language host, program, provider), preview and up. */
  previewPeakByRole?: Partial<Record<Role, number>>;
  upPeakByRole?: Partial<Record<Role, number>>;
  /** API calls of the up (the baseline makes none). */
  writes: number;
  reads: number;
  throttled: number;
}

export interface PathsBench {
  cli: string;
  timeFactor: number;
  runs: PathRun[];
}

const TOKEN = "bench-paths-token";
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** The program of a path: N resources, 10 per location. */
function program(p: BenchPath, n: number): string {
  const loop = (body: string) =>
    `for (let i = 0; i < ${n}; i++) {\n  const businessId = 1000 + Math.floor(i / 10);\n${body}\n}\n`;
  const args =
    '{ businessId, name: `Bench ${i}`, action: "BookingCreate", url: `https://hooks.example.com/paths/${i}` }';
  switch (p) {
    case "dynamic":
      return `import * as nexudus from "pulumi-nexudus";\n${loop(`  new nexudus.WebHook(\`hook-\${i}\`, ${args});`)}`;
    case "plugin":
      return `import * as nexudus from "pulumi-nexudus";\n${loop(`  new nexudus.native.WebHook(\`hook-\${i}\`, ${args});`)}`;
    case "baseline":
      return `import * as pulumi from "@pulumi/pulumi";
const trivial: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: String(inputs.i), outs: inputs };
  },
};
class Thing extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, number>) {
    super(trivial, name, props, {});
  }
}
${loop("  new Thing(`thing-${i}`, { i, businessId });")}`;
  }
}

/** The resident memory of `pid` and all its descendants, in MB (null without /proc). */
/** Which part of a run a process is, from its command line. */
export type Role = "engine" | "language host" | "program" | "provider" | "other";

function roleOf(cmdline: string[]): Role {
  const line = cmdline.join(" ");
  const argv0 = path.basename(cmdline[0] ?? "");
  if (line.includes("provider/plugin/main.js") || line.includes("dynamic-provider")) {
    return "provider";
  }
  if (argv0 === "pulumi") return "engine";
  if (argv0.startsWith("pulumi-language-")) return "language host";
  if (argv0 === "node" || argv0.startsWith("node")) return "program";
  return "other";
}

/** The resident memory of a process tree, in MB: the whole and each role's share. */
function treeRss(pid: number): { totalMb: number; byRole: Partial<Record<Role, number>> } | null {
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const e of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ppid = Number(fields[1]);
      const pages = Number(fields[21]);
      const id = Number(e);
      rss.set(id, pages * 4096);
      const list = children.get(ppid) ?? [];
      list.push(id);
      children.set(ppid, list);
    } catch {
      // the process ended meanwhile
    }
  }
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  let total = 0;
  const byRole: Partial<Record<Role, number>> = {};
  const stack = [pid];
  for (let guard = 0; stack.length > 0 && guard < 10_000; guard++) {
    const p = stack.pop()!;
    const bytes = rss.get(p) ?? 0;
    total += bytes;
    let cmdline: string[] = [];
    try {
      cmdline = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      // ended
    }
    const role = roleOf(cmdline);
    byRole[role] = (byRole[role] ?? 0) + bytes;
    stack.push(...(children.get(p) ?? []));
  }
  for (const r of Object.keys(byRole) as Role[]) byRole[r] = mb(byRole[r]!);
  return { totalMb: mb(total), byRole };
}

/** Runs `pulumi <args>`, sampling the process tree's memory; wall time and peak. */
async function measured(
  session: PulumiSession,
  dir: string,
  args: string[],
): Promise<{ seconds: number; peakMb: number | null; peakByRole: Partial<Record<Role, number>> }> {
  const child: ChildProcess = session.spawn(dir, args);
  let peak: number | null = null;
  const peakByRole: Partial<Record<Role, number>> = {};
  const timer = setInterval(() => {
    if (child.pid === undefined) return;
    const sample = treeRss(child.pid);
    if (sample === null) return;
    peak = Math.max(peak ?? 0, sample.totalMb);
    for (const [role, v] of Object.entries(sample.byRole) as [Role, number][]) {
      peakByRole[role] = Math.max(peakByRole[role] ?? 0, v);
    }
  }, 100);
  try {
    const r = await collect(child, 3_600_000);
    if (r.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr}`,
      );
    }
    return { seconds: round(r.ms / 1000), peakMb: peak, peakByRole };
  } finally {
    clearInterval(timer);
  }
}

async function runOnce(
  session: PulumiSession,
  root: string,
  p: BenchPath,
  n: number,
  timeFactor: number,
): Promise<PathRun> {
  const emulator = await startEmulator({
    port: 0,
    rateLimits: {},
    timeFactor,
    locations: Array.from({ length: Math.ceil(n / 10) }, (_, i) => ({
      id: 1000 + i,
      name: `Location ${i}`,
    })),
    users: [
      {
        username: "paths@example.com",
        password: "x",
        roles: ["Administrator"],
        apiTokens: [TOKEN],
      },
    ],
  });
  try {
    const dir = makeProgram(root, `${p}-${n}`, { files: { "index.ts": program(p, n) } });
    await session.ok(dir, ["stack", "init", "bench"]);
    await session.ok(dir, ["config", "set", "nexudus:baseUrl", emulator.url]);
    await session.ok(dir, ["config", "set", "--secret", "nexudus:token", TOKEN]);
    const preview = await measured(session, dir, ["preview"]);
    emulator.clearRequests();
    const up = await measured(session, dir, ["up", "--yes", "--skip-preview"]);
    const log = emulator.requests();
    const expected = p === "baseline" ? 0 : n;
    if (emulator.records().length !== expected) {
      throw new Error(
        `paths bench (${p}): ${emulator.records().length} records, expected ${expected}`,
      );
    }
    // The records go with the emulator: the stack is dropped without a destroy.
    await session.ok(dir, ["stack", "rm", "--yes", "--force", "bench"]);
    fs.rmSync(dir, { recursive: true, force: true });
    const writes = log.filter((r) => r.method !== "GET").length;
    return {
      path: p,
      n,
      previewSeconds: preview.seconds,
      previewPeakMb: preview.peakMb,
      upSeconds: up.seconds,
      upPeakMb: up.peakMb,
      previewPeakByRole: preview.peakByRole,
      upPeakByRole: up.peakByRole,
      writes,
      reads: log.length - writes,
      throttled: log.filter((r) => r.status === 409).length,
    };
  } finally {
    await emulator.stop();
  }
}

/** The paths as a Markdown section of bench/results.md. */
export function pathsTable(b: PathsBench): string {
  const mb = (v: number | null) => (v === null ? "-" : `${v} MB`);
  return [
    "",
    `## Plugin, dynamic provider and trivial resources through the real engine (${b.cli}, limits x${b.timeFactor})`,
    "",
    "| path | resources | preview | preview peak | up | up peak | writes/reads/409 |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...b.runs.map(
      (r) =>
        `| ${r.path} | ${r.n} | ${r.previewSeconds} s | ${mb(r.previewPeakMb)} | ${r.upSeconds} s | ${mb(r.upPeakMb)} | ${r.writes}/${r.reads}/${r.throttled} |`,
    ),
    "",
  ].join("\n");
}

/** Runs the three paths at each size; undefined (with the reason logged) without a CLI. */
export async function runPathsBench(
  opts: { sizes: number[]; timeFactor: number; paths?: readonly BenchPath[] },
  log: (line: string) => void,
): Promise<PathsBench | undefined> {
  let cli;
  try {
    cli = findPulumi();
  } catch (e) {
    log(`paths: skipped, ${(e as Error).message}`);
    return undefined;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-bench-paths-"));
  try {
    const session = new PulumiSession(cli, root, { NEXUDUS_TIME_FACTOR: String(opts.timeFactor) });
    await installPlugin(session, root);
    const runs: PathRun[] = [];
    for (const n of opts.sizes) {
      for (const p of opts.paths ?? (["baseline", "dynamic", "plugin"] as const)) {
        const r = await runOnce(session, root, p, n, opts.timeFactor);
        log(
          `paths: ${p}, ${n} resources: preview ${r.previewSeconds} s (peak ${r.previewPeakMb} MB), ` +
            `up ${r.upSeconds} s (peak ${r.upPeakMb} MB), ${r.writes} writes, ${r.reads} reads, ${r.throttled} x 409; ` +
            `peaks by part, preview ${JSON.stringify(r.previewPeakByRole)}, up ${JSON.stringify(r.upPeakByRole)}`,
        );
        runs.push(r);
      }
    }
    return { cli: `${cli.version} (${cli.source})`, timeFactor: opts.timeFactor, runs };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const arg = (name: string, dflt: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? (argv[i + 1] ?? "") : dflt;
  };
  const sizes = arg("--sizes", "100").split(",").map(Number);
  const timeFactor = Number(arg("--time-factor", "0.01"));
  if (sizes.some((n) => !Number.isInteger(n) || n < 10 || n % 10 !== 0)) {
    throw new Error("--sizes must be whole multiples of 10, comma-separated (e.g. 100,3000)");
  }
  if (!Number.isFinite(timeFactor) || timeFactor <= 0) {
    throw new Error("--time-factor must be a number greater than 0");
  }
  const only = arg("--only", "");
  const paths = only === "" ? undefined : (only.split(",") as BenchPath[]);
  if (paths?.some((p) => !["baseline", "dynamic", "plugin"].includes(p))) {
    throw new Error("--only takes baseline, dynamic and plugin, comma-separated");
  }
  runPathsBench({ sizes, timeFactor, ...(paths ? { paths } : {}) }, (l) => console.log(l)).then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
