import { SqlClient } from "@effect/sql"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { AuthzService } from "../../src/authz/index.js"
import { type AuthzRuntime, countingStatements, startAuthzRuntime } from "./support/authzRuntime.js"
import { check, reason, resourceTarget } from "./support/checks.js"
import {
  ADMIN,
  addMember,
  callerOf,
  change,
  changeWithoutBump,
  entity,
  entityRef,
  grant,
  grantRole,
  groupRef,
  principalGroup,
  resource,
  tenant,
} from "./support/seed.js"

// What a decision costs in SQL round trips, and how fresh it is (DESIGN.md §6).

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

const channelRead = {
  scopeMode: "object_type",
  objectKind: "resource",
  objectType: "resource:channel",
  actions: ["read"],
}

const nestedSetup = Effect.gen(function* () {
  const t = yield* tenant()
  const s = yield* entity("service", { tenantId: t })
  const channel = yield* resource("channel", { tenantId: t })
  const outer = yield* principalGroup(t)
  const middle = yield* principalGroup(t, outer)
  const inner = yield* principalGroup(t, middle)
  yield* addMember(inner, s)
  const policy = yield* grant(groupRef(outer), { tenantId: t, ...channelRead })
  return { t, s, channel, outer, inner, policy }
})

describe("PDP cost", () => {
  it("an uncached check costs at most 3 round trips (measured: 2); a repeated one costs none", async () => {
    const { s, channel } = await rt.run(nestedSetup)
    const first = await rt.run(countingStatements(check(s, "read", resourceTarget(channel))))
    // the grant sits on the outermost group; the subject is a member of the innermost one
    expect(first.value.decision.reason).toBe("allowed")
    expect(first.statements).toBeLessThanOrEqual(3)
    expect(first.statements).toBe(2)
    const again = await rt.run(countingStatements(check(s, "read", resourceTarget(channel))))
    expect(again.value.decision.reason).toBe("allowed")
    // the change feed is live and heard of no commit since the first check read the revision
    expect(again.statements).toBe(0)
    console.info(`uncached check: ${first.statements} statements; cached: ${again.statements}`)
  })

  it("after a write, a cached check costs the probe plus one reload (3)", async () => {
    const { s, channel } = await rt.run(nestedSetup)
    await rt.run(check(s, "read", resourceTarget(channel)))
    await rt.run(tenant())
    const after = await rt.run(countingStatements(check(s, "read", resourceTarget(channel))))
    expect(after.value.decision.reason).toBe("allowed")
    expect(after.statements).toBeLessThanOrEqual(3)
  })

  it("a delegated check (caller, subject, target and gate) costs 2 statements; a 20-item bulk check at most 3", async () => {
    const { s, channel } = await rt.run(nestedSetup)
    await rt.run(tenant())
    const authz = AuthzService
    const delegated = await rt.run(
      countingStatements(
        Effect.flatMap(authz, (a) => a.check(callerOf(ADMIN), { subjectId: s, action: "read", resourceId: channel })),
      ),
    )
    expect(delegated.value.reason).toBe("allowed")
    expect(delegated.statements).toBe(2)
    const subjects = await rt.run(Effect.forEach(Array.from({ length: 4 }), () => entity("service")))
    const channels = await rt.run(Effect.forEach(Array.from({ length: 5 }), () => resource("channel")))
    const bulk = await rt.run(
      countingStatements(
        Effect.flatMap(authz, (a) =>
          a.bulkCheck(
            callerOf(ADMIN),
            subjects.flatMap((subjectId) => channels.map((resourceId) => ({ subjectId, action: "read", resourceId }))),
          ),
        ),
      ),
    )
    expect(bulk.value).toHaveLength(20)
    // 2 loads for the 4 subjects and 5 channels, plus a reload of the caller cached before the writes
    expect(bulk.statements).toBeLessThanOrEqual(3)
  })
})

describe("PDP freshness", () => {
  it("a write that removes access is visible to the very next check", async () => {
    const { s, channel, inner, policy } = await rt.run(nestedSetup)
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("allowed")
    await rt.run(change((sql) => sql`DELETE FROM direct_policies WHERE id = ${policy}`))
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("no matching allow policy")

    const roleId = await rt.run(grantRole(entityRef(s), null, [{ scopeMode: "platform", actions: ["read"] }]))
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("allowed")
    await rt.run(change((sql) => sql`UPDATE roles SET deleted_at = now() WHERE id = ${roleId}`))
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("no matching allow policy")

    const outerPolicy = await rt.run(
      grant(groupRef(inner), { ...channelRead, tenantId: null, scopeMode: "object", objectId: channel }),
    )
    void outerPolicy
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("allowed")
    await rt.run(change((sql) => sql`DELETE FROM principal_group_members WHERE entity_id = ${s}`))
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("no matching allow policy")
  })

  it("a write that skips bumpAuthzRevision is invisible to cached decisions (why every write must bump)", async () => {
    const { s, channel, policy } = await rt.run(nestedSetup)
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("allowed")
    await rt.run(changeWithoutBump((sql) => sql`DELETE FROM direct_policies WHERE id = ${policy}`))
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("allowed")
    await rt.run(tenant())
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("no matching allow policy")
  })

  it("inside a transaction, decisions see its own writes and never poison the shared cache", async () => {
    const { s, channel, policy } = await rt.run(nestedSetup)
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("allowed")
    const inside = await rt.run(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              yield* change((sql) => sql`DELETE FROM direct_policies WHERE id = ${policy}`)
              const seen = yield* reason(s, "read", resourceTarget(channel))
              return yield* Effect.fail(seen)
            }),
          )
          .pipe(Effect.flip),
      ),
    )
    expect(inside).toBe("no matching allow policy")
    // rolled back: the policy is still there, and the cache was not taught otherwise
    expect(await rt.run(reason(s, "read", resourceTarget(channel)))).toBe("allowed")
  })
})
