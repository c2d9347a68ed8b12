import { createHash } from "node:crypto"
import type { Caller } from "@atom/domain/identity"
import type { RevisionFeedShape } from "@atom/repositories/db"
import { LruCache } from "../authz/LruCache.js"

/** What the feed had announced when a verification started: an entry is current while nothing moved. */
interface FeedStamp {
  readonly epoch: number
  readonly authEpoch: number
  readonly revision: bigint
}

/** A verified token, remembered by its SHA-256 (the token itself is never kept). */
export interface VerifiedToken {
  readonly caller: Caller
  /** epoch ms after which the token must be verified again (session, token or JWT expiry) */
  readonly validUntilMs: number
  /** false when something outside the database (a signing key) no longer vouches for the token */
  readonly stillVouched: () => boolean
}

interface Entry extends VerifiedToken {
  readonly stamp: FeedStamp
}

export interface TokenCacheStats {
  readonly hits: number
  readonly misses: number
  /** remembered tokens found out of date (a change was announced since) and verified again */
  readonly invalidations: number
}

export const DEFAULT_TOKEN_CACHE_SIZE = 100_000

/** The cache key of a bearer token. */
export const tokenDigest = (token: string): string => createHash("sha256").update(token).digest("base64url")

/**
 * Verified session JWTs and access tokens (DESIGN.md §6): a token is verified against the database
 * once, then answered from memory until it expires, or the change feed announces anything that may
 * concern it — a revoked or deleted session or credential (`atom_auth`), a decision change such as a
 * disabled entity or tenant (`authz_revision`), a local commit of either — or stops being live.
 * A stamp is taken before the database read, so a change committed during it is never missed.
 */
export const makeTokenCache = (feed: RevisionFeedShape, size: number = DEFAULT_TOKEN_CACHE_SIZE) => {
  const entries = new LruCache<Entry>(size)
  const counts = { hits: 0, misses: 0, invalidations: 0 }

  const stamp = (): FeedStamp => ({ epoch: feed.epoch(), authEpoch: feed.authEpoch(), revision: feed.latestRevision() })

  const current = (s: FeedStamp): boolean =>
    feed.isLive() &&
    s.epoch === feed.epoch() &&
    s.authEpoch === feed.authEpoch() &&
    s.revision === feed.latestRevision()

  const holds = (entry: Entry, nowMs: number): boolean =>
    current(entry.stamp) && nowMs < entry.validUntilMs && entry.stillVouched()

  /** The remembered verification of `digest` if it still holds at `nowMs`; counts nothing, drops nothing. */
  const peek = (digest: string, nowMs: number): VerifiedToken | undefined => {
    const entry = entries.get(digest)
    return entry !== undefined && holds(entry, nowMs) ? entry : undefined
  }

  /** Counts a hit answered through `peek`. */
  const countHit = (): void => {
    counts.hits++
  }

  /** The remembered verification of `digest`, if it still holds at `nowMs`. */
  const get = (digest: string, nowMs: number): VerifiedToken | undefined => {
    const entry = entries.get(digest)
    if (entry === undefined) {
      counts.misses++
      return undefined
    }
    if (holds(entry, nowMs)) {
      counts.hits++
      return entry
    }
    entries.delete(digest)
    counts.misses++
    counts.invalidations++
    return undefined
  }

  /** Remembers a verification that started at `startedAt`, unless something changed since. */
  const remember = (digest: string, startedAt: FeedStamp, verified: VerifiedToken): void => {
    if (current(startedAt)) entries.set(digest, { ...verified, stamp: startedAt })
  }

  const stats = (): TokenCacheStats => ({ ...counts })

  return { get, peek, countHit, remember, stamp, stats, size: () => entries.size, capacity: size }
}

export type TokenCache = ReturnType<typeof makeTokenCache>
