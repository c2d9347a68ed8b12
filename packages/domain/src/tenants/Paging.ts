/** A page of a listing: limit clamped to 1..max (default 20), offset at least 0 (api.md §3.4). */
export interface Paging {
  readonly limit: number
  readonly offset: number
}

export interface PageRequest {
  readonly limit?: number | null | undefined
  readonly offset?: number | null | undefined
}

export const DEFAULT_LIMIT = 20
export const MAX_LIMIT = 100

export const paging = (request: PageRequest, max: number = MAX_LIMIT): Paging => ({
  limit: Math.min(max, Math.max(1, Math.trunc(request.limit ?? DEFAULT_LIMIT))),
  offset: Math.max(0, Math.trunc(request.offset ?? 0)),
})

/** `{ items, total }`: total counts every match, not just the page. */
export interface Page<A> {
  readonly items: ReadonlyArray<A>
  readonly total: number
}
