import { percentileOfSorted } from "../lib/stats.js"

/** Median, 90th percentile and maximum of a list of milliseconds. */
export const distribution = (values: ReadonlyArray<number>) => {
  const sorted = Float64Array.from(values).sort()
  return {
    median: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
  }
}
