import { Schema } from "effect"

/** A clamped page request (api.md §3.4). */
export const PageRequest = Schema.Struct({
  limit: Schema.Int.pipe(Schema.between(1, 500)),
  offset: Schema.Int.pipe(Schema.nonNegative()),
})
export type PageRequest = typeof PageRequest.Type

/** One page of a listing and the full count of rows matching its filters. */
export interface Paged<A> {
  readonly items: ReadonlyArray<A>
  readonly total: number
}
