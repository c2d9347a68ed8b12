import type { CertificateOwnerRow } from "@atom/repositories/certificates"
import type { DbFailure, RevisionFeedShape } from "@atom/repositories/db"
import { Effect } from "effect"
import { LruCache } from "../authz/LruCache.js"
import { type FeedStamp, feedStamps } from "./feedStamp.js"

export const DEFAULT_OWNER_CACHE_SIZE = 10_000

/**
 * The entity a certificate is issued to (its status and its tenant's), remembered per entity while the
 * change feed is live and announces nothing (DESIGN.md §6): the statuses and tombstones of entities and
 * tenants, and tenant moves, bump the authz revision in their transaction. So a warm issuance reads no
 * owner row; any decision change, on any replica, makes the next one read it again. Missing entities
 * are not remembered.
 */
export const makeOwnerCache = (
  feed: RevisionFeedShape,
  load: (entityId: string) => Effect.Effect<CertificateOwnerRow | undefined, DbFailure>,
  size: number = DEFAULT_OWNER_CACHE_SIZE,
) => {
  const entries = new LruCache<{ readonly row: CertificateOwnerRow; readonly stamp: FeedStamp }>(size)
  const { stamp, current } = feedStamps(feed, { withRevision: true })
  return (entityId: string): Effect.Effect<CertificateOwnerRow | undefined, DbFailure> =>
    Effect.suspend(() => {
      const hit = entries.get(entityId)
      if (hit !== undefined && current(hit.stamp)) return Effect.succeed(hit.row)
      const startedAt = stamp()
      return Effect.tap(load(entityId), (row) => {
        if (row !== undefined && current(startedAt)) entries.set(entityId, { row, stamp: startedAt })
      })
    })
}
