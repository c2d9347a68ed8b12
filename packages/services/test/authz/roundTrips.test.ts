import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type AuthzRuntime, countingStatements, startAuthzRuntime } from "./support/authzRuntime.js"
import { check, reason, resourceTarget } from "./support/checks.js"
import { addMember, entity, grant, groupRef, principalGroup, resource, tenant } from "./support/seed.js"

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

describe("PDP cost and freshness", () => {
  it("an uncached check costs at most 3 round trips; a repeated one costs one revision probe", async () => {
    const { s, channel } = await rt.run(
      Effect.gen(function* () {
        const t = yield* tenant()
        const s = yield* entity("service", { tenantId: t })
        const channel = yield* resource("channel", { tenantId: t })
        const outer = yield* principalGroup(t)
        const inner = yield* principalGroup(t, outer)
        yield* addMember(inner, s)
        yield* grant(groupRef(outer), {
          tenantId: t,
          scopeMode: "object_type",
          objectKind: "resource",
          objectType: "resource:channel",
          actions: ["read"],
        })
        return { s, channel }
      }),
    )
    const first = await rt.run(countingStatements(check(s, "read", resourceTarget(channel))))
    // the grant sits on the outer group; the subject is a member of the inner one
    expect(first.value.decision.reason).toBe("allowed")
    expect(first.statements).toBeLessThanOrEqual(3)
    const again = await rt.run(countingStatements(check(s, "read", resourceTarget(channel))))
    expect(again.value.decision.reason).toBe("allowed")
    expect(again.statements).toBe(1)
    console.info(`uncached check: ${first.statements} statements; cached: ${again.statements}`)
  })
})
