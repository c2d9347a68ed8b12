/** One metric family in a registry: renders its samples in the text exposition format. */
export interface Metric {
  readonly name: string
  readonly render: () => string
}

/** The label values of a sample, keyed by label name. */
export type Labels<L extends string> = { readonly [K in L]: string }

/** The values in the metric's label order, and a key for the map of series. */
export const labelValues = <L extends string>(names: ReadonlyArray<L>, labels: Labels<L>): Array<string> =>
  names.map((n) => labels[n])

export const seriesKey = (values: ReadonlyArray<string>): string => values.join("\u0001")
