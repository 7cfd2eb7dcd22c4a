/**
 * A small SVG line chart, written by hand (no dependency): converge time against N, measured and
 * the rate limits' lower bound, so a reader sees at a glance how close the provider runs to it.
 *
 * @module
 */

/** One point of the chart. */
export interface ConvergePoint {
  n: number;
  seconds: number;
  boundSeconds: number;
}

/** Options of {@link convergeChartSvg}. */
export interface ChartOptions {
  /** The subtitle (e.g. the time factor and the limits). */
  subtitle?: string;
  width?: number;
  height?: number;
}

const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A "nice" step (1, 2 or 5 × 10^k) that splits `span` into about `count` ticks. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return String(Number(v.toFixed(2)));
  return String(Number(v.toPrecision(2)));
}

/** The chart as an SVG document. */
export function convergeChartSvg(points: ConvergePoint[], opts: ChartOptions = {}): string {
  const width = opts.width ?? 640;
  const height = opts.height ?? 400;
  const m = { left: 64, right: 24, top: 56, bottom: 52 };
  const pts = [...points].sort((a, b) => a.n - b.n);
  const maxN = Math.max(1, ...pts.map((p) => p.n));
  const maxY = Math.max(0.001, ...pts.map((p) => Math.max(p.seconds, p.boundSeconds)));
  const xStep = niceStep(maxN, 5);
  const yStep = niceStep(maxY, 5);
  const xMax = Math.ceil(maxN / xStep) * xStep;
  const yMax = Math.ceil((maxY * 1.05) / yStep) * yStep;
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const x = (n: number) => m.left + (n / xMax) * pw;
  const y = (s: number) => m.top + ph - (s / yMax) * ph;
  const path = (key: "seconds" | "boundSeconds") =>
    pts
      .map((p, i) => `${i === 0 ? "M" : "L"}${x(p.n).toFixed(1)},${y(p[key]).toFixed(1)}`)
      .join(" ");

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${m.left}" y="22" font-size="15" font-weight="bold">Converging N new webhooks: measured vs the rate limits' lower bound</text>`,
  );
  if (opts.subtitle) {
    out.push(`<text x="${m.left}" y="40" fill="#555">${esc(opts.subtitle)}</text>`);
  }
  // Grid and ticks.
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    const yy = y(v).toFixed(1);
    out.push(
      `<line x1="${m.left}" y1="${yy}" x2="${m.left + pw}" y2="${yy}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle" fill="#333">${fmt(v)}</text>`,
    );
  }
  for (let v = 0; v <= xMax + 1e-9; v += xStep) {
    const xx = x(v).toFixed(1);
    out.push(
      `<line x1="${xx}" y1="${m.top}" x2="${xx}" y2="${m.top + ph}" stroke="#f0f0f0"/>`,
      `<text x="${xx}" y="${m.top + ph + 18}" text-anchor="middle" fill="#333">${fmt(v)}</text>`,
    );
  }
  out.push(
    `<line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}" stroke="#333"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}" stroke="#333"/>`,
    `<text x="${m.left + pw / 2}" y="${height - 12}" text-anchor="middle">N (webhooks created in one up)</text>`,
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">wall time (s, scaled)</text>`,
  );
  // Series: the bound (dashed) and the measurement.
  out.push(
    `<path d="${path("boundSeconds")}" fill="none" stroke="#888" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<path d="${path("seconds")}" fill="none" stroke="#1f6feb" stroke-width="2.5"/>`,
  );
  const rightEdge = (n: number) => x(n) > m.left + pw * 0.7;
  for (const p of pts) {
    const ratio = p.boundSeconds > 0 ? p.seconds / p.boundSeconds : NaN;
    out.push(
      `<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.boundSeconds).toFixed(1)}" r="3.5" fill="#888"/>`,
      `<circle cx="${x(p.n).toFixed(1)}" cy="${y(p.seconds).toFixed(1)}" r="4" fill="#1f6feb"/>`,
      // Labels go right of the point, except near the right edge.
      `<text x="${(x(p.n) + (rightEdge(p.n) ? -8 : 8)).toFixed(1)}" y="${(y(p.seconds) - 8).toFixed(1)}" text-anchor="${rightEdge(p.n) ? "end" : "start"}" fill="#1f6feb">${fmt(p.seconds)} s${Number.isFinite(ratio) ? ` (${ratio.toFixed(2)}× the bound)` : ""}</text>`,
    );
  }
  // Legend.
  const lx = m.left + 12;
  const ly = m.top + 10;
  out.push(
    `<rect x="${lx - 6}" y="${ly - 10}" width="230" height="44" fill="#ffffff" stroke="#ddd"/>`,
    `<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="#1f6feb" stroke-width="2.5"/>`,
    `<text x="${lx + 36}" y="${ly}" dominant-baseline="middle">measured (one host, parallel N)</text>`,
    `<line x1="${lx}" y1="${ly + 20}" x2="${lx + 28}" y2="${ly + 20}" stroke="#888" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<text x="${lx + 36}" y="${ly + 20}" dominant-baseline="middle">lower bound of the limits</text>`,
    `</svg>`,
  );
  return out.join("\n") + "\n";
}
