// Jest reporter: at the end of the run, prints every figures file (written by
// testing/figures.ts `recordFigures`) found in NEXUDUS_FIGURES_DIR (default <repo>/.figures)
// as a titled table.
const fs = require("node:fs");
const path = require("node:path");

function figuresDir() {
  return process.env.NEXUDUS_FIGURES_DIR || path.resolve(__dirname, "..", ".figures");
}

function formatCell(v) {
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) >= 100 ? 0 : 2);
  }
  return v === undefined || v === null ? "" : String(v);
}

/** Renders rows (array of records) as an aligned text table. */
function renderTable(columns, rows) {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map((c) =>
    rows.every((r) => r[c] === undefined || typeof r[c] === "number"),
  );
  const fmt = (row) =>
    "| " +
    row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join(" | ") +
    " |";
  const sep = "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|";
  return [fmt(columns), sep, ...cells.map(fmt)].join("\n");
}

function render(figure) {
  const { title, rows } = figure;
  let table;
  if (Array.isArray(rows)) {
    const columns = [];
    for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
    table = renderTable(columns, rows);
  } else {
    table = renderTable(
      ["figure", "value"],
      Object.entries(rows || {}).map(([k, v]) => ({ figure: k, value: v })),
    );
  }
  return `${title}\n${"=".repeat(String(title).length)}\n${table}`;
}

/** Figures summed over every table that holds them, printed last (each must be 0). */
const TOTALS = [
  "records wrongly taken",
  "records wrongly deleted",
  "secrets leaked",
  "unbounded pagings",
];

class FiguresReporter {
  constructor(globalConfig, options) {
    this.options = options || {};
    this.startedAt = Date.now();
  }

  onRunStart() {
    this.startedAt = Date.now();
  }

  onRunComplete() {
    const dir = figuresDir();
    let files = [];
    try {
      // Only this run's figures (older files stay when global setup did not empty the folder).
      files = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .filter((f) => fs.statSync(path.join(dir, f)).mtimeMs >= this.startedAt - 1000)
        .sort();
    } catch {
      return;
    }
    const out = [];
    const totals = new Map(TOTALS.map((k) => [k, undefined]));
    for (const f of files) {
      try {
        const figure = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
        out.push(render(figure));
        const rows = Array.isArray(figure.rows) ? figure.rows : [figure.rows || {}];
        for (const row of rows) {
          for (const key of TOTALS) {
            if (typeof row[key] === "number") totals.set(key, (totals.get(key) || 0) + row[key]);
          }
        }
      } catch (e) {
        out.push(`(unreadable figures file ${f}: ${e.message})`);
      }
    }
    // The reliability figures that must all be 0, summed over the suites that recorded them.
    if ([...totals.values()].some((v) => v !== undefined)) {
      out.push(
        render({
          title: "Reliability: what must never happen (summed over the suites)",
          rows: Object.fromEntries(
            [...totals].map(([k, v]) => [k, v === undefined ? "(not run)" : v]),
          ),
        }),
      );
    }
    if (out.length > 0) {
      process.stdout.write(`\nFigures (${dir})\n\n${out.join("\n\n")}\n\n`);
    }
  }
}

module.exports = FiguresReporter;
