import { randomUUID } from "node:crypto"
import { ProfileSchemas } from "@atom/services/entities"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql } from "./support/adminToken.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Entity attributes validated against the pinned profile version's JSON Schema, through GraphQL
// (identity-certs §1.3 step 5, scenario 45; issue 3 part 1).

let t: TestAtom
let admin: string
const T = randomUUID()

const at = (value: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === "object" && o !== null ? Reflect.get(o, k) : undefined), value)
const str = (value: unknown): string => {
  if (typeof value !== "string") throw new Error(`expected a string, got ${JSON.stringify(value)}`)
  return value
}
const ok = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, admin, query, variables)
  if (res.errors !== undefined) throw new Error(`${query}: ${JSON.stringify(res.errors)}`)
  return res.data
}
const err = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await gql(t, admin, query, variables)
  expect(res.data ?? null).toBeNull()
  return res.errors?.[0]?.message ?? `no error: ${JSON.stringify(res.data)}`
}

const ENTITY = "id kind profileId profileVersionId attributes"
const CREATE = `mutation($i: CreateEntityInput!) { createEntity(input: $i) { ${ENTITY} } }`
const UPDATE = `mutation($id: ID!, $i: UpdateEntityInput!) { updateEntity(id: $id, input: $i) { ${ENTITY} } }`
const PROFILE = `mutation($i: CreateProfileInput!) { createProfile(input: $i) { id } }`
const VERSION = `mutation($p: ID!, $i: CreateProfileVersionInput!) { createProfileVersion(profileId: $p, input: $i) { id version } }`
const ENTITY_BY_ID = `query($id: ID!) { entity(id: $id) { ${ENTITY} } }`

const meterSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  required: ["serial_no"],
  properties: {
    serial_no: { type: "string", pattern: "^WM-" },
    rate: { type: "integer", minimum: 1, maximum: 60 },
    location: { type: "object", properties: { lat: { type: "number" } }, required: ["lat"] },
  },
}

let profileId: string
let v1: string

