/** A page request after clamping (api.md §3.4). */
export interface Page {
  readonly limit: number
  readonly offset: number
}

export interface PageBounds {
  readonly defaultLimit: number
  readonly maxLimit: number
}

/** Most lists: 20 by default, at most 100. */
export const LIST_PAGE: PageBounds = { defaultLimit: 20, maxLimit: 100 }
/** Authorized-id listings: 100 by default, at most 500. */
export const AUTHORIZED_IDS_PAGE: PageBounds = { defaultLimit: 100, maxLimit: 500 }

/** Clamps `limit` to 1..max and `offset` to ≥ 0, as the reference server does. */
export const pageOf = (
  limit: number | null | undefined,
  offset: number | null | undefined,
  bounds: PageBounds = LIST_PAGE,
): Page => ({
  limit: Math.min(bounds.maxLimit, Math.max(1, Math.trunc(limit ?? bounds.defaultLimit))),
  offset: Math.max(0, Math.trunc(offset ?? 0)),
})

/** One page of an in-memory list and its full count. */
export const paginate = <A>(items: ReadonlyArray<A>, page: Page): { items: ReadonlyArray<A>; total: number } => ({
  items: items.slice(page.offset, page.offset + page.limit),
  total: items.length,
})
