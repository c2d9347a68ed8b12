import { randomUUID } from "node:crypto"
import { announceLocalChange } from "@atom/repositories/db"
import { Passwords } from "@atom/repositories/identity"
import { EndpointExecutor, ExecutionLog, GraphqlRunner } from "@atom/services/endpoints"
import { PasswordHasher } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

let t: TestAtom
let admin: string

const ADMIN_ID = "00000000-0000-0000-0000-000000000001"
const T = randomUUID()
const PASSWORD = "endpoint-test-password-1"

const sql = <A extends object = Record<string, unknown>>(text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)).pipe(Effect.orDie))

const flushExecutions = () => t.atom.runtime.runPromise(Effect.flatMap(ExecutionLog, (l) => l.flush))

/** An entity with a password and a session token; no grants of its own. */
const createHuman = async (name: string, tenantId: string | null = T) => {
  const id = randomUUID()
  await sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'human', $2, $3)", [id, name, tenantId])
  await t.atom.runtime.runPromise(
    Effect.gen(function* () {
      const hash = yield* Effect.flatMap(PasswordHasher, (h) => h.hash(Redacted.make(PASSWORD)))
      yield* Effect.flatMap(Passwords, (p) =>
        p.insert({ id: randomUUID(), entityId: id, identifier: null, secretHash: hash }),
      )
    }),
  )
  return { id, token: await loginToken(t, id, PASSWORD) }
}

/** An allow of `actions` at the tenant's scope for an entity. */
const grantAtTenant = async (subjectId: string, tenantId: string, actions: ReadonlyArray<string>) => {
  const block = randomUUID()
  await sql("INSERT INTO permission_blocks (id, tenant_id, scope_mode) VALUES ($1, $2, 'tenant')", [block, tenantId])
  await sql(
    `INSERT INTO permission_block_actions (permission_block_id, action_id)
     SELECT $1, id FROM actions WHERE name IN (SELECT value FROM json_array_elements_text($2::json))`,
    [block, JSON.stringify(actions)],
  )
  await sql(
    `INSERT INTO direct_policies (tenant_id, subject_kind, subject_id, permission_block_id)
     VALUES ($1, 'entity', $2, $3)`,
    [tenantId, subjectId, block],
  )
  await sql("UPDATE authz_revision SET revision = revision + 1")
  // written through this Atom's own pool: its caches hear of it at once, as from a use case
  await t.atom.runtime.runPromise(announceLocalChange)
}

interface Endpoint {
  id: string
  tenantId: string | null
  key: string
  method: string
  path: string
  status: string
  authMode: string
  graphql: string
  variablesMapping: Record<string, unknown>
  responseMapping: Record<string, unknown>
  createdBy: string | null
  graphqlValid: boolean
  graphqlProblems: Array<string>
}
const FIELDS = `id tenantId key method path status authMode graphql variablesMapping responseMapping createdBy
  graphqlValid graphqlProblems`

const CREATE = `mutation($input: CreateApiEndpointInput!) { createApiEndpoint(input: $input) { ${FIELDS} } }`
const UPDATE = `mutation($id: ID!, $input: UpdateApiEndpointInput!) { updateApiEndpoint(id: $id, input: $input) { ${FIELDS} } }`
const ENABLE = `mutation($id: ID!) { enableApiEndpoint(id: $id) { ${FIELDS} } }`
const DISABLE = `mutation($id: ID!) { disableApiEndpoint(id: $id) { ${FIELDS} } }`
const LIST = `query($tenantId: ID, $status: String) { apiEndpoints(tenantId: $tenantId, status: $status, limit: 100) {
  total items { ${FIELDS} } } }`
const EXECUTIONS = `query($id: ID!) { apiEndpointExecutions(endpointId: $id, limit: 100) {
  total items { id endpointId callerEntityId status requestSummary responseSummary error createdAt } } }`

const ENTITY_BY_ID = `query Entity($id: ID!) { entity(id: $id) { id name } }`

let n = 0
const definition = (overrides: Record<string, unknown> = {}) => {
  n++
  return {
    key: `ep-${n}`,
    name: `endpoint ${n}`,
    method: "POST",
    path: `/api/custom/ep-${n}`,
    operationKind: "query",
    graphql: ENTITY_BY_ID,
    variablesMapping: { id: "$body.id" },
    ...overrides,
  }
}

