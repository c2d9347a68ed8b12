import type { SerialStatusRow } from "@atom/repositories/certificates"
import type { RevisionFeedShape } from "@atom/repositories/db"
import { LruCache } from "../authz/LruCache.js"
import { type FeedStamp, feedStamps } from "./feedStamp.js"

interface StampedStatus {
  readonly row: SerialStatusRow
  readonly stamp: FeedStamp
}

interface StampedResponse {
  readonly der: Uint8Array
  readonly stamp: FeedStamp
  /** epoch ms from which the signed response is too close to its nextUpdate to be served */
  readonly staleAtMs: number
}

export const DEFAULT_OCSP_CACHE_SIZE = 10_000

/**
 * OCSP answers from memory while the change feed vouches for them (DESIGN.md §6), so a warm request
 * reads nothing from the database:
 *
 * - `statuses`: the row (active or revoked) of each serial that exists, by serial. A certificate's
 *   status changes only through an UPDATE or DELETE of its credential row, which every replica hears
 *   (`atom_auth`, migration 0009) and this replica signals at once (`announceLocalChange` in each
 *   revocation path). Serials not found are never remembered: an INSERT announces nothing.
 * - `responses`: the signed DER of a request without a nonce, keyed by the request's raw bytes, so a
 *   hit skips parsing and signing.
 *
 * Both are stamped with the feed's epochs taken before the read; an entry is served only while the
 * feed is live and neither epoch has moved since, and is remembered only if none moved during the read.
 */
export const makeOcspCache = (feed: RevisionFeedShape, size: number = DEFAULT_OCSP_CACHE_SIZE) => {
  const statuses = new LruCache<StampedStatus>(size)
  const responses = new LruCache<StampedResponse>(size)
  const counts = { hits: 0, misses: 0 }

  const { stamp, current } = feedStamps(feed, { withRevision: false })

  /** The remembered signed response to exactly these request bytes, if it still holds at `nowMs`. */
  const response = (key: string, nowMs: number): Uint8Array | undefined => {
    const entry = responses.get(key)
    if (entry !== undefined && current(entry.stamp) && nowMs < entry.staleAtMs) {
      counts.hits++
      return entry.der
    }
    if (entry !== undefined) responses.delete(key)
    counts.misses++
    return undefined
  }

  const rememberResponse = (key: string, startedAt: FeedStamp, der: Uint8Array, staleAtMs: number): void => {
    if (current(startedAt)) responses.set(key, { der, stamp: startedAt, staleAtMs })
  }

  /** Rows still current for `serials`, and the serials that must be read from the database. */
  const lookup = (serials: ReadonlyArray<string>) => {
    const known = new Map<string, SerialStatusRow>()
    const missing: Array<string> = []
    for (const serial of serials) {
      const entry = statuses.get(serial)
      if (entry !== undefined && current(entry.stamp)) known.set(serial, entry.row)
      else missing.push(serial)
    }
    return { known, missing }
  }

  const rememberStatuses = (startedAt: FeedStamp, rows: ReadonlyArray<SerialStatusRow>): void => {
    if (!current(startedAt)) return
    for (const row of rows) statuses.set(row.serialNumber, { row, stamp: startedAt })
  }

  return {
    stamp,
    response,
    rememberResponse,
    lookup,
    rememberStatuses,
    stats: () => ({ ...counts, responses: responses.size, statuses: statuses.size }),
  }
}

export type OcspCache = ReturnType<typeof makeOcspCache>

/** The cache key of a request body: its bytes as a one-byte-per-char string. */
export const requestKey = (body: Uint8Array): string =>
  Buffer.from(body.buffer, body.byteOffset, body.length).toString("latin1")
