import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADMIN_PASSWORD, startTestAtom, type TestAtom } from "./support/startTestAtom.js"

/**
 * Issue 4's "the reference admin UI's login, session refresh and credential flows would work against us":
 * the operations below carry the operation names, variables and selections the reference UI (`app/`) sends
 * for those flows, posted to /graphql as it posts them (operationName, Bearer token), and each answer is
 * read the way the UI reads it.
 */
let t: TestAtom
beforeAll(async () => {
  t = await startTestAtom()
})
afterAll(async () => {
  await t?.close()
})

interface UiAnswer<T> {
  readonly data: T | null
  readonly errors?: ReadonlyArray<{ readonly message: string }>
}

const ui = async <T>(
  operationName: string,
  query: string,
  variables: Record<string, unknown> | undefined,
  token?: string,
): Promise<UiAnswer<T>> => {
  const res = await fetch(`${t.baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(variables === undefined ? { query, operationName } : { query, variables, operationName }),
  })
  expect(res.headers.get("content-type") ?? "").toMatch(/json/)
  return res.json()
}

/** The UI's answer check: data present and no errors, else the first message. */
const data = <T>(answer: UiAnswer<T>): T => {
  if (answer.errors?.length || answer.data === null) throw new Error(answer.errors?.[0]?.message ?? "no data")
  return answer.data
}

interface SessionPayload {
  readonly token: string
  readonly entityId: string
  readonly sessionId: string
  readonly expiresAt: string
}

const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { token entityId sessionId expiresAt }
}`
const REFRESH = `mutation RefreshSession {
  refreshSession { token entityId sessionId expiresAt }
}`
const LOGOUT = `mutation Logout {
  logout
}`
const CREDENTIALS = `query EntityCredentials($entityId: ID!) {
  credentials(entityId: $entityId) { items { id kind status identifier expiresAt createdAt } total }
}`
const CREATE_PASSWORD = `mutation CreatePassword($entityId: ID!, $password: String!) {
  createPassword(entityId: $entityId, password: $password)
}`
const CREATE_ACCESS_TOKEN = `mutation CreateEntityAccessToken($input: CreateAccessTokenInput!) {
  createAccessToken(input: $input) { credentialId token expiresAt }
}`
const ACCESS_TOKENS = `query EntityAccessTokens($subjectId: ID!) {
  accessTokens(subjectId: $subjectId, limit: 100) {
    items {
      credentialId name scoped
      permissions { actions scopeMode tenantId objectKind objectType objectId }
      lastUsedAt
    }
  }
}`
const CREATE_SHARED_KEY = `mutation CreateSharedKey($entityId: ID!, $input: CreateSharedKeyInput!) {
  createSharedKey(entityId: $entityId, input: $input) { credentialId key expiresAt }
}`
const REVEAL_SHARED_KEY = `mutation RevealSharedKey($entityId: ID!, $credentialId: ID!) {
  revealSharedKey(entityId: $entityId, credentialId: $credentialId) { credentialId key expiresAt }
}`
const REVOKE_CREDENTIAL = `mutation RevokeCredential($entityId: ID!, $credentialId: ID!) {
  revokeCredential(entityId: $entityId, credentialId: $credentialId)
}`

/** The messages on which the UI's refresh route clears the cookies and sends the user to log in again. */
const UI_AUTH_FAILURES = [
  "missing authentication",
  "session refresh requires a session token",
  "session is not refreshable",
  "session not found",
  "session revoked",
  "session expired",
  "invalid token",
  "entity is not active",
  "tenant is not active",
]

const login = async (identifier: string, secret: string): Promise<SessionPayload> =>
  data(await ui<{ login: SessionPayload }>("Login", LOGIN, { input: { identifier, secret, kind: "password" } })).login

const createEntity = async (token: string, kind: string, name: string): Promise<string> => {
  const answer = await ui<{ createEntity: { id: string } }>(
    "CreateEntity",
    `mutation CreateEntity($input: CreateEntityInput!) { createEntity(input: $input) { id } }`,
    { input: { kind, name } },
    token,
  )
  return data(answer).createEntity.id
}

describe("the reference admin UI's session flow", () => {
  it("logs in, refreshes, logs out; a refresh after logout is an auth failure the UI recognises", async () => {
    const session = await login("admin", ADMIN_PASSWORD)
    expect(session.entityId).toBe("00000000-0000-0000-0000-000000000001")
    expect(session.token.split(".")).toHaveLength(3)
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now())

    const refreshed = data(
      await ui<{ refreshSession: SessionPayload }>("RefreshSession", REFRESH, undefined, session.token),
    ).refreshSession
    // the UI's isAuthCookiePayload: four strings
    for (const field of ["token", "entityId", "sessionId", "expiresAt"] as const)
      expect(typeof refreshed[field]).toBe("string")
    expect(refreshed.entityId).toBe(session.entityId)
    expect(refreshed.token).not.toBe(session.token)
    expect(Date.parse(refreshed.expiresAt)).toBeGreaterThanOrEqual(Date.parse(session.expiresAt))

    expect(data(await ui<{ logout: boolean }>("Logout", LOGOUT, undefined, refreshed.token)).logout).toBe(true)
    const after = await ui<{ refreshSession: SessionPayload }>("RefreshSession", REFRESH, undefined, refreshed.token)
    const message = after.errors?.[0]?.message ?? ""
    expect(UI_AUTH_FAILURES.some((needle) => message.includes(needle))).toBe(true)
    // and a wrong password is the error the UI's login route shows
    const wrong = await ui("Login", LOGIN, {
      input: { identifier: "admin", secret: "not the password", kind: "password" },
    })
    expect(wrong.errors?.[0]?.message).toBe("invalid credentials")
  })
})

describe("the reference admin UI's credential panel", () => {
  it("sets a password, mints and lists an API key, revokes it, and the entity logs in with the password", async () => {
    const admin = (await login("admin", ADMIN_PASSWORD)).token
    const userId = await createEntity(admin, "human", "ui-flow-user")
    const password = "correct horse battery staple"
    expect(
      data(
        await ui<{ createPassword: boolean }>("CreatePassword", CREATE_PASSWORD, { entityId: userId, password }, admin),
      ).createPassword,
    ).toBe(true)

    const apiKey = data(
      await ui<{ createAccessToken: { credentialId: string; token: string; expiresAt: string | null } }>(
        "CreateEntityAccessToken",
        CREATE_ACCESS_TOKEN,
        { input: { name: "ci key", description: "from the UI", subjectId: userId, scoped: false, permissions: [] } },
        admin,
      ),
    ).createAccessToken
    expect(apiKey.token).toMatch(/^atom_[0-9a-f]{32}_[0-9a-f]{64}$/)
    expect(apiKey.expiresAt).toBeNull()

    const tokens = data(
      await ui<{ accessTokens: { items: ReadonlyArray<{ credentialId: string; name: string; scoped: boolean }> } }>(
        "EntityAccessTokens",
        ACCESS_TOKENS,
        { subjectId: userId },
        admin,
      ),
    ).accessTokens.items
    expect(tokens).toEqual([
      expect.objectContaining({ credentialId: apiKey.credentialId, name: "ci key", scoped: false }),
    ])

    type Listed = { credentials: { items: ReadonlyArray<{ id: string; kind: string; status: string }>; total: number } }
    const listed = data(await ui<Listed>("EntityCredentials", CREDENTIALS, { entityId: userId }, admin)).credentials
    expect(listed.total).toBe(2)
    expect(listed.items.map((c) => c.kind).sort()).toEqual(["access_token", "password"])
    expect(listed.items.every((c) => c.status === "active")).toBe(true)

    // the key works until the panel revokes it
    const introspect = (token: string) =>
      fetch(`${t.baseUrl}/auth/introspect`, { headers: { authorization: `Bearer ${token}` } })
    expect((await introspect(apiKey.token)).status).toBe(200)
    expect(
      data(
        await ui<{ revokeCredential: boolean }>(
          "RevokeCredential",
          REVOKE_CREDENTIAL,
          { entityId: userId, credentialId: apiKey.credentialId },
          admin,
        ),
      ).revokeCredential,
    ).toBe(true)
    const revoked = data(await ui<Listed>("EntityCredentials", CREDENTIALS, { entityId: userId }, admin)).credentials
    expect(revoked.items.find((c) => c.id === apiKey.credentialId)?.status).toBe("revoked")
    expect((await introspect(apiKey.token)).status).toBe(401)

    const own = await login("ui-flow-user", password)
    expect(own.entityId).toBe(userId)
  })

  it("creates a device's shared key and reveals the same key again", async () => {
    const admin = (await login("admin", ADMIN_PASSWORD)).token
    const deviceId = await createEntity(admin, "device", "ui-flow-device")
    type KeyAnswer = { credentialId: string; key: string; expiresAt: string | null }
    const created = data(
      await ui<{ createSharedKey: KeyAnswer }>(
        "CreateSharedKey",
        CREATE_SHARED_KEY,
        { entityId: deviceId, input: { description: "from the UI" } },
        admin,
      ),
    ).createSharedKey
    expect(created.key.length).toBeGreaterThanOrEqual(32)
    const revealed = data(
      await ui<{ revealSharedKey: KeyAnswer }>(
        "RevealSharedKey",
        REVEAL_SHARED_KEY,
        { entityId: deviceId, credentialId: created.credentialId },
        admin,
      ),
    ).revealSharedKey
    expect(revealed).toEqual(created)
  })
})
