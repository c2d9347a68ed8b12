import { randomUUID } from "node:crypto"
import { PasswordHasher, type PasswordHasherShape, scopedNodeRs, TEST_ARGON2ID } from "@atom/services/passwords"
import { SqlClient } from "@effect/sql"
import { Effect, Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// A login reads the lockout count, the entity, its ranked password and its emails in one statement, and
// writes the attempt, last_used_at (at most once per 5 minutes) and the session in another: these pin what those
// two statements decide.

let t: TestAtom
beforeAll(async () => {
  t = await startTestAtom({ ATOM_LOGIN_FAILURE_LIMIT: "3" })
})
afterAll(async () => {
  await t?.close()
})

const sql = <A extends object = Record<string, unknown>>(text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)))

const withHasher = <A>(f: (h: PasswordHasherShape) => Effect.Effect<A>) =>
  t.atom.runtime.runPromise(Effect.flatMap(PasswordHasher, f))

const hash = (password: string) => withHasher((h) => h.hash(Redacted.make(password)))

const login = async (body: Record<string, unknown>) => {
  const res = await fetch(`${t.baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: await res.json(), retryAfter: res.headers.get("retry-after") }
}

const createEntity = async (name: string, tenantId: string | null = null) => {
  const id = randomUUID()
  await sql("INSERT INTO entities (id, kind, name, tenant_id) VALUES ($1, 'human', $2, $3)", [id, name, tenantId])
  return id
}

/** A password credential; `createdAt` orders candidates (newest first). */
const addPassword = async (entityId: string, identifier: string | null, secretHash: string, createdAt = "now()") => {
  const id = randomUUID()
  await sql(
    `INSERT INTO credentials (id, entity_id, kind, identifier, secret_hash, created_at)
     VALUES ($1, $2, 'password', $3, $4, ${createdAt})`,
    [id, entityId, identifier, secretHash],
  )
  return id
}

const createTenant = async (alias: string) => {
  const id = randomUUID()
  await sql("INSERT INTO tenants (id, name, alias) VALUES ($1, $2, $3)", [id, `tenant-${alias}`, alias])
  return id
}

const attempts = (identifier: string) =>
  sql<{ success: boolean; tenantId: string | null }>(
    "SELECT success, tenant_id FROM auth_login_attempts WHERE identifier = $1 ORDER BY created_at",
    [identifier],
  )

const PASSWORD = "lockout-password-123"

describe("lockout", () => {
  it("counts failures per normalised identifier, never resets on success, counts blocked attempts, ends with the window", async () => {
    const user = await createEntity("lock-user")
    await addPassword(user, null, await hash(PASSWORD))
    expect((await login({ identifier: "lock-user", secret: PASSWORD })).status).toBe(200)
    // casing and spaces count under the same key, even when the identifier resolves to nobody
    expect((await login({ identifier: " LOCK-USER ", secret: PASSWORD })).status).toBe(401)
    expect((await login({ identifier: "lock-user", secret: "wrong-password-1" })).status).toBe(401)
    // a success in between does not reset the count
    expect((await login({ identifier: "lock-user", secret: PASSWORD })).status).toBe(200)
    expect((await login({ identifier: "lock-user", secret: "wrong-password-2" })).status).toBe(401)
    const blocked = await login({ identifier: "lock-user", secret: PASSWORD })
    expect(blocked).toEqual({ status: 429, json: { error: "too many failed login attempts" }, retryAfter: "900" })
    expect((await attempts("lock-user")).map((a) => a.success)).toEqual([true, false, false, true, false, false])

    // the window is 900 s: failures 880 s old still count (and this blocked attempt is one more)
    const age = (secs: number) =>
      sql(
        `UPDATE auth_login_attempts SET created_at = now() - make_interval(secs => $1)
         WHERE identifier = 'lock-user' AND NOT success AND created_at < (SELECT max(created_at)
           FROM auth_login_attempts WHERE identifier = 'lock-user' AND NOT success)`,
        [secs],
      )
    await age(880)
    expect((await login({ identifier: "lock-user", secret: PASSWORD })).status).toBe(429)
    // 901 s old: only the last blocked attempt is left in the window
    await age(901)
    expect((await login({ identifier: "lock-user", secret: PASSWORD })).status).toBe(200)
  })

  it("keeps the count of each tenant selector apart (no selector matches no selector only)", async () => {
    const tenant = await createTenant("lock-tenant")
    const user = await createEntity("scoped-user")
    await addPassword(user, null, await hash(PASSWORD))
    for (let i = 0; i < 3; i++) {
      const res = await login({ identifier: "scoped-user", secret: PASSWORD, tenant_alias: "lock-tenant" })
      expect(res.json).toEqual({ error: "invalid credentials" })
    }
    expect((await login({ identifier: "scoped-user", secret: PASSWORD, tenant_id: tenant })).status).toBe(429)
    expect((await login({ identifier: "scoped-user", secret: PASSWORD })).status).toBe(200)
    expect(await attempts("scoped-user")).toEqual([
      ...Array.from({ length: 4 }, () => ({ success: false, tenantId: tenant })),
      { success: true, tenantId: null },
    ])
  })
})

describe("a successful login's writes", () => {
  it("records the attempt, touches the credential and opens the session it answers with", async () => {
    const user = await createEntity("writes-user")
    const credential = await addPassword(user, null, await hash(PASSWORD))
    const res = await login({ identifier: "writes-user", secret: PASSWORD })
    expect(res.status).toBe(200)
    const [session] = await sql<{ entityId: string; expiresAt: Date; revokedAt: Date | null }>(
      "SELECT entity_id, expires_at, revoked_at FROM sessions WHERE id = $1",
      [res.json.session_id],
    )
    expect(session).toEqual({ entityId: user, expiresAt: new Date(res.json.expires_at), revokedAt: null })
    const [used] = await sql<{ lastUsedAt: Date | null }>("SELECT last_used_at FROM credentials WHERE id = $1", [
      credential,
    ])
    expect(used?.lastUsedAt).toBeInstanceOf(Date)
    expect(await attempts("writes-user")).toEqual([{ success: true, tenantId: null }])
  })

  it("stamps last_used_at when it is null or older than 5 minutes, not on every login", async () => {
    const user = await createEntity("stamp-user")
    const credential = await addPassword(user, null, await hash(PASSWORD))
    const lastUsed = async () =>
      (await sql<{ lastUsedAt: Date | null }>("SELECT last_used_at FROM credentials WHERE id = $1", [credential]))[0]
        ?.lastUsedAt
    const recent = new Date(Date.now() - 60_000)
    await sql("UPDATE credentials SET last_used_at = $2 WHERE id = $1", [credential, recent])
    expect((await login({ identifier: "stamp-user", secret: PASSWORD })).status).toBe(200)
    expect(await lastUsed()).toEqual(recent)
    const stale = new Date(Date.now() - 10 * 60_000)
    await sql("UPDATE credentials SET last_used_at = $2 WHERE id = $1", [credential, stale])
    expect((await login({ identifier: "stamp-user", secret: PASSWORD })).status).toBe(200)
    expect((await lastUsed())?.getTime()).toBeGreaterThan(recent.getTime())
  })

  it("rehashes a password stored under other parameters", async () => {
    const user = await createEntity("rehash-user")
    const weak = await Effect.runPromise(
      Effect.scoped(Effect.flatMap(scopedNodeRs(TEST_ARGON2ID, 1), (h) => h.hash(Redacted.make(PASSWORD)))),
    )
    const credential = await addPassword(user, null, weak)
    expect((await login({ identifier: "rehash-user", secret: PASSWORD })).status).toBe(200)
    const [row] = await sql<{ secretHash: string }>("SELECT secret_hash FROM credentials WHERE id = $1", [credential])
    expect(row?.secretHash).not.toBe(weak)
    expect(await withHasher((h) => Effect.succeed(h.needsRehash(row?.secretHash ?? "")))).toBe(false)
    expect((await login({ identifier: "rehash-user", secret: PASSWORD })).status).toBe(200)
  })
})

describe("resolution and the one ranked password", () => {
  it("prefers an email match to a name, and verifies only the ranked password", async () => {
    const named = await createEntity("rank@example.test")
    await addPassword(named, null, await hash("name-password-123"))
    const mailed = await createEntity("rank-user")
    await sql("INSERT INTO entity_emails (entity_id, email, verified_at) VALUES ($1, 'rank@example.test', now())", [
      mailed,
    ])
    await addPassword(mailed, "rank@example.test", await hash("email-password-123"))
    // newer, but ranked after the hinted one when the identifier is the email
    await addPassword(mailed, null, await hash("plain-password-123"), "now() + interval '1 second'")

    const byEmail = await login({ identifier: "Rank@Example.test", secret: "email-password-123" })
    expect(byEmail.status).toBe(200)
    expect(byEmail.json).toMatchObject({ entity_id: mailed, email_verified: true })
    expect(byEmail.json.verification_required).toBeUndefined()
    // the email step won, so the name's password is not even a candidate
    expect((await login({ identifier: "rank@example.test", secret: "name-password-123" })).status).toBe(401)
    // by name there is no hint: the null-identifier password is the one, the email's is not tried
    expect((await login({ identifier: "rank-user", secret: "plain-password-123" })).status).toBe(200)
    expect((await login({ identifier: "rank-user", secret: "email-password-123" })).json).toEqual({
      error: "invalid credentials",
    })
  })

  it("answers ambiguous names without a tenant, and resolves them with one", async () => {
    const one = await createTenant("amb-one")
    const two = await createTenant("amb-two")
    const first = await createEntity("twin", one)
    await addPassword(first, null, await hash(PASSWORD))
    await addPassword(await createEntity("twin", two), null, await hash(PASSWORD))
    expect((await login({ identifier: "twin", secret: PASSWORD })).json).toEqual({
      error: "tenant_id or tenant_alias required for this identifier",
    })
    const scoped = await login({ identifier: "twin", secret: PASSWORD, tenant_alias: "AMB-ONE" })
    expect(scoped.status).toBe(200)
    expect(scoped.json.entity_id).toBe(first)
  })

  it("refuses an unverified email, and leaves email_verified out for an entity without one", async () => {
    const user = await createEntity("unverified-user")
    await sql("INSERT INTO entity_emails (entity_id, email) VALUES ($1, 'unverified-user@example.test')", [user])
    await addPassword(user, null, await hash(PASSWORD))
    expect((await login({ identifier: "unverified-user", secret: PASSWORD })).json).toEqual({
      error: "email verification required",
    })
    const plain = await createEntity("no-email-user")
    await addPassword(plain, null, await hash(PASSWORD))
    const res = await login({ identifier: "no-email-user", secret: PASSWORD })
    expect(res.status).toBe(200)
    expect("email_verified" in res.json).toBe(false)
  })
})
