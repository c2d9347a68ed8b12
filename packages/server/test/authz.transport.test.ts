import { randomUUID } from "node:crypto"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import * as grpc from "@grpc/grpc-js"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { type GrpcResult, grpcCaller } from "./support/grpcClient.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Runtime authorization through the real listeners: GraphQL authzCheck / authzExplain / authzBulkCheck /
// authorizedObjectIds and the inspection queries, and gRPC atom.v1.AuthzService/Check (api.md §2.5–2.6,
// §3.5–3.7). Fixtures are plain SQL followed by a revision bump, as every decision-changing write does.

let t: TestAtom
let admin: string
let rpc: ReturnType<typeof grpcCaller>

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"
const T = randomUUID()
const S = randomUUID() // service in T, reads channels with mfa
const C = randomUUID() // channel in T
const R = randomUUID() // rule in T
const BLOCK = randomUUID()
const POLICY = randomUUID()

const at = (value: unknown, ...path: Array<string>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)

const sql = (text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe(text, params)))

const fixtures = async () => {
  await sql("INSERT INTO tenants (id, name) VALUES ($1, $2)", [T, `authz-${T}`])
  await sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'service', 'authz-s', $2)", [S, T])
  await sql(
    "INSERT INTO resources (id, kind, name, tenant_id) VALUES ($1, 'channel', 'c', $3), ($2, 'rule', 'r', $3)",
    [C, R, T],
  )
  await sql(
    `INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_kind, object_type, conditions)
     VALUES ($1, $2, 'object_type', 'resource', 'resource:channel', '{"context.mfa": "yes"}')`,
    [BLOCK, T],
  )
  await sql(
    `INSERT INTO permission_block_actions (permission_block_id, action_id)
     SELECT $1, id FROM actions WHERE name IN ('read', 'publish')`,
    [BLOCK],
  )
  await sql(
    `INSERT INTO direct_policies (id, tenant_id, subject_kind, subject_id, permission_block_id)
     VALUES ($1, $2, 'entity', $3, $4)`,
    [POLICY, T, S, BLOCK],
  )
  await sql("UPDATE authz_revision SET revision = revision + 1")
}

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  rpc = grpcCaller(t.grpcAddress)
  await fixtures()
})
afterAll(async () => {
  rpc?.close()
  await t?.close()
})

