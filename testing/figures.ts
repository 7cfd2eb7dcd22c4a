/**
 * Record figures (timings, counts...) from a test so that the jest reporter
 * `testing/figures-reporter.js` prints them as a titled table at the end of the run.
 *
 * ```ts
 * recordFigures("60 webhooks through one host", { resources: 60, "up (ms)": r.durationMs });
 * recordFigures("latency by parallelism", [
 *   { parallel: 1, "up (ms)": 5200 },
 *   { parallel: 10, "up (ms)": 800 },
 * ]);
 * ```
 *
 * Figures are written as JSON files into `NEXUDUS_FIGURES_DIR` (default `<repo>/.figures`,
 * emptied by the jest global setup), so they survive jest's worker processes.
 *
 * @packageDocumentation
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One table row: column name -> value. */
export type FigureRow = Record<string, number | string>;

/** The folder figures are written to (`NEXUDUS_FIGURES_DIR`, default `<repo>/.figures`). */
export function figuresDir(): string {
  return process.env.NEXUDUS_FIGURES_DIR ?? path.resolve(__dirname, "..", ".figures");
}

let counter = 0;

/**
 * Records a titled table. `rows` is either one record (printed as a two-column key/value table)
 * or an array of records (printed with one column per key). Returns the file written.
 */
export function recordFigures(title: string, rows: FigureRow | FigureRow[]): string {
  const dir = figuresDir();
  fs.mkdirSync(dir, { recursive: true });
  const slug =
    title
      .replace(/[^a-zA-Z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "figures";
  const file = path.join(dir, `${slug}-${process.pid}-${Date.now()}-${counter++}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({ title, rows, recordedAt: new Date().toISOString() }, null, 2),
  );
  return file;
}
