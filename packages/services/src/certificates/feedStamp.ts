import type { RevisionFeedShape } from "@atom/repositories/db"

/** What the change feed had announced when a read started: a remembered answer holds while nothing moved. */
export interface FeedStamp {
  readonly epoch: number
  readonly authEpoch: number
  /** the announced authz revision, when the cache depends on decisions (statuses of entities and tenants) */
  readonly revision: bigint
}

/**
 * Stamps for caches fed by the change feed (DESIGN.md §6): take one before the database read, remember
 * the answer only if it is still `current` afterwards, and serve it while it is. Not live → never current.
 * `withRevision: false` ignores authz revisions (a certificate's status changes only through its own row).
 */
export const feedStamps = (feed: RevisionFeedShape, options: { readonly withRevision: boolean }) => {
  const stamp = (): FeedStamp => ({
    epoch: feed.epoch(),
    authEpoch: feed.authEpoch(),
    revision: options.withRevision ? feed.latestRevision() : -1n,
  })
  const current = (s: FeedStamp): boolean =>
    feed.isLive() &&
    s.epoch === feed.epoch() &&
    s.authEpoch === feed.authEpoch() &&
    (!options.withRevision || s.revision === feed.latestRevision())
  return { stamp, current }
}