const create = (input: Record<string, unknown>, token = admin) =>
  gql<{ createApiEndpoint: Endpoint }>(t, token, CREATE, { input })

const createOk = async (input: Record<string, unknown>) => {
  const res = await create(input)
  expect(res.errors).toBeUndefined()
  const created = res.data?.createApiEndpoint
  if (!created) throw new Error("endpoint not created")
  return created
}

/** Created and enabled. */
const publish = async (input: Record<string, unknown>) => {
  const created = await createOk(input)
  const res = await gql<{ enableApiEndpoint: Endpoint }>(t, admin, ENABLE, { id: created.id })
  expect(res.errors).toBeUndefined()
  expect(res.data?.enableApiEndpoint.status).toBe("active")
  return created
}

const errorOf = (body: { errors?: Array<{ message: string }> }) => body.errors?.[0]?.message

const call = async (
  path: string,
  init: { method?: string; token?: string | null; body?: string; headers?: Record<string, string> } = {},
) => {
  const res = await fetch(`${t.baseUrl}${path}`, {
    method: init.method ?? "POST",
    headers: {
      ...(init.token === null ? {} : { authorization: `Bearer ${init.token ?? admin}` }),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: text === "" ? undefined : JSON.parse(text) }
}

interface Execution {
  id: string
  endpointId: string | null
  callerEntityId: string | null
  status: string
  requestSummary: { method: string; path: string; variablesOrBody: Record<string, unknown> }
  responseSummary: unknown
  error: string | null
}
const executionsOf = async (endpointId: string) => {
  await flushExecutions()
  const res = await gql<{ apiEndpointExecutions: { total: number; items: Array<Execution> } }>(t, admin, EXECUTIONS, {
    id: endpointId,
  })
  expect(res.errors).toBeUndefined()
  return res.data?.apiEndpointExecutions.items ?? []
}

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  await sql("INSERT INTO tenants (id, name) VALUES ($1, 'endpoints-t')", [T])
})
afterAll(async () => {
  await t?.close()
})

