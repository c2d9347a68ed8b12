import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"

/**
 * The API Endpoint Builder's overhead: one endpoint whose stored document is a single `entity(id)` query,
 * called over `POST /api/custom/bench-entity`, against the same query sent to `/graphql` directly
 * (`graphql-entity-direct`). Both run as the admin with a Bearer JWT; compare their ops/s (target: the
 * endpoint costs at most 30 % more).
 */
const ENTITY_ID = "00000000-0000-0000-0000-000000000003"
const QUERY = "query Entity($id: ID!) { entity(id: $id) { id name } }"
const PATH = "/api/custom/bench-entity"

let headers: Record<string, string> = {}
let expected = ""

const setup = async (httpUrl: string) => {
  const session = await adminSession(httpUrl)
  headers = { "content-type": "application/json", authorization: `Bearer ${session.token}` }
  const direct = await fetch(`${httpUrl}/graphql`, {
    method: "POST",
    headers,
    body: JSON.stringify({ query: QUERY, variables: { id: ENTITY_ID } }),
  })
  expected = await direct.text()
  if (direct.status !== 200 || !expected.startsWith('{"data":{"entity":')) {
    throw new Error(`entity query failed: ${direct.status} ${expected}`)
  }
}

export const graphqlEntityDirect = defineScenario({
  name: "graphql-entity-direct",
  description: "POST /graphql entity(id) { id name }: the query a custom endpoint wraps",
  baseline: "yoga-floor",
  prepare: (ctx) => setup(ctx.atom.httpUrl),
  run: (ctx) =>
    ctx.http({
      url: `${ctx.atom.httpUrl}/graphql`,
      method: "POST",
      headers,
      body: JSON.stringify({ query: QUERY, variables: { id: ENTITY_ID } }),
      expectBody: expected,
    }),
})

export const customEndpointEntity = defineScenario({
  name: "custom-endpoint-entity",
  description: "POST /api/custom/bench-entity: an endpoint mapping {id} onto the same entity(id) query",
  baseline: "yoga-floor",
  prepare: async (ctx) => {
    await setup(ctx.atom.httpUrl)
    const res = await fetch(`${ctx.atom.httpUrl}/graphql`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        query: `mutation($input: CreateApiEndpointInput!) { createApiEndpoint(input: $input) { id status } }`,
        variables: {
          input: {
            key: "bench-entity",
            name: "bench entity",
            method: "POST",
            path: PATH,
            operationKind: "query",
            graphql: QUERY,
            variablesMapping: { id: "$body.id" },
            status: "active",
          },
        },
      }),
    })
    const body = await res.text()
    if (res.status !== 200 || !body.includes('"status":"active"')) throw new Error(`endpoint not created: ${body}`)
  },
  run: (ctx) =>
    ctx.http({
      url: `${ctx.atom.httpUrl}${PATH}`,
      method: "POST",
      headers,
      body: JSON.stringify({ id: ENTITY_ID }),
      // the endpoint answers the query's `data`
      verifyBody: (body) => expected === `{"data":${body}}`,
    }),
})
