import { randomUUID } from "node:crypto"
import type { AuditRequestInfo } from "@atom/domain/audit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql } from "./support/adminToken.js"
import { type RememberedFixture, rememberedFixture, warmUntilRemembered } from "./support/rememberedFixture.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// The warm GraphQL authzCheck answered from memory (the context's caller from the token cache, the decision
// from makeRememberedDecision): a revoked role or a new deny is seen by the very next call after warm ones,
// and a denial answered from memory is audited with the request's facts.

let t: TestAtom
let admin: string
let f: RememberedFixture
let T: string
let U: string
let C: string
let token: string

const ROLE = randomUUID()
const ALLOW = randomUUID()
const DENY = randomUUID()
const ASSIGNMENT = randomUUID()
const AGENT = "graphql-remembered-test"
const info: AuditRequestInfo = { clientIp: "127.0.0.1", userAgent: AGENT, requestId: "graphql-remembered" }

const CHECK = `mutation($s: ID!, $r: ID) { authzCheck(input: { subjectId: $s, action: "read", resourceId: $r }) {
  allowed reason } }`

/** GraphQL authzCheck over HTTP as the user, with the request id the audit row is found by. */
const check = async (requestId: string) => {
  const res = await fetch(`${t.baseUrl}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "x-request-id": requestId,
      "user-agent": AGENT,
    },
    body: JSON.stringify({ query: CHECK, variables: { s: U, r: C } }),
  })
  expect(res.status).toBe(200)
  return res.json()
}

const answered = (allowed: boolean, reason: string) => ({ data: { authzCheck: { allowed, reason } } })

const fields = () => ({ subjectId: U, action: "read", resourceId: C })

const isRemembered = () => f.remembered(token, fields(), "graphql", () => info) !== undefined

/** Checks until the token and every decision input are remembered (fixture bumps are announced asynchronously). */
const warm = () => warmUntilRemembered(() => check(`warm-${randomUUID()}`), isRemembered)

const adminOk = async (query: string, variables: Record<string, unknown>) => {
  const out = await gql(t, admin, query, variables)
  expect(out.errors).toBeUndefined()
  return out.data
}

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  f = await rememberedFixture(t, "gql-remembered")
  ;[T, U, C] = [f.tenant, f.user, f.channel]
  await f.sql(
    `INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_kind, object_type, effect)
     VALUES ($1, $3, 'object_type', 'resource', 'resource:channel', 'allow'),
            ($2, $3, 'object_type', 'resource', 'resource:channel', 'deny')`,
    [ALLOW, DENY, T],
  )
  await f.sql(
    `INSERT INTO permission_block_actions (permission_block_id, action_id)
     SELECT b.id, a.id FROM actions a CROSS JOIN (VALUES ($1::uuid), ($2::uuid)) AS b(id) WHERE a.name = 'read'`,
    [ALLOW, DENY],
  )
  await f.sql("INSERT INTO roles (id, name, tenant_id) VALUES ($1, 'channel-reader', $2)", [ROLE, T])
  await f.sql("INSERT INTO role_permission_blocks (role_id, permission_block_id) VALUES ($1, $2)", [ROLE, ALLOW])
  await f.sql(
    `INSERT INTO role_assignments (id, tenant_id, subject_kind, subject_id, role_id)
     VALUES ($1, $2, 'entity', $3, $4)`,
    [ASSIGNMENT, T, U, ROLE],
  )
  await f.bump()
  token = await f.login()
})
afterAll(async () => {
  await t?.close()
})

describe("GraphQL authzCheck answered from memory", () => {
  it("a revoked role is seen by the very next authzCheck after warm ones", async () => {
    expect(await check("first")).toEqual(answered(true, "allowed"))
    await warm()
    for (let i = 0; i < 3; i++) expect(await check(`warm-allow-${i}`)).toEqual(answered(true, "allowed"))
    expect(isRemembered()).toBe(true)

    await adminOk(`mutation($id: ID!) { deleteRoleAssignment(id: $id) }`, { id: ASSIGNMENT })
    expect(await check("after-revoke")).toEqual(answered(false, "no matching allow policy"))
  })

  it("a new deny is seen by the very next authzCheck after warm allows", async () => {
    await adminOk(
      `mutation($t: ID, $e: ID!, $r: ID!) { createRoleAssignment(input: { tenantId: $t, subjectKind: entity,
        subjectId: $e, roleId: $r }) { id } }`,
      { t: T, e: U, r: ROLE },
    )
    expect(await check("regranted")).toEqual(answered(true, "allowed"))
    await warm()
    expect(await check("warm-before-deny")).toEqual(answered(true, "allowed"))

    await adminOk(
      `mutation($t: ID, $e: ID!, $b: ID!) { createDirectPolicy(input: { tenantId: $t, subjectKind: entity,
        subjectId: $e, permissionBlockId: $b }) { id } }`,
      { t: T, e: U, b: DENY },
    )
    expect(await check("after-deny")).toEqual(answered(false, "explicitly denied by direct policy"))
  })

  it("a denial answered from memory is audited with the request's facts", async () => {
    await warm()
    expect(f.remembered(token, fields(), "graphql", () => info)).toMatchObject({ allowed: false })
    expect(await check("gql-remembered-deny-1")).toEqual(answered(false, "explicitly denied by direct policy"))
    expect(await f.flushAudit()).toBe(true)
    const rows = await f.sql(
      `SELECT event, outcome, actor_id::text AS actor, target_id::text AS target, client_ip AS ip,
              user_agent AS agent, details->>'dialect' AS dialect, details->>'reason' AS reason
       FROM audit_logs WHERE request_id = $1`,
      ["gql-remembered-deny-1"],
    )
    expect(rows).toEqual([
      {
        event: "authz.check",
        outcome: "deny",
        actor: U,
        target: C,
        ip: "127.0.0.1",
        agent: AGENT,
        dialect: "graphql",
        reason: "explicitly denied by direct policy",
      },
    ])
  })
})
