import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type AuthzRuntime, countingStatements, startAuthzRuntime } from "./support/authzRuntime.js"
import { check, resourceTarget } from "./support/checks.js"
import {
  addMember,
  assignRole,
  block,
  change,
  directPolicy,
  entity,
  entityRef,
  groupRef,
  principalGroup,
  resource,
  role,
  tenant,
} from "./support/seed.js"

// The live cache against the database (DESIGN.md §6): random writes that grant and remove access,
// interleaved with checks; every cached decision must equal an evaluation that reads everything afresh.

let rt: AuthzRuntime
beforeAll(async () => {
  rt = await startAuthzRuntime()
})
afterAll(() => rt.close())

const SUBJECTS = 3
const RESOURCES = 2

type Command =
  | { readonly op: "assign"; readonly subject: number; readonly viaGroup: boolean }
  | { readonly op: "unassign"; readonly subject: number }
  | { readonly op: "deny"; readonly subject: number; readonly resource: number }
  | { readonly op: "undeny"; readonly subject: number }
  | { readonly op: "status"; readonly subject: number; readonly active: boolean }
  | { readonly op: "member"; readonly subject: number; readonly member: boolean }
  | { readonly op: "roleBlocks"; readonly present: boolean }
  | { readonly op: "check"; readonly subject: number; readonly resource: number; readonly repeat: number }

