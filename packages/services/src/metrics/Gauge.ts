import { type Labels, labelValues, type Metric, seriesKey } from "./Metric.js"
import { formatLabels, formatValue, headerLines } from "./prometheusText.js"

/** A value that goes up and down; `collect` samples it at scrape time instead of being set. */
export class Gauge<L extends string = never> implements Metric {
  private readonly series = new Map<string, { readonly values: ReadonlyArray<string>; value: number }>()
  private collector: (() => ReadonlyArray<readonly [Labels<L>, number]>) | undefined

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: ReadonlyArray<L> = [],
  ) {}

  set(labels: Labels<L>, value: number): void {
    const values = labelValues(this.labelNames, labels)
    this.series.set(seriesKey(values), { values, value })
  }

  /** Samples taken on every scrape (queue depth, pool size), replacing what was set before. */
  collect(collector: () => ReadonlyArray<readonly [Labels<L>, number]>): void {
    this.collector = collector
  }

  render(): string {
    if (this.collector !== undefined) for (const [labels, value] of this.collector()) this.set(labels, value)
    let out = headerLines(this.name, this.help, "gauge")
    for (const s of this.series.values()) {
      out += `${this.name}${formatLabels(this.labelNames, s.values)} ${formatValue(s.value)}\n`
    }
    return out
  }
}