beforeAll(async () => {
  t = await startTestAtom()
  admin = await adminToken(t)
  await ok(`mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { id: T, name: `p-${T}` } })
  profileId = str(
    at(
      await ok(PROFILE, {
        i: { tenantId: T, objectKind: "entity", kind: "device", key: "meter", displayName: "Meter" },
      }),
      "createProfile",
      "id",
    ),
  )
  v1 = str(
    at(await ok(VERSION, { p: profileId, i: { version: 1, jsonSchema: meterSchema } }), "createProfileVersion", "id"),
  )
}, 60_000)

afterAll(async () => {
  await t?.close()
})

describe("profile attribute validation (identity-certs §1.3)", () => {
  it("seeded client profile with serial_no → a device pinned to the active version (scenario 45)", async () => {
    const created = await ok(CREATE, {
      i: { name: "wm-1", profileId: await seeded("client"), attributes: { serial_no: "WM-1" } },
    })
    expect(at(created, "createEntity", "kind")).toBe("device")
    expect(at(created, "createEntity", "profileVersionId")).toMatch(/^[0-9a-f-]{36}$/)
    expect(await err(CREATE, { i: { name: "wm-2", kind: "human", profileId: await seeded("client") } })).toMatch(
      /conflicts/,
    )
  })

  it("createEntity refuses attributes that fail the schema, naming each failing field, and writes nothing", async () => {
    const name = `bad-${randomUUID()}`
    expect(await err(CREATE, { i: { name, tenantId: T, profileId, attributes: { rate: 0 } } })).toBe(
      "attributes failed profile schema validation: attributes.serial_no is required; attributes.rate must be >= 1",
    )
    expect(
      await err(CREATE, {
        i: { name, tenantId: T, profileId, attributes: { serial_no: "X", location: {} } },
      }),
    ).toBe(
      'attributes failed profile schema validation: attributes.location.lat is required; attributes.serial_no must match pattern "^WM-"',
    )
    const listed = await ok(`query($q: String) { entities(q: $q) { total } }`, { q: name })
    expect(at(listed, "entities", "total")).toBe(0)
  })

  it("createEntity accepts conforming attributes and pins the version", async () => {
    const created = await ok(CREATE, {
      i: { name: `good-${randomUUID()}`, tenantId: T, profileId, attributes: { serial_no: "WM-7", rate: 5 } },
    })
    expect(at(created, "createEntity")).toMatchObject({
      kind: "device",
      profileId,
      profileVersionId: v1,
      attributes: { serial_no: "WM-7", rate: 5 },
    })
  })

  it("updateEntity re-validates changed attributes against the pinned version and keeps the row on refusal", async () => {
    const id = str(
      at(
        await ok(CREATE, {
          i: { name: `upd-${randomUUID()}`, tenantId: T, profileId, attributes: { serial_no: "WM-1" } },
        }),
        "createEntity",
        "id",
      ),
    )
    expect(await err(UPDATE, { id, i: { attributes: { serial_no: 12 } } })).toBe(
      "attributes failed profile schema validation: attributes.serial_no must be string",
    )
    expect(at(await ok(ENTITY_BY_ID, { id }), "entity", "attributes")).toEqual({ serial_no: "WM-1" })
    await ok(UPDATE, { id, i: { attributes: { serial_no: "WM-2", rate: 60 } } })
    expect(at(await ok(ENTITY_BY_ID, { id }), "entity", "attributes")).toEqual({ serial_no: "WM-2", rate: 60 })

    // a stricter v2: pinning it re-validates the current attributes; the entity stays on v1 when refused
    const v2 = str(
      at(
        await ok(VERSION, {
          p: profileId,
          i: {
            version: 2,
            jsonSchema: { ...meterSchema, required: ["serial_no", "firmware"] },
          },
        }),
        "createProfileVersion",
        "id",
      ),
    )
    expect(await err(UPDATE, { id, i: { profileId, profileVersionId: v2 } })).toBe(
      "attributes failed profile schema validation: attributes.firmware is required",
    )
    expect(at(await ok(ENTITY_BY_ID, { id }), "entity", "profileVersionId")).toBe(v1)
    const moved = await ok(UPDATE, {
      id,
      i: { profileId, profileVersionId: v2, attributes: { serial_no: "WM-2", firmware: "1.0" } },
    })
    expect(at(moved, "updateEntity", "profileVersionId")).toBe(v2)
    // a rename alone does not re-judge attributes
    await ok(UPDATE, { id, i: { name: `renamed-${randomUUID()}` } })
  })

  it("createProfileVersion refuses a schema that does not compile or names an unsupported draft", async () => {
    expect(await err(VERSION, { p: profileId, i: { version: 9, jsonSchema: { type: "nonsense" } } })).toMatch(
      /^invalid profile JSON schema: /,
    )
    expect(
      await err(VERSION, {
        p: profileId,
        i: { version: 9, jsonSchema: { $schema: "http://json-schema.org/draft-04/schema#", type: "object" } },
      }),
    ).toBe("invalid profile JSON schema: unsupported $schema http://json-schema.org/draft-04/schema#")
    const versions = await ok(`query($p: ID!) { profileVersions(profileId: $p) { version } }`, { p: profileId })
    expect(at(versions, "profileVersions")).toEqual(expect.not.arrayContaining([{ version: 9 }]))
  })

  it("compiles each version once and refuses a version that is gone", async () => {
    const run = <A, E>(effect: Effect.Effect<A, E, ProfileSchemas>) =>
      t.atom.runtime.runPromise(Effect.provide(effect, ProfileSchemas.Default))
    const counts = await run(
      Effect.gen(function* () {
        const schemas = yield* ProfileSchemas
        const before = yield* schemas.cachedCount
        for (let i = 0; i < 3; i++) yield* schemas.check(v1, { serial_no: "WM-3" })
        const after = yield* schemas.cachedCount
        const missing = yield* Effect.flip(schemas.check(randomUUID(), {}))
        return { before, after, missing: missing.message }
      }),
    )
    expect(counts).toMatchObject({ before: 0, after: 1 })
    expect(counts.missing).toMatch(/^profile version [0-9a-f-]{36} not found$/)
  })
})

const seeded = async (key: string) => {
  const found = await ok(`query($k: String) { profiles(objectKind: "entity", kind: $k) { items { id key } } }`, {
    k: "device",
  })
  const items = at(found, "profiles", "items")
  const match = Array.isArray(items) ? items.find((p) => at(p, "key") === key) : undefined
  return str(at(match, "id"))
}