const subjectIx = fc.integer({ min: 0, max: SUBJECTS - 1 })
const resourceIx = fc.integer({ min: 0, max: RESOURCES - 1 })
// biased towards states that allow, so both outcomes are common
const mostly = fc.oneof({ arbitrary: fc.constant(true), weight: 2 }, { arbitrary: fc.constant(false), weight: 1 })
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    arbitrary: fc.record({ op: fc.constant("assign" as const), subject: subjectIx, viaGroup: fc.boolean() }),
    weight: 3,
  },
  fc.record({ op: fc.constant("unassign" as const), subject: subjectIx }),
  fc.record({ op: fc.constant("deny" as const), subject: subjectIx, resource: resourceIx }),
  { arbitrary: fc.record({ op: fc.constant("undeny" as const), subject: subjectIx }), weight: 2 },
  fc.record({ op: fc.constant("status" as const), subject: subjectIx, active: mostly }),
  { arbitrary: fc.record({ op: fc.constant("member" as const), subject: subjectIx, member: mostly }), weight: 2 },
  fc.record({ op: fc.constant("roleBlocks" as const), present: mostly }),
  {
    arbitrary: fc.record({
      op: fc.constant("check" as const),
      subject: subjectIx,
      resource: resourceIx,
      repeat: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 6,
  },
)

/** A tenant with subjects, a principal group, channels, a reading role and a deny block per channel. */
const world = Effect.gen(function* () {
  const t = yield* tenant()
  const subjects = yield* Effect.forEach(Array.from({ length: SUBJECTS }), () => entity("service", { tenantId: t }))
  const channels = yield* Effect.forEach(Array.from({ length: RESOURCES }), () => resource("channel", { tenantId: t }))
  const group = yield* principalGroup(t)
  const readBlock = yield* block({
    tenantId: t,
    scopeMode: "object_type",
    objectKind: "resource",
    objectType: "resource:channel",
    actions: ["read"],
  })
  const reader = yield* role(t, [readBlock])
  // to start with, subject 0 holds the role itself and every subject through the group
  yield* assignRole(reader, groupRef(group), t)
  yield* Effect.forEach(subjects, (s) => addMember(group, s))
  yield* assignRole(reader, entityRef(subjects[0] ?? ""), t)
  const denies = yield* Effect.forEach(channels, (c) =>
    block({ tenantId: t, scopeMode: "object", objectKind: "resource", objectId: c, effect: "deny", actions: ["read"] }),
  )
  return { t, subjects, channels, group, reader, readBlock, denies }
})
type World = Effect.Effect.Success<typeof world>

const at = <A>(items: ReadonlyArray<A>, i: number): A => {
  const item = items[i]
  if (item === undefined) throw new Error(`no item ${i}`)
  return item
}

/** Applies one write through the same path as the admin use cases: a transaction with the revision bump. */
const apply = (w: World, cmd: Command) => {
  switch (cmd.op) {
    case "assign":
      return cmd.viaGroup
        ? assignRole(w.reader, groupRef(w.group), w.t)
        : assignRole(w.reader, entityRef(at(w.subjects, cmd.subject)), w.t)
    case "unassign":
      return change(
        (sql) => sql`DELETE FROM role_assignments WHERE subject_id IN (${at(w.subjects, cmd.subject)}, ${w.group})`,
      )
    case "deny":
      return directPolicy(at(w.denies, cmd.resource), entityRef(at(w.subjects, cmd.subject)), w.t)
    case "undeny":
      return change(
        (sql) =>
          sql`DELETE FROM direct_policies WHERE subject_id = ${at(w.subjects, cmd.subject)} AND subject_kind = 'entity'`,
      )
    case "status":
      return change(
        (sql) =>
          sql`UPDATE entities SET status = ${cmd.active ? "active" : "suspended"} WHERE id = ${at(w.subjects, cmd.subject)}`,
      )
    case "member":
      return cmd.member
        ? change(
            (sql) => sql`INSERT INTO principal_group_members (group_id, entity_id)
                         VALUES (${w.group}, ${at(w.subjects, cmd.subject)}) ON CONFLICT DO NOTHING`,
          )
        : change(
            (sql) =>
              sql`DELETE FROM principal_group_members WHERE group_id = ${w.group} AND entity_id = ${at(w.subjects, cmd.subject)}`,
          )
    case "roleBlocks":
      return cmd.present
        ? change(
            (sql) => sql`INSERT INTO role_permission_blocks (role_id, permission_block_id)
                         VALUES (${w.reader}, ${w.readBlock}) ON CONFLICT DO NOTHING`,
          )
        : change((sql) => sql`DELETE FROM role_permission_blocks WHERE role_id = ${w.reader}`)
    case "check":
      return Effect.void
  }
}

/** The same question with nothing cached: inside a transaction the PDP reads everything afresh. */
const uncached = (subjectId: string, channel: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(check(subjectId, "read", resourceTarget(channel))))

describe("PDP cache freshness", () => {
  it("interleaved writes and checks: every cached decision equals an uncached evaluation", async () => {
    let checks = 0
    let allows = 0
    let free = 0
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 24 }), async (commands) => {
        const w = await rt.run(world)
        for (const cmd of commands) {
          if (cmd.op !== "check") {
            await rt.run(apply(w, cmd))
            continue
          }
          const subjectId = at(w.subjects, cmd.subject)
          const channel = at(w.channels, cmd.resource)
          for (let i = 0; i < cmd.repeat; i++) {
            const cached = await rt.run(countingStatements(check(subjectId, "read", resourceTarget(channel))))
            const fresh = await rt.run(uncached(subjectId, channel))
            expect(cached.value.decision).toEqual(fresh.decision)
            checks++
            if (cached.value.decision.allowed) allows++
            if (cached.statements === 0) free++
          }
        }
      }),
      { numRuns: 15 },
    )
    // the run exercised both outcomes and the warm path (repeats after no write cost nothing)
    expect(allows).toBeGreaterThan(0)
    expect(allows).toBeGreaterThan(checks / 10)
    expect(allows).toBeLessThan(checks)
    expect(free).toBeGreaterThan(0)
    console.info(`${checks} checks compared, ${allows} allowed, ${free} answered without a statement`)
  }, 300_000)

  it("a rolled-back write leaves the cache serving without a statement again after one probe", async () => {
    const w = await rt.run(world)
    const subjectId = at(w.subjects, 0)
    const channel = at(w.channels, 0)
    await rt.run(assignRole(w.reader, entityRef(subjectId), w.t))
    expect((await rt.run(check(subjectId, "read", resourceTarget(channel)))).decision.allowed).toBe(true)
    await rt.run(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.withTransaction(
          Effect.zipRight(
            change((sql) => sql`DELETE FROM role_assignments WHERE subject_id = ${subjectId}`),
            Effect.fail("roll back"),
          ),
        ),
      ).pipe(Effect.flip),
    )
    const afterRollback = await rt.run(countingStatements(check(subjectId, "read", resourceTarget(channel))))
    expect(afterRollback.value.decision.allowed).toBe(true)
    expect(afterRollback.statements).toBe(1)
    const warm = await rt.run(countingStatements(check(subjectId, "read", resourceTarget(channel))))
    expect(warm.value.decision.allowed).toBe(true)
    expect(warm.statements).toBe(0)
  })
})