describe("publishing and calling an endpoint", () => {
  it("creates a draft, answers 404 until enabled, then runs the stored query with its mappings", async () => {
    const created = await createOk(
      definition({ responseMapping: { name: "$.entity.name", missing: "$.entity.nope", source: "atom" } }),
    )
    expect(created).toMatchObject({ status: "draft", authMode: "caller_context", createdBy: ADMIN_ID, tenantId: null })
    expect(created.graphqlValid).toBe(true)

    const before = await call(created.path, { body: JSON.stringify({ id: ADMIN_ID }) })
    expect(before.status).toBe(404)
    expect(before.json).toEqual({ error: `custom endpoint ${created.path} not found` })

    await gql(t, admin, ENABLE, { id: created.id })
    const res = await call(created.path, { body: JSON.stringify({ id: ADMIN_ID }) })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ name: "admin", missing: null, source: "atom" })
  })

  it("passes the whole body as variables when the mapping is empty, and answers the whole data", async () => {
    const ep = await publish(definition({ variablesMapping: {} }))
    const res = await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID }) })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ entity: { id: ADMIN_ID, name: "admin" } })
  })

  it("maps query, header, auth, path and literal sources, nesting dotted targets", async () => {
    const ep = await publish(
      definition({
        method: "GET",
        graphql: `query Q($id: ID!) { entity(id: $id) { id name } }`,
        variablesMapping: { id: "$auth.entityId", "extra.q": "$query.q", "extra.h": "$headers.x-trace", p: "$path" },
      }),
    )
    const res = await call(`${ep.path}?q=1`, { method: "GET", headers: { "x-trace": "abc" } })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ entity: { id: ADMIN_ID, name: "admin" } })
    const [latest] = await executionsOf(ep.id)
    expect(latest?.status).toBe("success")
    expect(latest?.requestSummary).toEqual({
      method: "GET",
      path: ep.path,
      variablesOrBody: { id: ADMIN_ID, extra: { q: "1", h: "abc" }, p: ep.path },
    })
  })

  it("disabling answers 404 at once; every change is audited with its actor", async () => {
    const ep = await publish(definition())
    expect((await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID }) })).status).toBe(200)
    const disabled = await gql<{ disableApiEndpoint: Endpoint }>(t, admin, DISABLE, { id: ep.id })
    expect(disabled.data?.disableApiEndpoint.status).toBe("disabled")
    const after = await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID }) })
    expect(after.status).toBe(404)

    const audit = await gql<{
      auditLogs: { items: Array<{ event: string; actorEntityId: string; targetKind: string }> }
    }>(
      t,
      admin,
      `query($id: ID) { auditLogs(targetId: $id, limit: 20) { items { event actorEntityId targetKind } } }`,
      { id: ep.id },
    )
    expect(audit.errors).toBeUndefined()
    const events = audit.data?.auditLogs.items.map((i) => i.event).sort()
    expect(events).toEqual(["api_endpoint.create", "api_endpoint.disable", "api_endpoint.enable"])
    expect(
      audit.data?.auditLogs.items.every((i) => i.actorEntityId === ADMIN_ID && i.targetKind === "api_endpoint"),
    ).toBe(true)
  })

  it("a change committed elsewhere (another replica) reaches the route cache through the revision", async () => {
    const ep = await publish(definition())
    expect((await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID }) })).status).toBe(200)
    await sql("UPDATE api_endpoints SET status = 'disabled' WHERE id = $1", [ep.id])
    await sql("UPDATE authz_revision SET revision = revision + 1")
    let status = 0
    for (let i = 0; i < 40 && status !== 404; i++) {
      status = (await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID }) })).status
      if (status !== 404) await new Promise((r) => setTimeout(r, 50))
    }
    expect(status).toBe(404)
  })

  it("records executions with secrets redacted at any depth", async () => {
    const ep = await publish(definition({ variablesMapping: {} }))
    const body = { id: ADMIN_ID, password: "hunter2", nested: { apiKey: "k", list: [{ client_secret: "s" }] } }
    expect((await call(ep.path, { body: JSON.stringify(body) })).status).toBe(200)
    const [row] = await executionsOf(ep.id)
    expect(row).toMatchObject({ status: "success", callerEntityId: ADMIN_ID, endpointId: ep.id, error: null })
    expect(row?.requestSummary.variablesOrBody).toEqual({
      id: ADMIN_ID,
      password: "<redacted>",
      nested: { apiKey: "<redacted>", list: [{ client_secret: "<redacted>" }] },
    })
    expect(row?.responseSummary).toEqual({ entity: { id: ADMIN_ID, name: "admin" } })
    const raw = await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM api_endpoint_executions WHERE request_summary::text LIKE '%hunter2%'",
    )
    expect(raw[0]?.n).toBe(0)
  })

  it("updates partially in any status, and lists by tenant and status", async () => {
    const ep = await createOk(definition({ tenantId: T }))
    const res = await gql<{ updateApiEndpoint: Endpoint }>(t, admin, UPDATE, {
      id: ep.id,
      input: { name: "renamed", method: "get", responseMapping: { x: "$.entity.id" } },
    })
    expect(res.errors).toBeUndefined()
    expect(res.data?.updateApiEndpoint).toMatchObject({
      method: "GET",
      path: ep.path,
      graphql: ENTITY_BY_ID,
      responseMapping: { x: "$.entity.id" },
      status: "draft",
    })
    const audited = await sql<{
      outcome: string
      actorId: string
      tenantId: string
      targetKind: string
      details: string
    }>(
      `SELECT outcome, actor_id, tenant_id, target_kind, details::text AS details FROM audit_logs
       WHERE event = 'api_endpoint.update' AND target_id = $1`,
      [ep.id],
    )
    expect(audited.map((r) => ({ ...r, details: JSON.parse(r.details) }))).toEqual([
      {
        outcome: "allow",
        actorId: ADMIN_ID,
        tenantId: T,
        targetKind: "api_endpoint",
        details: { key: ep.key, method: "GET", path: ep.path, status: "draft" },
      },
    ])
    const listed = await gql<{ apiEndpoints: { total: number; items: Array<Endpoint> } }>(t, admin, LIST, {
      tenantId: T,
      status: "draft",
    })
    expect(listed.data?.apiEndpoints.items.map((e) => e.id)).toEqual([ep.id])
    expect(errorOf(await gql(t, admin, LIST, { status: "paused" }))).toBe("unsupported api endpoint status")
  })
})

