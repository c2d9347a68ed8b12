import type { Metric } from "./Metric.js"

/** The metric families of one process, rendered in registration order on each scrape. */
export class MetricRegistry {
  private readonly metrics: Array<Metric> = []

  register<M extends Metric>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} registered twice`)
    this.metrics.push(metric)
    return metric
  }

  /** The Prometheus text exposition (format 0.0.4) of every family. */
  render(): string {
    return this.metrics.map((m) => m.render()).join("")
  }
}
