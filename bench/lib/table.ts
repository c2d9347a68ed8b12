import type { Summary } from "./stats.js"

export interface Row {
  readonly name: string
  /** The floor this row is compared with; undefined for a floor's own row. */
  readonly baseline: string | undefined
  readonly summary: Summary | undefined
  /** scenario median ops/s ÷ baseline median ops/s. */
  readonly ratio: number
  readonly error?: string
}

const ops = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—")
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : "—")
const times = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "—")

/** A markdown table: scenario, median ops/s, p50 ms, p99 ms, baseline, ratio, and the spread of the runs. */
export const renderTable = (rows: ReadonlyArray<Row>): string => {
  const header = ["scenario", "median ops/s", "p50 ms", "p99 ms", "baseline", "ratio", "runs (min–max ops/s)"]
  const body = rows.map((r) => {
    const s = r.summary
    return [
      r.name,
      r.error !== undefined ? "failed" : ops(s?.medianOpsPerSec ?? Number.NaN),
      ms(s?.p50Ms ?? Number.NaN),
      ms(s?.p99Ms ?? Number.NaN),
      r.baseline ?? "—",
      r.baseline === undefined ? "—" : times(r.ratio),
      s === undefined || s.runs === 0 ? "—" : `${s.runs} × (${ops(s.minOpsPerSec)}–${ops(s.maxOpsPerSec)})`,
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? "").length)))
  const numeric = new Set([1, 2, 3, 5])
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(" | ")} |`
  const rule = `|${widths.map((w, i) => (numeric.has(i) ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`
  const notes = rows.flatMap((r) => {
    if (r.error !== undefined) return [`- ${r.name}: ${r.error.split("\n")[0]}`]
    if (r.summary !== undefined && r.summary.errors > 0)
      return [`- ${r.name}: ${r.summary.errors.toLocaleString("en-US")} failed or unexpected responses`]
    return []
  })
  return [line(header), rule, ...body.map(line), ...(notes.length > 0 ? ["", ...notes] : [])].join("\n")
}