describe("authorization and identity", () => {
  it("runs with the caller's rights: a caller allowed to execute still cannot do through it what it could not", async () => {
    const ed = await createHuman("ed-executor")
    await grantAtTenant(ed.id, T, ["execute"])
    const ep = await publish(
      definition({
        tenantId: T,
        operationKind: "mutation",
        graphql: `mutation M($name: String!, $t: ID) { createEntity(input: {name: $name, kind: service, tenantId: $t}) { id name } }`,
        variablesMapping: { name: "$body.name", t: T },
        responseMapping: { id: "$.createEntity.id" },
      }),
    )
    const denied = await call(ep.path, { token: ed.token, body: JSON.stringify({ name: "made-by-ed" }) })
    expect(denied.status).toBe(400)
    expect(denied.json).toEqual({ error: "custom endpoint GraphQL execution failed" })
    const none = await sql<{ n: number }>("SELECT count(*)::int AS n FROM entities WHERE name = 'made-by-ed'")
    expect(none[0]?.n).toBe(0)
    const [failed] = await executionsOf(ep.id)
    expect(failed).toMatchObject({ status: "error", callerEntityId: ed.id })
    expect(JSON.stringify(failed?.responseSummary)).toContain("forbidden")

    const ok = await call(ep.path, { body: JSON.stringify({ name: "made-by-admin" }) })
    expect(ok.status).toBe(200)
    const made = await sql<{ id: string }>("SELECT id FROM entities WHERE name = 'made-by-admin'")
    expect(ok.json).toEqual({ id: made[0]?.id })
  })

  it("refuses a caller without execute or manage on the endpoint's scope (403, logged as denied)", async () => {
    const nobody = await createHuman("no-grants")
    const ep = await publish(definition({ tenantId: T }))
    const res = await call(ep.path, { token: nobody.token, body: JSON.stringify({ id: ADMIN_ID }) })
    expect(res.status).toBe(403)
    expect(res.json).toEqual({ error: "forbidden" })
    const [row] = await executionsOf(ep.id)
    expect(row).toMatchObject({ status: "denied", callerEntityId: nobody.id, error: "forbidden" })
  })

  it("refuses a caller whose execute grant is on another tenant", async () => {
    const U = randomUUID()
    await sql("INSERT INTO tenants (id, name) VALUES ($1, 'endpoints-u')", [U])
    const other = await createHuman("other-tenant-executor", U)
    await grantAtTenant(other.id, U, ["execute", "manage"])
    const ep = await publish(definition({ tenantId: T }))
    const res = await call(ep.path, { token: other.token, body: JSON.stringify({ id: ADMIN_ID }) })
    expect(res.status).toBe(403)
  })

  it("a scoped access token runs the operation within its ceiling", async () => {
    const minted = await gql<{ createAccessToken: { token: string } }>(
      t,
      admin,
      `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { token } }`,
      { input: { name: "endpoint-ceiling", permissions: [{ actions: ["execute", "read"], scopeMode: "platform" }] } },
    )
    expect(minted.errors).toBeUndefined()
    const token = minted.data?.createAccessToken.token ?? ""
    const read = await publish(definition())
    const ok = await call(read.path, { token, body: JSON.stringify({ id: ADMIN_ID }) })
    expect(ok.status).toBe(200)
    const write = await publish(
      definition({
        operationKind: "mutation",
        graphql: `mutation M($name: String!) { createEntity(input: {name: $name, kind: service}) { id } }`,
        variablesMapping: { name: "made-by-scoped-token" },
      }),
    )
    const refused = await call(write.path, { token, body: "{}" })
    expect(refused.status).toBe(400)
    const none = await sql<{ n: number }>("SELECT count(*)::int AS n FROM entities WHERE name = 'made-by-scoped-token'")
    expect(none[0]?.n).toBe(0)
  })

  it("authenticates from the Bearer header only", async () => {
    const ep = await publish(definition())
    const missing = await call(ep.path, { token: null, body: "{}" })
    expect(missing.status).toBe(401)
    expect(missing.json).toEqual({ error: "missing Authorization header" })
    const basic = await call(ep.path, { token: null, headers: { authorization: "Basic eDp5" }, body: "{}" })
    expect(basic.status).toBe(401)
    expect(basic.json).toEqual({ error: "expected Bearer token" })
    const cookie = await call(ep.path, { token: null, headers: { cookie: `atom_token=${admin}` }, body: "{}" })
    expect(cookie.status).toBe(401)
    const rows = await executionsOf(ep.id)
    expect(rows.filter((r) => r.status === "denied")).toHaveLength(3)
  })

  it("service_context runs as the service entity, unscoped, and refuses it once suspended", async () => {
    const ed = await createHuman("ed-service-caller")
    await grantAtTenant(ed.id, T, ["execute"])
    const svc = randomUUID()
    await sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'service', 'endpoint-svc', $2)", [svc, T])
    await grantAtTenant(svc, T, ["read"])
    const target = randomUUID()
    await sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'device', 'endpoint-target', $2)", [
      target,
      T,
    ])
    const ep = await publish(
      definition({
        tenantId: T,
        authMode: "service_context",
        serviceEntityId: svc,
        variablesMapping: { id: target, who: "$auth.entityId" },
        graphql: `query Q($id: ID!) { entity(id: $id) { name } }`,
      }),
    )
    // ed cannot read the device directly
    const direct = await gql(t, ed.token, ENTITY_BY_ID, { id: target })
    expect(errorOf(direct)).toBe("forbidden")
    const res = await call(ep.path, { token: ed.token, body: "" })
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ entity: { name: "endpoint-target" } })

    await sql("UPDATE entities SET status = 'suspended' WHERE id = $1", [svc])
    const refused = await call(ep.path, { token: ed.token, body: "" })
    expect(refused.status).toBe(403)
  })

  it("management needs platform manage", async () => {
    const ed = await createHuman("ed-manager")
    await grantAtTenant(ed.id, T, ["manage", "execute"])
    expect(errorOf(await create(definition({ tenantId: T }), ed.token))).toBe("forbidden")
    expect(errorOf(await gql(t, ed.token, LIST, {}))).toBe("forbidden")
  })
})

