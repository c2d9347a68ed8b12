import { type Labels, labelValues, type Metric, seriesKey } from "./Metric.js"
import { formatLabels, formatValue, headerLines } from "./prometheusText.js"

interface Series {
  readonly values: ReadonlyArray<string>
  /** per bucket, not cumulative; the last slot is +Inf */
  readonly counts: Array<number>
  sum: number
  count: number
}

/** Observations in fixed buckets per label set; rendered cumulative with `le`, `_sum` and `_count`. */
export class Histogram<L extends string = never> implements Metric {
  private readonly series = new Map<string, Series>()
  readonly buckets: ReadonlyArray<number>

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: ReadonlyArray<L>,
    buckets: ReadonlyArray<number>,
  ) {
    this.buckets = [...buckets].sort((a, b) => a - b)
  }

  observe(labels: Labels<L>, value: number): void {
    if (Number.isNaN(value)) return
    this.record(this.seriesOf(labels), value)
  }

  /**
   * One series found once, for a caller that observes it on every request: its observations build no
   * label key. The series exists (empty) from here on.
   */
  bind(labels: Labels<L>): (value: number) => void {
    const s = this.seriesOf(labels)
    return (value) => {
      if (!Number.isNaN(value)) this.record(s, value)
    }
  }

  private seriesOf(labels: Labels<L>): Series {
    const values = labelValues(this.labelNames, labels)
    const key = seriesKey(values)
    let s = this.series.get(key)
    if (s === undefined) {
      s = { values, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 }
      this.series.set(key, s)
    }
    return s
  }

  private record(s: Series, value: number): void {
    let i = 0
    while (i < this.buckets.length && value > (this.buckets[i] ?? Number.POSITIVE_INFINITY)) i++
    s.counts[i] = (s.counts[i] ?? 0) + 1
    s.sum += value
    s.count += 1
  }

  /** Observations of one series so far. */
  count(labels: Labels<L>): number {
    return this.series.get(seriesKey(labelValues(this.labelNames, labels)))?.count ?? 0
  }

  render(): string {
    let out = headerLines(this.name, this.help, "histogram")
    const bucketNames = [...this.labelNames, "le"]
    for (const s of this.series.values()) {
      let cumulative = 0
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += s.counts[i] ?? 0
        const le = i < this.buckets.length ? formatValue(this.buckets[i] ?? 0) : "+Inf"
        out += `${this.name}_bucket${formatLabels(bucketNames, [...s.values, le])} ${cumulative}\n`
      }
      const labels = formatLabels(this.labelNames, s.values)
      out += `${this.name}_sum${labels} ${formatValue(s.sum)}\n${this.name}_count${labels} ${s.count}\n`
    }
    return out
  }
}
