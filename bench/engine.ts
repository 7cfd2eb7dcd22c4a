/**
 * The real Pulumi engine's share of a run: `pulumi preview` and `pulumi up` of N webhooks through
 * the CLI (.tools/bin or PATH), against the emulator on loopback, twice:
 *
 * - with the API's documented rate limits (time-scaled like the rest of the bench): wall time
 *   beside the lower bound of the calls the run made (bench/bound.ts);
 * - with no limits: the engine's own cost (program, plan, gRPC, checkpoints) per resource, which is
 *   what the CLI adds to the bound.
 *
 * `npm run bench` runs it when a CLI is there (an `engine` object in bench/results.json); alone:
 * `npx ts-node --transpile-only bench/engine.ts [--n 100] [--time-factor 0.1]`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { findPulumi, makeProgram, PulumiSession } from "../testing/pulumiCli";
import { lowerBoundMs } from "./bound";

/** One run of the engine bench. */
export interface EngineRun {
  /** Whether the emulator enforced the documented limits (time-scaled). */
  limits: boolean;
  n: number;
  previewSeconds: number;
  upSeconds: number;
  calls: { writes: number; reads: number; throttled: number };
  /** The lower bound of those calls under the limits (0 without limits). */
  boundSeconds: number;
  /** upSeconds / boundSeconds (null without limits). */
  ratio: number | null;
  /** (upSeconds - boundSeconds) / n, in ms: what the engine adds per resource. */
  overheadMsPerResource: number;
  /** previewSeconds / n, in ms. */
  previewMsPerResource: number;
}

export interface EngineBench {
  cli: string;
  timeFactor: number;
  runs: EngineRun[];
}

const TOKEN = "bench-engine-token";

function program(n: number): string {
  return `import * as nexudus from "pulumi-nexudus";
for (let i = 0; i < ${n}; i++) {
  new nexudus.WebHook(\`hook-\${i}\`, {
    businessId: 1234,
    name: \`Bench \${i}\`,
    action: "BookingCreate",
    url: \`https://hooks.example.com/bench/\${i}\`,
  });
}
`;
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function runOnce(
  session: PulumiSession,
  dir: string,
  n: number,
  limits: boolean,
  timeFactor: number,
): Promise<EngineRun> {
  const emulator = await startEmulator({
    port: 0,
    rateLimits: limits ? {} : false,
    timeFactor,
    users: [
      {
        username: "bench@example.com",
        password: "x",
        roles: ["Administrator"],
        apiTokens: [TOKEN],
      },
    ],
  });
  const stack = `${limits ? "limits" : "free"}-${n}`;
  try {
    await session.ok(dir, ["stack", "init", stack]);
    await session.ok(dir, ["config", "set", "nexudus:baseUrl", emulator.url]);
    await session.ok(dir, ["config", "set", "--secret", "nexudus:token", TOKEN]);
    const preview = await session.ok(dir, ["preview"], { timeoutMs: 1_800_000 });
    emulator.clearRequests();
    const up = await session.ok(dir, ["up", "--yes", "--skip-preview"], { timeoutMs: 3_600_000 });
    const log = emulator.requests();
    const writes = log.filter((r) => r.method !== "GET").length;
    const reads = log.length - writes;
    const throttled = log.filter((r) => r.status === 409).length;
    if (emulator.records().length !== n) {
      throw new Error(`engine bench: ${emulator.records().length} records after up, expected ${n}`);
    }
    const boundMs = limits
      ? lowerBoundMs({ writes, reads, dependentReads: Math.min(reads, writes) }, { timeFactor })
      : 0;
    const upSeconds = up.ms / 1000;
    await session.ok(dir, ["destroy", "--yes", "--skip-preview"], { timeoutMs: 3_600_000 });
    await session.ok(dir, ["stack", "rm", "--yes", stack]);
    return {
      limits,
      n,
      previewSeconds: round(preview.ms / 1000),
      upSeconds: round(upSeconds),
      calls: { writes, reads, throttled },
      boundSeconds: round(boundMs / 1000),
      ratio: limits && boundMs > 0 ? round(up.ms / boundMs, 2) : null,
      overheadMsPerResource: round((up.ms - boundMs) / n, 1),
      previewMsPerResource: round(preview.ms / n, 1),
    };
  } finally {
    await emulator.stop();
  }
}

/** The engine runs as a Markdown section of bench/results.md. */
export function engineTable(e: EngineBench): string {
  const rows = e.runs.map(
    (r) =>
      `| ${r.limits ? `documented limits x${e.timeFactor}` : "no limits"} | ${r.n} | ${r.previewSeconds} s | ${r.upSeconds} s | ${r.limits ? `${r.boundSeconds} s` : "-"} | ${r.ratio ?? "-"} | ${r.overheadMsPerResource} ms | ${r.calls.writes}/${r.calls.reads}/${r.calls.throttled} |`,
  );
  return [
    "",
    `## The real Pulumi engine (${e.cli})`,
    "",
    "| API | webhooks | preview | up | bound | up / bound | engine per resource | writes/reads/409 |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

/** Runs the engine bench; undefined (with the reason logged) when there is no CLI. */
export async function runEngineBench(
  opts: { n: number; timeFactor: number },
  log: (line: string) => void,
): Promise<EngineBench | undefined> {
  let cli;
  try {
    cli = findPulumi();
  } catch (e) {
    log(`engine: skipped, ${(e as Error).message}`);
    return undefined;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nexudus-bench-engine-"));
  try {
    const session = new PulumiSession(cli, root, { NEXUDUS_TIME_FACTOR: String(opts.timeFactor) });
    const dir = makeProgram(root, "bench", { files: { "index.ts": program(opts.n) } });
    const runs: EngineRun[] = [];
    for (const limits of [false, true]) {
      const r = await runOnce(session, dir, opts.n, limits, opts.timeFactor);
      log(
        `engine (${cli.version}), ${opts.n} webhooks, ${limits ? `documented limits x${opts.timeFactor}` : "no limits"}: ` +
          `preview ${r.previewSeconds} s, up ${r.upSeconds} s` +
          (limits ? ` (bound ${r.boundSeconds} s, ratio ${r.ratio})` : "") +
          `, ${r.overheadMsPerResource} ms per resource over the bound`,
      );
      runs.push(r);
    }
    return { cli: `${cli.version} (${cli.source})`, timeFactor: opts.timeFactor, runs };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const flag = (name: string, dflt: number) => {
    const i = argv.indexOf(name);
    const v = i >= 0 ? Number(argv[i + 1]) : dflt;
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
    return v;
  };
  runEngineBench({ n: flag("--n", 100), timeFactor: flag("--time-factor", 0.1) }, (l) =>
    console.log(l),
  ).then(
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
