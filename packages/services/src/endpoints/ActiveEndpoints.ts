import type { ApiEndpoint } from "@atom/domain/endpoints"
import { type DbFailure, notLiveFeed, RevisionFeed } from "@atom/repositories/db"
import { ApiEndpoints } from "@atom/repositories/endpoints"
import { Effect, Option } from "effect"

interface Entry {
  readonly endpoint: ApiEndpoint | undefined
  readonly revision: bigint
  readonly epoch: number
}

const MAX_ENTRIES = 1000

/**
 * The active endpoint of a route, remembered between calls. Endpoint writes bump the authz revision in
 * their transaction, so an entry read at revision `r` (from epoch `e`) stays current while the revision
 * feed is live, its epoch is still `e` and no replica has announced a revision above `r` — the same rule
 * as the PDP's grant cache: a disable on any replica answers 404 at once (here) or within a NOTIFY.
 */
export const makeActiveEndpoints = Effect.gen(function* () {
  const endpoints = yield* ApiEndpoints
  const feed = Option.getOrElse(yield* Effect.serviceOption(RevisionFeed), () => notLiveFeed)
  const entries = new Map<string, Entry>()

  const current = (entry: Entry | undefined): entry is Entry =>
    entry !== undefined && feed.isLive() && feed.epoch() === entry.epoch && feed.latestRevision() <= entry.revision

  return (method: string, path: string): Effect.Effect<ApiEndpoint | undefined, DbFailure> => {
    const key = `${method} ${path}`
    const hit = entries.get(key)
    if (current(hit)) return Effect.succeed(hit.endpoint)
    const epoch = feed.epoch()
    return Effect.map(endpoints.activeWithRevision(method, path), (found) => {
      if (entries.size >= MAX_ENTRIES) entries.clear()
      entries.set(key, { endpoint: found.endpoint, revision: found.revision, epoch })
      return found.endpoint
    })
  }
})
