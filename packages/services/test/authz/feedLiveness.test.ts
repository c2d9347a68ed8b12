import { makeRevisionFeedState } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DEFAULT_CACHE_LIMITS, makeAuthzState } from "../../src/authz/index.js"
import { type AuthzRuntime, countingStatements, startAuthzRuntime } from "./support/authzRuntime.js"
import { entity, resource, tenant } from "./support/seed.js"

// The cache trusts itself only while the change feed is live (DESIGN.md §6): without a subscription,
// or after any event the feed reports, cached pieces are confirmed by a revision probe first.

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

const setup = Effect.gen(function* () {
  const t = yield* tenant()
  const s = yield* entity("service", { tenantId: t })
  const r = yield* resource("channel", { tenantId: t })
  const sql = yield* SqlClient.SqlClient
  const feed = makeRevisionFeedState()
  const state = makeAuthzState(sql, feed, DEFAULT_CACHE_LIMITS)
  const load = countingStatements(
    Effect.map(state.load({ subjectIds: [s], targets: [{ kind: "resource", id: r }], credentialId: null }), (i) =>
      i.subject(s),
    ),
  )
  return { feed, load, state }
})

describe("cache and change feed", () => {
  it("probes on every request until the subscription is live, then answers from memory", async () => {
    const { feed, load } = await rt.run(setup)
    const cold = await rt.run(load)
    expect(cold.value).not.toBeNull()
    expect(cold.statements).toBeGreaterThan(0)
    // not live yet: a full cache still costs one probe, every time
    expect((await rt.run(load)).statements).toBe(1)
    expect((await rt.run(load)).statements).toBe(1)
    feed.setLive(true)
    // live: the first request confirms the cache at the feed's new epoch, the next ones read nothing
    expect((await rt.run(load)).statements).toBe(1)
    expect((await rt.run(load)).statements).toBe(0)
    expect((await rt.run(load)).statements).toBe(0)
  })

  it("a lost subscription, a local commit or an announced newer revision each cost one probe", async () => {
    const { feed, load, state } = await rt.run(setup)
    feed.setLive(true)
    await rt.run(load)
    await rt.run(load)
    expect((await rt.run(load)).statements).toBe(0)

    feed.setLive(false)
    expect((await rt.run(load)).statements).toBe(1)
    expect((await rt.run(load)).statements).toBe(1)
    feed.setLive(true)
    expect((await rt.run(load)).statements).toBe(1)
    expect((await rt.run(load)).statements).toBe(0)

    feed.signal()
    expect((await rt.run(load)).statements).toBe(1)
    expect((await rt.run(load)).statements).toBe(0)

    // another replica's commit: a revision above the cached one is announced
    feed.notified("authz_revision", "9223372036854775807")
    expect((await rt.run(load)).statements).toBe(1)
    // the database is still below the announced revision: keep confirming rather than trust the cache
    expect((await rt.run(load)).statements).toBe(1)
    expect(state.stats().probes).toBeGreaterThan(0)
  })
})