const data = async (query: string, variables: Record<string, unknown> = {}, token: string = admin) => {
  const res = await gql(t, token, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data ?? {}
}
const ANONYMOUS = null
const error = async (query: string, variables: Record<string, unknown> = {}, token: string | null = admin) => {
  const res = await gql(t, token ?? undefined, query, variables)
  expect(res.data ?? null).toBeNull()
  return res.errors?.[0]?.message
}

const CHECK = `mutation($i: AuthzCheckInput!) { authzCheck(input: $i) { allowed reason details } }`

describe("GraphQL authzCheck", () => {
  it("answers allow and deny with the contract's reasons; context reaches the conditions", async () => {
    expect(await data(CHECK, { i: { subjectId: ADMIN_ID, action: "read", resourceId: C } })).toEqual({
      authzCheck: { allowed: true, reason: "allowed", details: null },
    })
    const plain = await data(CHECK, { i: { subjectId: S, action: "read", objectKind: "resource", objectId: C } })
    expect(plain).toEqual({ authzCheck: { allowed: false, reason: "no matching allow policy", details: null } })
    const mfa = await data(CHECK, {
      i: { subjectId: S, action: "read", objectKind: "resource", objectId: C, context: { mfa: "yes" } },
    })
    expect(mfa).toEqual({ authzCheck: { allowed: true, reason: "allowed", details: null } })
    expect(await data(CHECK, { i: { subjectId: ADMIN_ID, action: "publish", resourceId: R } })).toEqual({
      authzCheck: { allowed: false, reason: "unknown action 'publish'", details: null },
    })
  })

  it("request errors and authentication", async () => {
    expect(await error(CHECK, { i: { subjectId: "nope", action: "read", resourceId: C } })).toBe(
      "subjectId must be a UUID",
    )
    expect(await error(CHECK, { i: { subjectId: ADMIN_ID, action: "read", objectKind: "role", objectId: C } })).toBe(
      "unsupported object_kind 'role' (supported: platform, resource, tenant, entity, group, credential)",
    )
    expect(await error(CHECK, { i: { subjectId: ADMIN_ID, action: "read" } })).toBe(
      "authz check requires either resource_id or (object_kind, object_id)",
    )
    expect(await error(CHECK, { i: { subjectId: ADMIN_ID, action: "read", resourceId: C } }, ANONYMOUS)).toBe(
      "missing authentication",
    )
  })
})

describe("GraphQL authzExplain, authzBulkCheck, authorizedObjectIds", () => {
  it("explain returns snake_case JSON blobs that agree with the check", async () => {
    const explained = await data(
      `mutation($i: AuthzCheckInput!) { authzExplain(input: $i) {
        allowed reason subject resource capability matchedBinding evaluatedBindings nearestBinding } }`,
      { i: { subjectId: S, action: "read", resourceId: C } },
    )
    expect(explained).toMatchObject({
      authzExplain: {
        allowed: false,
        reason: "no matching allow policy",
        subject: { id: S, name: "authz-s", kind: "service", status: "active" },
        resource: { id: C, kind: "channel", name: "c", tenant_id: T },
        capability: { id: "00000000-0000-0000-0001-000000000001", name: "read" },
        matchedBinding: null,
        nearestBinding: { id: POLICY, skip_reason: "conditions_mismatch" },
      },
    })
    const bindings = at(explained, "authzExplain", "evaluatedBindings")
    expect(bindings).toContainEqual({
      id: POLICY,
      block_id: BLOCK,
      effect: "allow",
      grant_kind: "capability",
      grant_id: "00000000-0000-0000-0001-000000000001",
      role_name: null,
      role_path: null,
      scope_kind: "object_type",
      scope_ref: "resource:channel",
      conditions: { "context.mfa": "yes" },
      via: "direct",
      result: "skipped",
      skip_reason: "conditions_mismatch",
    })
  })

  it("bulk checks answer in order; more than 20 items is an error", async () => {
    const bulk = `mutation($i: [AuthzCheckInput!]!) { authzBulkCheck(input: $i) { allowed reason } }`
    expect(
      await data(bulk, {
        i: [
          { subjectId: ADMIN_ID, action: "read", resourceId: C },
          { subjectId: S, action: "read", resourceId: C, context: { mfa: "yes" } },
          { subjectId: S, action: "manage", resourceId: C },
        ],
      }),
    ).toEqual({
      authzBulkCheck: [
        { allowed: true, reason: "allowed" },
        { allowed: true, reason: "allowed" },
        { allowed: false, reason: "no matching allow policy" },
      ],
    })
    const many = Array.from({ length: 21 }, () => ({ subjectId: ADMIN_ID, action: "read", resourceId: C }))
    expect(await error(bulk, { i: many })).toBe("input must contain at most 20 items")
  })

  it("authorizedObjectIds and the inspection queries", async () => {
    const ids = await data(`query($i: AuthorizedObjectIdsInput!) { authorizedObjectIds(input: $i) { ids total } }`, {
      i: { subjectId: ADMIN_ID, action: "execute", objectKind: "resource", tenantId: T },
    })
    expect(ids).toEqual({ authorizedObjectIds: { ids: [R], total: 1 } })
    const access = await data(
      `query($e: ID!, $t: ID) { entityAccess(entityId: $e, tenantId: $t) { total items { via bindingId action effect conditions } } }`,
      { e: S, t: T },
    )
    expect(access).toEqual({
      entityAccess: {
        total: 2,
        items: [
          {
            via: "direct",
            bindingId: POLICY,
            action: "publish",
            effect: "allow",
            conditions: { "context.mfa": "yes" },
          },
          { via: "direct", bindingId: POLICY, action: "read", effect: "allow", conditions: { "context.mfa": "yes" } },
        ],
      },
    })
    const effective = await data(
      `query($s: ID!, $k: String!, $o: ID!) { effectiveActions(subjectId: $s, objectKind: $k, objectId: $o) {
        total items { action allowed reason grant { roleName } } } }`,
      { s: ADMIN_ID, k: "resource", o: R },
    )
    expect(at(effective, "effectiveActions", "items")).toContainEqual({
      action: "execute",
      allowed: true,
      reason: "allowed",
      grant: { roleName: "atom-admin" },
    })
    const holders = await data(
      `{ roleHolders(roleId: "00000000-0000-0000-0000-000000000002") { roleName total items { subjectId } } }`,
    )
    expect(holders).toEqual({ roleHolders: { roleName: "atom-admin", total: 1, items: [{ subjectId: ADMIN_ID }] } })
  })
})

describe("gRPC atom.v1.AuthzService/Check", () => {
  const metadata = (authorization?: string) => {
    const m = new grpc.Metadata()
    if (authorization !== undefined) m.set("authorization", authorization)
    return m
  }
  const call = (request: object, authorization: string | null = `Bearer ${admin}`) =>
    rpc.call("atom.v1.AuthzService", "Check", request, metadata(authorization ?? undefined))
  const expectStatus = (result: GrpcResult, code: grpc.status, details: string) => {
    expect(result.response).toBeUndefined()
    expect(result.error?.code).toBe(code)
    expect(result.error?.details).toBe(details)
  }

  it("returns any decision as OK; the string map is the ABAC context", async () => {
    expect((await call({ subject_id: ADMIN_ID, action: "read", resource_id: C })).response).toEqual({
      allowed: true,
      reason: "allowed",
    })
    expect((await call({ subject_id: S, action: "read", object_kind: "resource", object_id: C })).response).toEqual({
      allowed: false,
      reason: "no matching allow policy",
    })
    const withContext = await call({
      subject_id: S,
      action: "publish",
      object_kind: "resource",
      object_id: C,
      context: { mfa: "yes" },
    })
    expect(withContext.response).toEqual({ allowed: true, reason: "allowed" })
  })

  it("authentication and request errors carry the contract's codes and texts", async () => {
    const request = { subject_id: ADMIN_ID, action: "read", resource_id: C }
    expectStatus(await call(request, null), grpc.status.UNAUTHENTICATED, "missing authorization metadata")
    expectStatus(await call(request, `Token ${admin}`), grpc.status.UNAUTHENTICATED, "expected Bearer token")
    expectStatus(
      await call({ subject_id: "nope", action: "read", resource_id: C }),
      grpc.status.INVALID_ARGUMENT,
      "invalid subject_id: expected UUID",
    )
    expectStatus(
      await call({ subject_id: ADMIN_ID, action: "read", resource_id: "nope" }),
      grpc.status.INVALID_ARGUMENT,
      "invalid resource_id: expected UUID",
    )
    expectStatus(
      await call({ subject_id: ADMIN_ID, action: "read", object_id: C }),
      grpc.status.INVALID_ARGUMENT,
      "object_kind is required when object_id is provided",
    )
    expectStatus(
      await call({ subject_id: ADMIN_ID, action: "read", object_kind: "entity" }),
      grpc.status.INVALID_ARGUMENT,
      "object_id is required when object_kind is provided",
    )
    expectStatus(
      await call({ subject_id: ADMIN_ID, action: "read" }),
      grpc.status.INVALID_ARGUMENT,
      "authz check requires either resource_id or (object_kind, object_id)",
    )
  })

  it("a caller asking about someone else needs a delegated-check grant", async () => {
    const u = randomUUID()
    const password = "a-long-enough-password-1"
    await sql("INSERT INTO entities (id, kind, name) VALUES ($1, 'human', $2)", [u, `authz-u-${u}`])
    const hash = await t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(password))))
    await sql("INSERT INTO credentials (id, entity_id, kind, secret_hash) VALUES ($1, $2, 'password', $3)", [
      randomUUID(),
      u,
      hash,
    ])
    const token = await loginToken(t, u, password)
    expectStatus(
      await call({ subject_id: ADMIN_ID, action: "read", resource_id: C }, `Bearer ${token}`),
      grpc.status.PERMISSION_DENIED,
      "forbidden",
    )
    expect((await call({ subject_id: u, action: "read", resource_id: C }, `Bearer ${token}`)).response).toEqual({
      allowed: false,
      reason: "no matching allow policy",
    })
  })
})