describe("bad requests to an endpoint", () => {
  it("unknown path 404, other method 405 with Allow", async () => {
    const unknown = await call("/api/custom/does-not-exist", { body: "{}" })
    expect(unknown.status).toBe(404)
    expect(unknown.json).toEqual({ error: "custom endpoint /api/custom/does-not-exist not found" })
    const ep = await publish(definition())
    const wrong = await call(ep.path, { method: "PUT", body: "{}" })
    expect(wrong.status).toBe(405)
    expect(wrong.headers.get("allow")).toBe("POST")
  })

  it("413 over 1 MiB, 400 for a body that is not JSON", async () => {
    const ep = await publish(definition())
    const big = await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID, pad: "x".repeat(1024 * 1024) }) })
    expect(big.status).toBe(413)
    expect(big.json).toEqual({ error: "custom endpoint request body is too large" })
    const bad = await call(ep.path, { body: "{not json" })
    expect(bad.status).toBe(400)
    expect(bad.json.error).toMatch(/^custom endpoint request body must be JSON: /)
    const rows = await executionsOf(ep.id)
    expect(rows.filter((r) => r.status === "error")).toHaveLength(2)
  })

  it("400 naming the field that fails the request schema", async () => {
    const ep = await publish(
      definition({
        requestSchema: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "string", format: "uuid" }, n: { type: "integer" } },
        },
      }),
    )
    const missing = await call(ep.path, { body: JSON.stringify({ n: 1 }) })
    expect(missing.status).toBe(400)
    expect(missing.json).toEqual({ error: "request body failed requestSchema validation: body.id is required" })
    const wrongType = await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID, n: "x" }) })
    expect(wrongType.status).toBe(400)
    expect(wrongType.json.error).toBe("request body failed requestSchema validation: body.n must be integer")
    expect((await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID, n: 2 }) })).status).toBe(200)
  })

  it("400 for GraphQL errors, details only in the execution log", async () => {
    const ep = await publish(definition())
    const missing = randomUUID()
    const res = await call(ep.path, { body: JSON.stringify({ id: missing }) })
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ error: "custom endpoint GraphQL execution failed" })
    const [row] = await executionsOf(ep.id)
    expect(row?.error).toBe("GraphQL execution returned errors")
    expect(JSON.stringify(row?.responseSummary)).toContain(`entity ${missing} not found`)
  })

  it("400 for an unsupported mapping source and a target through a non-object", async () => {
    const source = await publish(definition({ variablesMapping: { id: "$env.HOME" } }))
    const a = await call(source.path, { body: "{}" })
    expect(a.status).toBe(400)
    expect(a.json).toEqual({ error: "unsupported variablesMapping source $env.HOME" })
    const target = await publish(definition({ variablesMapping: { id: "x", "id.deeper": "y" } }))
    const b = await call(target.path, { body: "{}" })
    expect(b.status).toBe(400)
    expect(b.json).toEqual({ error: "variablesMapping target path must be an object" })
  })

  it("a stored document that stopped validating is reported by apiEndpoints and refused at run time", async () => {
    const ep = await publish(definition())
    // what a schema change does to a stored document: it no longer validates
    await sql("UPDATE api_endpoints SET graphql = $2 WHERE id = $1", [
      ep.id,
      "query Q($id: ID!) { entityGone(id: $id) { id } }",
    ])
    const listed = await gql<{ apiEndpoints: { items: Array<Endpoint> } }>(t, admin, LIST, { status: "active" })
    const stale = listed.data?.apiEndpoints.items.find((e) => e.id === ep.id)
    expect(stale?.graphqlValid).toBe(false)
    expect(stale?.graphqlProblems[0]).toContain('Cannot query field "entityGone" on type "Query"')
    const res = await call(ep.path, { body: JSON.stringify({ id: ADMIN_ID }) })
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ error: "custom endpoint GraphQL document no longer validates against the schema" })
    // and it cannot be enabled again until fixed
    await gql(t, admin, DISABLE, { id: ep.id })
    expect(errorOf(await gql(t, admin, ENABLE, { id: ep.id }))).toMatch(/^api endpoint graphql is invalid: /)
  })
})

