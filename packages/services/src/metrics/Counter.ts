import { type Labels, labelValues, type Metric, seriesKey } from "./Metric.js"
import { formatLabels, formatValue, headerLines } from "./prometheusText.js"

/** A monotonically increasing count per label set. */
export class Counter<L extends string = never> implements Metric {
  private readonly series = new Map<string, { readonly values: ReadonlyArray<string>; value: number }>()
  private collector: (() => Iterable<readonly [Labels<L>, number]>) | undefined

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: ReadonlyArray<L> = [],
  ) {}

  inc(labels: Labels<L>, by = 1): void {
    if (!(by >= 0)) return
    const values = labelValues(this.labelNames, labels)
    const key = seriesKey(values)
    const s = this.series.get(key)
    if (s === undefined) this.series.set(key, { values, value: by })
    else s.value += by
  }

  /**
   * One series found once, for a caller that counts it on every request: its increments build no
   * label key. The series exists (at 0) from here on.
   */
  bind(labels: Labels<L>): (by?: number) => void {
    const values = labelValues(this.labelNames, labels)
    const key = seriesKey(values)
    let s = this.series.get(key)
    if (s === undefined) {
      s = { values, value: 0 }
      this.series.set(key, s)
    }
    const series = s
    return (by = 1) => {
      if (by >= 0) series.value += by
    }
  }

  /** The current value of one series (0 when never incremented). */
  get(labels: Labels<L>): number {
    return this.series.get(seriesKey(labelValues(this.labelNames, labels)))?.value ?? 0
  }

  /** For counts another component keeps (rate-limit rejections): sampled on every scrape. */
  collect(collector: () => Iterable<readonly [Labels<L>, number]>): void {
    this.collector = collector
  }

  render(): string {
    if (this.collector !== undefined) {
      for (const [labels, value] of this.collector()) {
        const values = labelValues(this.labelNames, labels)
        const key = seriesKey(values)
        // updated in place: a bound series keeps counting into the entry rendered
        const s = this.series.get(key)
        if (s === undefined) this.series.set(key, { values, value })
        else s.value = value
      }
    }
    let out = headerLines(this.name, this.help, "counter")
    // a counter without labels is always exposed, at 0 before its first increment
    if (this.labelNames.length === 0 && this.series.size === 0) return `${out}${this.name} 0\n`
    for (const s of this.series.values()) {
      out += `${this.name}${formatLabels(this.labelNames, s.values)} ${formatValue(s.value)}\n`
    }
    return out
  }
}
