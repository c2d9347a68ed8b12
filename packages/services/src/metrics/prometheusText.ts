/** Label values are quoted; backslash, double quote and newline are escaped (exposition format 0.0.4). */
export const escapeLabelValue = (value: string): string =>
  value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n")

const escapeHelp = (text: string): string => text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")

/** A sample value as Prometheus writes it: integers plainly, infinities as +Inf/-Inf. */
export const formatValue = (value: number): string => {
  if (Number.isNaN(value)) return "NaN"
  if (value === Number.POSITIVE_INFINITY) return "+Inf"
  if (value === Number.NEGATIVE_INFINITY) return "-Inf"
  return String(value)
}

/** `{a="x",b="y"}`, or nothing without labels. */
export const formatLabels = (names: ReadonlyArray<string>, values: ReadonlyArray<string>): string =>
  names.length === 0 ? "" : `{${names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? "")}"`).join(",")}}`

export const headerLines = (name: string, help: string, type: "counter" | "gauge" | "histogram"): string =>
  `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`

export const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8"