describe("saving a definition", () => {
  const cases: ReadonlyArray<[string, Record<string, unknown>, string]> = [
    ["a path outside /api/custom/", { path: "/devices" }, "api endpoint path must start with /api/custom/"],
    ["a path with //", { path: "/api/custom/a//b" }, "api endpoint path is invalid"],
    ["a path with ..", { path: "/api/custom/../x" }, "api endpoint path is invalid"],
    ["a path with ?", { path: "/api/custom/x?y" }, "api endpoint path is invalid"],
    ["a method", { method: "TRACE" }, "unsupported api endpoint method"],
    ["an operation kind", { operationKind: "subscription" }, "unsupported api endpoint operationKind"],
    ["an auth mode", { authMode: "anonymous" }, "unsupported api endpoint authMode"],
    ["a status", { status: "live" }, "unsupported api endpoint status"],
    [
      "service_context without a service",
      { authMode: "service_context" },
      "service_context endpoints require serviceEntityId",
    ],
    [
      "introspection",
      { graphql: "query IntrospectionQuery { __schema { types { name } } }" },
      "api endpoints cannot run GraphQL introspection",
    ],
    [
      "__type in any case",
      { graphql: '{ __TYPE(name: "Query") { name } }' },
      "api endpoints cannot run GraphQL introspection",
    ],
    [
      "a legacy operation",
      { graphql: "mutation { createChannel { id } }" },
      "api endpoints must use generic Atom GraphQL operations; found createChannel",
    ],
    ["a mapping that is not an object", { variablesMapping: [1] }, "variables_mapping must be a JSON object"],
    ["a response mapping that is not an object", { responseMapping: "x" }, "response_mapping must be a JSON object"],
    ["a request schema that is not an object", { requestSchema: 5 }, "request_schema must be a JSON object"],
  ]
  it.each(cases)("refuses %s", async (_, overrides, message) => {
    expect(errorOf(await create(definition(overrides)))).toBe(message)
  })

  it("refuses a document that does not parse or validate against the served schema", async () => {
    expect(errorOf(await create(definition({ graphql: "query {" })))).toMatch(
      /^api endpoint graphql is invalid: Syntax Error/,
    )
    expect(errorOf(await create(definition({ graphql: "{ nope }" })))).toBe(
      'api endpoint graphql is invalid: Cannot query field "nope" on type "Query".',
    )
    expect(errorOf(await create(definition({ graphql: "query Q($id: String!) { entity(id: $id) { id } }" })))).toMatch(
      /^api endpoint graphql is invalid: Variable "\$id" of type "String!" used in position expecting type "ID!"/,
    )
  })

  it("refuses a request schema that does not compile", async () => {
    expect(errorOf(await create(definition({ requestSchema: { type: "no-such-type" } })))).toMatch(
      /^invalid requestSchema: /,
    )
  })

  it("refuses a service entity that does not exist", async () => {
    const missing = randomUUID()
    expect(errorOf(await create(definition({ authMode: "service_context", serviceEntityId: missing })))).toBe(
      `entity ${missing} not found`,
    )
  })

  it("409 for a second active endpoint on the same method and path, or a reused key", async () => {
    const first = await publish(definition())
    const clash = await create(definition({ path: first.path, status: "active" }))
    expect(errorOf(clash)).toBe("api endpoint key or active method/path already exists")
    const other = await createOk(definition({ path: first.path }))
    expect(errorOf(await gql(t, admin, ENABLE, { id: other.id }))).toBe(
      "api endpoint key or active method/path already exists",
    )
    expect(errorOf(await create(definition({ key: first.key })))).toBe(
      "api endpoint key or active method/path already exists",
    )
    // nothing half-written
    const rows = await sql<{ n: number }>("SELECT count(*)::int AS n FROM api_endpoints WHERE path = $1", [first.path])
    expect(rows[0]?.n).toBe(2)
  })

  it("404 for an unknown endpoint id", async () => {
    const id = randomUUID()
    expect(errorOf(await gql(t, admin, ENABLE, { id }))).toBe(`api endpoint ${id} not found`)
    expect(errorOf(await gql(t, admin, `query($id: ID!) { apiEndpoint(id: $id) { id } }`, { id }))).toBe(
      `api endpoint ${id} not found`,
    )
  })
})

describe("the depth limit of /graphql", () => {
  it("applies to stored documents at save time", async () => {
    const shallow = await startTestAtom({ ATOM_GRAPHQL_MAX_DEPTH: "2" })
    try {
      const token = await adminToken(shallow)
      const save = (graphql: string) =>
        gql<{ createApiEndpoint: { id: string } }>(
          shallow,
          token,
          `mutation($input: CreateApiEndpointInput!) {
          createApiEndpoint(input: $input) { id } }`,
          {
            input: { ...definition({ graphql, variablesMapping: {} }) },
          },
        )
      expect((await save(ENTITY_BY_ID)).errors).toBeUndefined()
      expect(errorOf(await save("{ entities { items { id } } }"))).toBe(
        "api endpoint graphql is invalid: query is nested too deeply (max depth 2)",
      )
    } finally {
      await shallow.close()
    }
  })
})

describe("the 5 s budget", () => {
  it("answers 400 custom endpoint execution timed out when the operation does not finish", async () => {
    const ep = await publish(definition())
    const started = Date.now()
    const exit = await t.atom.runtime.runPromiseExit(
      Effect.flatMap(EndpointExecutor, (x) =>
        x.execute({
          method: "POST",
          path: ep.path,
          query: new Map(),
          headers: { authorization: `Bearer ${admin}` },
          body: Effect.succeed(new TextEncoder().encode(JSON.stringify({ id: ADMIN_ID }))),
          requestId: "timeout-test",
          clientIp: "127.0.0.1",
          userAgent: undefined,
        }),
      ).pipe(Effect.provideService(GraphqlRunner, { run: () => Effect.never })),
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900)
    expect(JSON.stringify(exit)).toContain("custom endpoint execution timed out")
    const [row] = await executionsOf(ep.id)
    expect(row).toMatchObject({ status: "error", error: "custom endpoint execution timed out" })
  }, 15_000)
})
