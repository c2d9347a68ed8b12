import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { AuditQueue } from "@atom/services/audit"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminToken, gql, loginToken } from "./support/adminToken.js"
import { mailBody, mailHeader, type SmtpSink, startSmtpSink } from "./support/smtpSink.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

// Self-service flows (identity-certs §1.6) end to end over REST and GraphQL, with mail read from the
// outbox table (no SMTP) or taken off the wire by a test SMTP server.

const BASE = "https://atom.example.test"
const UI = "https://ui.example.test"
const PASSWORD = "a-long-enough-password-1"
const NEW_PASSWORD = "another-long-password-2"
const OIDC = JSON.stringify([
  { name: "acme", issuer: "https://idp.example.test", client_id: "atom", client_secret: "s3cret-client" },
])
const VERIFY_TOKEN = /token=(atomv_[0-9a-f]{32}_[0-9a-f]{64})/
const RESET_TOKEN = /token=(atomr_[0-9a-f]{32}_[0-9a-f]{64})/
const AUTHENTICATED_USERS = "00000000-0000-0000-0000-000000000005"

let t: TestAtom
let admin: string

beforeAll(async () => {
  t = await startTestAtom({
    ATOM_PUBLIC_BASE_URL: BASE,
    ATOM_CORS_ALLOWED_ORIGINS: `${BASE},${UI}`,
    ATOM_OIDC_PROVIDERS: OIDC,
  })
  admin = await adminToken(t)
})
afterAll(async () => {
  await t?.close()
})

interface Answer {
  readonly status: number
  readonly text: string
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: JSON off the wire, asserted field by field
  readonly json: any
}

const answer = async (res: Response): Promise<Answer> => {
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, text, headers: res.headers, json }
}

const post = async (on: TestAtom, path: string, body: unknown, contentType = "application/json") =>
  answer(
    await fetch(`${on.baseUrl}${path}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  )

const get = async (on: TestAtom, path: string, token?: string) =>
  answer(await fetch(`${on.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }))

const sql = <A extends object = Record<string, unknown>>(
  on: TestAtom,
  text: string,
  params: ReadonlyArray<unknown> = [],
) => on.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)))

interface OutboxRow {
  template: string
  recipient: string
  subject: string
  body: string
  status: string
  lastError: string | null
}

const outbox = (on: TestAtom, recipient: string) =>
  sql<OutboxRow>(
    on,
    `SELECT template, recipient, subject, body, status, last_error FROM mail_outbox
     WHERE recipient = $1 ORDER BY created_at, id`,
    [recipient],
  )

/** Waits for the nth mail to a recipient (resend and reset requests mail after answering). */
const nthMail = async (on: TestAtom, recipient: string, n: number): Promise<OutboxRow> => {
  for (let i = 0; i < 100; i++) {
    const rows = await outbox(on, recipient)
    const row = rows[n - 1]
    if (row !== undefined) return row
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no mail #${n} to ${recipient}`)
}

const tokenIn = (body: string, pattern: RegExp): string => {
  const token = pattern.exec(body)?.[1]
  if (token === undefined) throw new Error(`no token in mail: ${body}`)
  return token
}

/** Flips the last hex digit of a token's secret: right shape and id, wrong secret. */
const forge = (token: string): string => token.slice(0, -1) + (token.endsWith("0") ? "1" : "0")

const flushAudit = (on: TestAtom) => on.atom.runtime.runPromise(Effect.flatMap(AuditQueue, (q) => q.flush()))

const login = (on: TestAtom, identifier: string, secret: string) => post(on, "/auth/login", { identifier, secret })

let seq = 0
/** A unique address and name per call. */
const fresh = (label: string) => {
  seq++
  return { name: `${label}-${seq}-${Date.now()}`, email: `${label}.${seq}.${Date.now()}@example.test` }
}

/** Signs up and returns the answer's entity id and the verification token mailed for it. */
const signUp = async (on: TestAtom, label: string) => {
  const who = fresh(label)
  const res = await post(on, "/auth/signup", { ...who, password: PASSWORD })
  expect(res.status, res.text).toBe(202)
  const [mail] = await outbox(on, who.email)
  return { ...who, id: String(res.json.entity_id), token: tokenIn(String(mail?.body), VERIFY_TOKEN) }
}

/** A signed-up, verified user. */
const verifiedUser = async (on: TestAtom, label: string) => {
  const user = await signUp(on, label)
  expect((await get(on, `/auth/email/verify?token=${user.token}`)).status).toBe(200)
  return user
}

describe("GET /auth/public-config", () => {
  it("tells a login page that signup is open, which providers exist, and that email is verified", async () => {
    const res = await get(t, "/auth/public-config")
    expect(res.status).toBe(200)
    expect(res.json).toEqual({
      signup_enabled: true,
      self_registration_enabled: true,
      oauth_providers: ["acme"],
      email_verification_required: true,
      dev_allow_unverified_email_login: false,
    })
  })
})

describe("POST /auth/signup", () => {
  it("creates a global human, its unverified address, an email password and a hashed token in one go", async () => {
    const who = fresh("signup")
    const res = await post(t, "/auth/signup", {
      name: `  ${who.name}  `,
      email: `  ${who.email.toUpperCase()} `,
      password: PASSWORD,
      attributes: { team: "blue" },
    })
    expect(res.status, res.text).toBe(202)
    expect(res.json).toEqual({ entity_id: expect.any(String), email: who.email, verification_required: true })
    const id = res.json.entity_id

    const [entity] = await sql(t, "SELECT kind, name, tenant_id, status, attributes FROM entities WHERE id = $1", [id])
    expect(entity).toEqual({
      kind: "human",
      name: who.name,
      tenantId: null,
      status: "active",
      attributes: { team: "blue" },
    })
    expect(await sql(t, "SELECT 1 FROM tenant_memberships WHERE entity_id = $1", [id])).toHaveLength(0)
    expect(
      await sql(t, "SELECT 1 FROM principal_group_members WHERE group_id = $1 AND entity_id = $2", [
        AUTHENTICATED_USERS,
        id,
      ]),
    ).toHaveLength(1)
    expect(await sql(t, "SELECT email, verified_at FROM entity_emails WHERE entity_id = $1", [id])).toEqual([
      { email: who.email, verifiedAt: null },
    ])
    const credentials = await sql<{ kind: string; identifier: string; secretHash: string }>(
      t,
      "SELECT kind, identifier, secret_hash FROM credentials WHERE entity_id = $1",
      [id],
    )
    expect(credentials).toHaveLength(1)
    expect(credentials[0]?.kind).toBe("password")
    expect(credentials[0]?.identifier).toBe(who.email)
    expect(credentials[0]?.secretHash).toMatch(/^\$argon2id\$/)

    // the mail carries the token; the table holds only its verifier
    const mails = await outbox(t, who.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]?.template).toBe("verification")
    expect(mails[0]?.status).toBe("pending")
    expect(mails[0]?.subject).toBe("Verify your Atom account")
    expect(mails[0]?.body).toContain(`${BASE}/auth/email/verify?token=atomv_`)
    const token = tokenIn(String(mails[0]?.body), VERIFY_TOKEN)
    const [stored] = await sql<{ secretHash: string; expiresAt: Date; consumedAt: Date | null }>(
      t,
      "SELECT secret_hash, expires_at, consumed_at FROM email_verification_tokens WHERE entity_id = $1",
      [id],
    )
    expect(stored?.secretHash).toMatch(/^[0-9a-f]{64}$/)
    expect(token).not.toContain(String(stored?.secretHash))
    expect(stored?.consumedAt).toBeNull()
    // ATOM_EMAIL_VERIFICATION_EXPIRY_SECS defaults to a day
    expect(Math.abs(new Date(String(stored?.expiresAt)).getTime() - (Date.now() + 86_400_000))).toBeLessThan(60_000)

    await flushAudit(t)
    const audits = await sql<{ outcome: string; actorId: string; details: Record<string, unknown> }>(
      t,
      "SELECT outcome, actor_id, details FROM audit_logs WHERE event = 'auth.signup' AND target_id = $1",
      [id],
    )
    expect(audits).toEqual([{ outcome: "allow", actorId: id, details: { name: who.name, email: who.email } }])
  })

  it("refuses bad input with the contract's 400s and writes nothing", async () => {
    const who = fresh("bad")
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: "   ", email: who.email, password: PASSWORD }, "name is required"],
      [{ name: who.name, email: who.email, password: "" }, "password is required"],
      [{ name: who.name, email: who.email, password: "short-pw" }, "password must be at least 12 characters"],
      [{ name: who.name, email: who.email, password: " ".repeat(14) }, "password cannot be blank"],
      [{ name: who.name, email: "no-at-sign.example.test", password: PASSWORD }, "email is required"],
      [{ name: who.name, email: "someone@localhost", password: PASSWORD }, "invalid email"],
      [{ name: who.name, email: "@example.test", password: PASSWORD }, "invalid email"],
    ]
    for (const [body, message] of cases) {
      const res = await post(t, "/auth/signup", body)
      expect(res.status, message).toBe(400)
      expect(res.json).toEqual({ error: message })
    }
    // the framework's refusals: unknown field, missing field, not JSON
    expect((await post(t, "/auth/signup", { ...who, password: PASSWORD, role: "admin" })).status).toBe(422)
    expect((await post(t, "/auth/signup", { name: who.name, password: PASSWORD })).status).toBe(422)
    expect((await post(t, "/auth/signup", "{", "application/json")).status).toBe(400)
    expect((await post(t, "/auth/signup", { ...who, password: PASSWORD }, "text/plain")).status).toBe(415)

    expect(await sql(t, "SELECT 1 FROM entities WHERE name = $1", [who.name])).toHaveLength(0)
    expect(await outbox(t, who.email)).toHaveLength(0)
    await flushAudit(t)
    const denied = await sql<{ details: Record<string, unknown> }>(
      t,
      "SELECT details FROM audit_logs WHERE event = 'auth.signup' AND outcome = 'deny' AND details->>'name' = $1",
      [who.name],
    )
    expect(denied.map((d) => d.details.reason)).toContain("password must be at least 12 characters")
    expect(JSON.stringify(denied)).not.toContain("short-pw")
  })

  it("answers 409 for a taken address or global name, leaving the first account alone", async () => {
    const first = await signUp(t, "dup")
    const again = await post(t, "/auth/signup", {
      name: `${first.name}-other`,
      email: first.email.toUpperCase(),
      password: PASSWORD,
    })
    expect(again.status).toBe(409)
    expect(again.json).toEqual({ error: "already exists" })
    const sameName = await post(t, "/auth/signup", { name: first.name, email: `x${first.email}`, password: PASSWORD })
    expect(sameName.status).toBe(409)
    expect(sameName.json).toEqual({ error: "already exists" })
    // nothing half-made: no second entity, no mail to the second address
    expect(await sql(t, "SELECT 1 FROM entities WHERE name = $1", [`${first.name}-other`])).toHaveLength(0)
    expect(await outbox(t, `x${first.email}`)).toHaveLength(0)
    expect(await outbox(t, first.email)).toHaveLength(1)
  })

  it("is served by the GraphQL signup mutation too, without authentication", async () => {
    const who = fresh("gql")
    const mutation = `mutation($input: SignupInput!) { signup(input: $input) { entityId email verificationRequired } }`
    const ok = await gql<{ signup: { entityId: string; email: string; verificationRequired: boolean } }>(
      t,
      undefined,
      mutation,
      { input: { name: who.name, email: who.email, password: PASSWORD } },
    )
    expect(ok.errors).toBeUndefined()
    expect(ok.data?.signup).toEqual({ entityId: expect.any(String), email: who.email, verificationRequired: true })
    expect(await outbox(t, who.email)).toHaveLength(1)

    const weak = await gql(t, undefined, mutation, {
      input: { name: `${who.name}-2`, email: "w@x.test", password: "x" },
    })
    expect(weak.data).toBeNull()
    expect(weak.errors?.[0]?.message).toBe("password must be at least 12 characters")
    const notObject = await gql(t, undefined, mutation, {
      input: { name: `${who.name}-3`, email: "o@x.test", password: PASSWORD, attributes: [1] },
    })
    expect(notObject.errors?.[0]?.message).toContain("attributes must be a JSON object")
  })
})

describe("email verification", () => {
  it("blocks password login until the address is verified, then verifies once", async () => {
    const user = await signUp(t, "verify")
    const before = await login(t, user.email, PASSWORD)
    expect(before.status).toBe(401)
    expect(before.json).toEqual({ error: "email verification required" })

    const verified = await get(t, `/auth/email/verify?token=${user.token}`)
    expect(verified.status).toBe(200)
    expect(verified.json).toEqual({ verified: true })
    const [email] = await sql<{ verifiedAt: Date | null }>(
      t,
      "SELECT verified_at FROM entity_emails WHERE entity_id = $1",
      [user.id],
    )
    expect(email?.verifiedAt).not.toBeNull()

    const after = await login(t, user.email, PASSWORD)
    expect(after.status).toBe(200)
    expect(after.json.email_verified).toBe(true)
    expect(after.json.verification_required).toBeUndefined()

    const reused = await get(t, `/auth/email/verify?token=${user.token}`)
    expect(reused.status).toBe(400)
    expect(reused.json).toEqual({ error: "verification token expired" })

    await flushAudit(t)
    expect(
      await sql(t, "SELECT 1 FROM audit_logs WHERE event = 'auth.email_verify' AND target_id = $1", [user.id]),
    ).toHaveLength(1)
  })

  it("refuses forged, unknown, malformed, expired and missing tokens", async () => {
    const user = await signUp(t, "forged")
    const forged = await get(t, `/auth/email/verify?token=${forge(user.token)}`)
    expect(forged.status).toBe(400)
    expect(forged.json).toEqual({ error: "invalid verification token" })
    // the forged attempt did not spend the real token
    const unknown = `atomv_${"ab".repeat(16)}_${"cd".repeat(32)}`
    for (const token of ["bogus", unknown, user.token.replace("atomv_", "atomr_"), `${user.token}0`]) {
      const res = await get(t, `/auth/email/verify?token=${token}`)
      expect(res.status, token).toBe(400)
      expect(res.json).toEqual({ error: "invalid verification token" })
    }
    const missing = await get(t, "/auth/email/verify")
    expect(missing.status).toBe(400)

    await sql(t, "UPDATE email_verification_tokens SET expires_at = now() - interval '1 second' WHERE entity_id = $1", [
      user.id,
    ])
    const expired = await get(t, `/auth/email/verify?token=${user.token}`)
    expect(expired.status).toBe(400)
    expect(expired.json).toEqual({ error: "verification token expired" })
    // a forged secret never learns that the token expired
    expect((await get(t, `/auth/email/verify?token=${forge(user.token)}`)).json).toEqual({
      error: "invalid verification token",
    })
  })

  it("refuses the token of an entity that is no longer active", async () => {
    const user = await signUp(t, "disabled")
    const off = await gql(t, admin, `mutation($id: ID!) { disableEntity(id: $id) { id status } }`, { id: user.id })
    expect(off.errors).toBeUndefined()
    const res = await get(t, `/auth/email/verify?token=${user.token}`)
    expect(res.status).toBe(400)
    expect(res.json).toEqual({ error: "invalid verification token" })
    const [token] = await sql<{ consumedAt: Date | null }>(
      t,
      "SELECT consumed_at FROM email_verification_tokens WHERE entity_id = $1",
      [user.id],
    )
    expect(token?.consumedAt).toBeNull()
  })

  it("resend answers 202 alike for known and unknown addresses and mails only an unverified one", async () => {
    const user = await signUp(t, "resend")
    const nobody = fresh("nobody").email
    const known = await post(t, "/auth/email/resend", { email: user.email.toUpperCase() })
    const unknown = await post(t, "/auth/email/resend", { email: nobody })
    expect([known.status, known.text]).toEqual([202, ""])
    expect([unknown.status, unknown.text]).toEqual([202, ""])

    const second = await nthMail(t, user.email, 2)
    const newer = tokenIn(second.body, VERIFY_TOKEN)
    expect(newer).not.toBe(user.token)
    expect(await outbox(t, nobody)).toHaveLength(0)
    // earlier tokens stay valid
    expect((await get(t, `/auth/email/verify?token=${user.token}`)).status).toBe(200)

    // verified now: a resend mails nothing more
    expect((await post(t, "/auth/email/resend", { email: user.email })).status).toBe(202)
    await new Promise((r) => setTimeout(r, 300))
    expect(await outbox(t, user.email)).toHaveLength(2)

    const malformed = await post(t, "/auth/email/resend", { email: "not-an-address" })
    expect(malformed.status).toBe(400)
    expect(malformed.json).toEqual({ error: "email is required" })
  })
})

describe("password reset", () => {
  const requestReset = (email: string, redirect_url?: string) =>
    post(t, "/auth/password/reset/request", redirect_url === undefined ? { email } : { email, redirect_url })
  const reset = (body: Record<string, unknown>) => post(t, "/auth/password/reset", body)

  it("answers 202 alike whether or not the address exists, and mails a configured link", async () => {
    const user = await verifiedUser(t, "reset-req")
    const nobody = fresh("ghost").email
    const known = await requestReset(user.email)
    const unknown = await requestReset(nobody)
    expect([known.status, known.text]).toEqual([202, ""])
    expect([unknown.status, unknown.text]).toEqual([202, ""])
    const mail = await nthMail(t, user.email, 2)
    expect(mail.template).toBe("password_reset")
    expect(mail.body).toContain(`${BASE}/reset-password?token=atomr_`)
    expect(await outbox(t, nobody)).toHaveLength(0)

    // a redirect on an origin the requester picks is not used; one on a trusted origin is
    await requestReset(user.email, "https://evil.example/steal")
    const third = await nthMail(t, user.email, 3)
    expect(third.body).toContain(`${BASE}/reset-password?token=atomr_`)
    expect(third.body).not.toContain("evil.example")
    await requestReset(user.email, `${UI}/account/reset?lang=en`)
    const fourth = await nthMail(t, user.email, 4)
    expect(fourth.body).toContain(`${UI}/account/reset?lang=en&token=atomr_`)

    const [stored] = await sql<{ secretHash: string; expiresAt: Date }>(
      t,
      "SELECT secret_hash, expires_at FROM password_reset_tokens WHERE entity_id = $1 ORDER BY created_at LIMIT 1",
      [user.id],
    )
    expect(stored?.secretHash).toMatch(/^[0-9a-f]{64}$/)
    expect(Math.abs(new Date(String(stored?.expiresAt)).getTime() - (Date.now() + 1_800_000))).toBeLessThan(60_000)

    expect((await requestReset("nope")).json).toEqual({ error: "email is required" })
  })

  it("replaces every password, ends every session, keeps access tokens, and spends the token once", async () => {
    const user = await verifiedUser(t, "reset")
    const session = await loginToken(t, user.email, PASSWORD)
    const minted = await gql<{ createAccessToken: { token: string } }>(
      t,
      session,
      `mutation { createAccessToken(input: {name: "k", scoped: false, permissions: []}) { token } }`,
    )
    expect(minted.errors).toBeUndefined()
    const apiKey = String(minted.data?.createAccessToken.token)
    // a second password (null identifier) is revoked too
    const extra = await gql(
      t,
      session,
      `mutation($e: ID!, $p: String!) { createPassword(entityId: $e, password: $p) }`,
      {
        e: user.id,
        p: "third-long-password-33",
      },
    )
    expect(extra.errors).toBeUndefined()

    await requestReset(user.email)
    const token = tokenIn((await nthMail(t, user.email, 2)).body, RESET_TOKEN)

    // the contract's order: confirmation, strength, then the token
    expect(
      (await reset({ token: "bogus", password: NEW_PASSWORD, confirm_password: "different-pass-9" })).json,
    ).toEqual({
      error: "password confirmation does not match",
    })
    expect((await reset({ token: "bogus", password: "short" })).json).toEqual({
      error: "password must be at least 12 characters",
    })
    for (const bad of ["bogus", forge(token), `atomr_${"12".repeat(16)}_${"34".repeat(32)}`]) {
      const res = await reset({ token: bad, password: NEW_PASSWORD })
      expect(res.status).toBe(400)
      expect(res.json).toEqual({ error: "invalid password reset token" })
    }
    expect((await reset({ token, password: NEW_PASSWORD, extra: 1 })).status).toBe(422)

    const done = await reset({ token, password: NEW_PASSWORD, confirm_password: NEW_PASSWORD })
    expect(done.status, done.text).toBe(204)
    expect(done.text).toBe("")

    expect((await login(t, user.email, PASSWORD)).json).toEqual({ error: "invalid credentials" })
    expect((await login(t, user.name, "third-long-password-33")).json).toEqual({ error: "invalid credentials" })
    expect((await login(t, user.email, NEW_PASSWORD)).status).toBe(200)
    const old = await get(t, "/auth/session", session)
    expect(old.status).toBe(401)
    expect(old.json).toEqual({ error: "session revoked" })
    expect((await get(t, "/auth/introspect", apiKey)).status).toBe(200)

    const passwords = await sql<{ identifier: string | null; status: string; revocationReason: string | null }>(
      t,
      "SELECT identifier, status, revocation_reason FROM credentials WHERE entity_id = $1 AND kind = 'password' ORDER BY created_at",
      [user.id],
    )
    expect(passwords).toEqual([
      { identifier: user.email, status: "revoked", revocationReason: "password_reset" },
      { identifier: null, status: "revoked", revocationReason: "password_reset" },
      { identifier: user.email, status: "active", revocationReason: null },
    ])

    const reused = await reset({ token, password: "yet-another-password-4" })
    expect(reused.status).toBe(400)
    expect(reused.json).toEqual({ error: "password reset token expired" })

    await flushAudit(t)
    const audits = await sql<{ details: Record<string, unknown> }>(
      t,
      "SELECT details FROM audit_logs WHERE event = 'auth.password_reset' AND target_id = $1",
      [user.id],
    )
    expect(audits).toHaveLength(1)
    expect(JSON.stringify(audits)).not.toContain(NEW_PASSWORD)
  })

  it("refuses an expired token, and an inactive entity's token without spending it", async () => {
    const user = await verifiedUser(t, "reset-exp")
    await requestReset(user.email)
    const token = tokenIn((await nthMail(t, user.email, 2)).body, RESET_TOKEN)
    await sql(t, "UPDATE password_reset_tokens SET expires_at = now() - interval '1 second' WHERE entity_id = $1", [
      user.id,
    ])
    expect((await reset({ token, password: NEW_PASSWORD })).json).toEqual({ error: "password reset token expired" })

    const other = await verifiedUser(t, "reset-off")
    await requestReset(other.email)
    const otherToken = tokenIn((await nthMail(t, other.email, 2)).body, RESET_TOKEN)
    const off = await gql(t, admin, `mutation($id: ID!) { disableEntity(id: $id) { id } }`, { id: other.id })
    expect(off.errors).toBeUndefined()
    const refused = await reset({ token: otherToken, password: NEW_PASSWORD })
    expect(refused.status).toBe(400)
    expect(refused.json).toEqual({ error: "invalid password reset token" })
    const [row] = await sql<{ consumedAt: Date | null }>(
      t,
      "SELECT consumed_at FROM password_reset_tokens WHERE entity_id = $1",
      [other.id],
    )
    expect(row?.consumedAt).toBeNull()
    expect(
      await sql(t, "SELECT 1 FROM credentials WHERE entity_id = $1 AND kind = 'password' AND status = 'active'", [
        other.id,
      ]),
    ).toHaveLength(1)
    // and an inactive account gets no reset mail at all
    await requestReset(other.email)
    await new Promise((r) => setTimeout(r, 300))
    expect(await outbox(t, other.email)).toHaveLength(2)
  })
})

describe("tenant invitations", () => {
  it("mail the invitation link through the Mailer", async () => {
    const created = await gql<{ createTenant: { id: string } }>(
      t,
      admin,
      `mutation { createTenant(input: {name: "mailed-${Date.now()}"}) { id } }`,
    )
    expect(created.errors).toBeUndefined()
    const invitee = fresh("invitee").email
    const invited = await gql(
      t,
      admin,
      `mutation($t: ID!, $e: String!) { createTenantInvitation(tenantId: $t, input: {inviteeEmail: $e}) { id } }`,
      { t: created.data?.createTenant.id, e: invitee },
    )
    expect(invited.errors).toBeUndefined()
    const [mail] = await outbox(t, invitee)
    expect(mail?.template).toBe("invitation")
    expect(mail?.subject).toMatch(/^You have been invited to join mailed-/)
    expect(mail?.body).toMatch(new RegExp(`${BASE}/invitations/accept\\?token=atomi_[0-9a-f]{32}_[0-9a-f]{64}`))
  })
})

describe("with self-registration off and rate limits on", () => {
  let closed: TestAtom
  beforeAll(async () => {
    closed = await startTestAtom({
      ATOM_SELF_REGISTRATION_ENABLED: "false",
      ATOM_ALLOW_UNVERIFIED_EMAIL_LOGIN: "true",
      ATOM_OIDC_PROVIDERS: OIDC,
      ATOM_RATE_LIMIT_ENABLED: "true",
      ATOM_HTTP_RATE_LIMIT_AUTH_ROUTES: "5",
    })
  })
  afterAll(async () => {
    await closed?.close()
  })

  it("refuses signup on both transports, says so in public-config, and limits the auth routes", async () => {
    const config = await get(closed, "/auth/public-config")
    expect(config.json).toEqual({
      signup_enabled: false,
      self_registration_enabled: false,
      oauth_providers: [],
      email_verification_required: true,
      dev_allow_unverified_email_login: true,
    })
    const who = fresh("closed")
    const rest = await post(closed, "/auth/signup", { ...who, password: PASSWORD })
    expect(rest.status).toBe(403)
    expect(rest.json).toEqual({ error: "forbidden" })
    const graphql = await gql(
      closed,
      undefined,
      `mutation($input: SignupInput!) { signup(input: $input) { entityId } }`,
      { input: { ...who, password: PASSWORD } },
    )
    expect(graphql.errors?.[0]?.message).toBe("sign up is not enabled")
    expect(await sql(closed, "SELECT 1 FROM entities WHERE name = $1", [who.name])).toHaveLength(0)
    await flushAudit(closed)
    const denied = await sql<{ details: Record<string, unknown> }>(
      closed,
      "SELECT details FROM audit_logs WHERE event = 'auth.signup' AND outcome = 'deny' AND details->>'name' = $1",
      [who.name],
    )
    expect(denied.map((d) => d.details.reason)).toEqual(["forbidden", "forbidden"])

    // auth_routes: 5 per window from one address, counted across the self-service routes
    expect((await post(closed, "/auth/email/resend", { email: who.email })).status).toBe(202)
    expect((await post(closed, "/auth/password/reset/request", { email: who.email })).status).toBe(202)
    expect((await get(closed, "/auth/email/verify?token=bogus")).status).toBe(400)
    const limited = await post(closed, "/auth/password/reset", { token: "bogus", password: NEW_PASSWORD })
    expect(limited.status).toBe(429)
    expect(limited.json).toEqual({ error: "rate limit exceeded" })
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
  })
})

describe("over SMTP", () => {
  let smtp: SmtpSink
  let mailing: TestAtom
  beforeAll(async () => {
    smtp = await startSmtpSink()
    const templates = mkdtempSync(join(tmpdir(), "atom-templates-"))
    writeFileSync(
      join(templates, "verification.tmpl"),
      'Subject: Welcome aboard\nContent-Type: text/html\n\n<p><a href="{{ verification_url }}">Confirm</a></p>\n',
    )
    mailing = await startTestAtom({
      ATOM_PUBLIC_BASE_URL: BASE,
      ATOM_SMTP_HOST: "127.0.0.1",
      ATOM_SMTP_PORT: String(smtp.port),
      ATOM_SMTP_FROM: "atom@example.test",
      ATOM_SMTP_TLS: "none",
      ATOM_EMAIL_TEMPLATES_DIR: templates,
      ATOM_ALLOW_UNVERIFIED_EMAIL_LOGIN: "true",
    })
  })
  afterAll(async () => {
    await mailing?.close()
    await smtp?.close()
  })

  const received = async (to: string, n = 1) => {
    for (let i = 0; i < 100; i++) {
      const mails = smtp.messages.filter((m) => m.to.includes(to))
      const mail = mails[n - 1]
      if (mail !== undefined) return mail
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`no SMTP message #${n} to ${to}`)
  }

  /** The outbox rows of a recipient once the delivery worker has settled each (none left pending). */
  const settled = async (to: string) => {
    for (let i = 0; i < 200; i++) {
      const rows = await outbox(mailing, to)
      if (rows.length > 0 && rows.every((r) => r.status !== "pending")) return rows
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`mail to ${to} still pending`)
  }

  it("delivers the signup mail from an overriding template, and keeps only a redacted record", async () => {
    const who = fresh("smtp")
    const res = await post(mailing, "/auth/signup", { ...who, password: PASSWORD })
    expect(res.status, res.text).toBe(202)
    const mail = await received(who.email)
    expect(mail.from).toBe("atom@example.test")
    expect(mailHeader(mail, "Subject")).toBe("Welcome aboard")
    expect(mailHeader(mail, "Content-Type")).toMatch(/^text\/html/)
    const body = mailBody(mail)
    expect(body).toContain(`<a href="${BASE}/auth/email/verify?token=atomv_`)
    const token = tokenIn(body, VERIFY_TOKEN)
    // the development bypass lets an unverified address log in, and says it is unverified
    const early = await login(mailing, who.email, PASSWORD)
    expect(early.status).toBe(200)
    expect([early.json.email_verified, early.json.verification_required]).toEqual([false, true])
    expect((await get(mailing, `/auth/email/verify?token=${token}`)).json).toEqual({ verified: true })

    const [record] = await settled(who.email)
    expect(record?.status).toBe("sent")
    // the redaction takes the token only: the rest of the template stays readable
    expect(record?.body).toContain(`<a href="${BASE}/auth/email/verify?token=[redacted]">Confirm</a>`)
    expect(record?.body).not.toContain(token.slice(6))
  })

  it("delivers a password reset with the built-in template", async () => {
    // the outbox holds only redacted records here: tokens are read off the wire
    const who = fresh("smtp-reset")
    expect((await post(mailing, "/auth/signup", { ...who, password: PASSWORD })).status).toBe(202)
    const verifyToken = tokenIn(mailBody(await received(who.email)), VERIFY_TOKEN)
    expect((await get(mailing, `/auth/email/verify?token=${verifyToken}`)).status).toBe(200)
    expect((await post(mailing, "/auth/password/reset/request", { email: who.email })).status).toBe(202)
    const mail = await received(who.email, 2)
    expect(mailHeader(mail, "Subject")).toBe("Reset your Atom password")
    const token = tokenIn(mailBody(mail), RESET_TOKEN)
    expect((await post(mailing, "/auth/password/reset", { token, password: NEW_PASSWORD })).status).toBe(204)
    expect((await login(mailing, who.email, NEW_PASSWORD)).status).toBe(200)
  })

  it("keeps the signup when the SMTP server refuses the mail: delivery runs after the commit", async () => {
    const who = { name: `refused-${Date.now()}`, email: `reject.${Date.now()}@example.test` }
    const res = await post(mailing, "/auth/signup", { ...who, password: PASSWORD })
    expect(res.status, res.text).toBe(202)
    expect(await sql(mailing, "SELECT 1 FROM entities WHERE name = $1", [who.name])).toHaveLength(1)
    expect(await sql(mailing, "SELECT 1 FROM entity_emails WHERE email = $1", [who.email])).toHaveLength(1)
    // a 5xx refusal is final: one attempt, recorded as failed with the server's answer, the token gone
    const [record] = await settled(who.email)
    expect(record?.status).toBe("failed")
    expect(record?.lastError).toMatch(/550/)
    expect(record?.body).toContain("token=[redacted]")
    expect(record?.body).not.toMatch(/atomv_[0-9a-f]{32}_[0-9a-f]{64}/)
    const [attempts] = await sql<{ attempts: number }>(
      mailing,
      "SELECT attempts FROM mail_outbox WHERE recipient = $1",
      [who.email],
    )
    expect(attempts?.attempts).toBe(1)
    expect(smtp.messages.some((m) => m.to.includes(who.email))).toBe(false)
  })
})

describe("over SMTP, with the server unreachable", () => {
  let down: TestAtom
  beforeAll(async () => {
    // a port nothing listens on: every attempt fails to connect
    const closed = await startSmtpSink()
    const port = closed.port
    await closed.close()
    down = await startTestAtom({
      ATOM_SMTP_HOST: "127.0.0.1",
      ATOM_SMTP_PORT: String(port),
      ATOM_SMTP_FROM: "atom@example.test",
      ATOM_SMTP_TLS: "none",
    })
  })
  afterAll(async () => {
    await down?.close()
  })

  it("answers the signup at once, keeps the account, and leaves the mail pending for a later attempt", async () => {
    const who = fresh("smtp-down")
    const res = await post(down, "/auth/signup", { ...who, password: PASSWORD })
    expect(res.status, res.text).toBe(202)
    expect(await sql(down, "SELECT 1 FROM entity_emails WHERE email = $1", [who.email])).toHaveLength(1)
    type Attempt = { status: string; attempts: number; lastError: string | null; retryInSecs: number }
    let row: Attempt | undefined
    for (let i = 0; i < 200 && (row === undefined || row.lastError === null); i++) {
      const rows = await sql<Attempt>(
        down,
        `SELECT status, attempts, last_error, extract(epoch FROM next_attempt_at - now())::float8 AS retry_in_secs
         FROM mail_outbox WHERE recipient = $1`,
        [who.email],
      )
      row = rows[0]
      await new Promise((r) => setTimeout(r, 50))
    }
    // a connection failure is temporary: still pending, the attempt counted, the next one backed off
    expect(row?.status).toBe("pending")
    expect(row?.attempts).toBe(1)
    expect(row?.lastError).toMatch(/ECONNREFUSED/)
    expect(row?.retryInSecs).toBeGreaterThan(10)
  })
})

describe("mail templates", () => {
  it("stop startup when an override file is unusable, naming the file", async () => {
    const templates = mkdtempSync(join(tmpdir(), "atom-bad-templates-"))
    writeFileSync(join(templates, "password_reset.tmpl"), "Content-Type: text/html\n\n<p>{{ reset_url }}</p>\n")
    // on PGlite whatever the run's database: a failed start would leave a Postgres test database behind
    await expect(startTestAtom({ ATOM_EMAIL_TEMPLATES_DIR: templates }, { ownDatabase: true })).rejects.toThrow(
      /password_reset\.tmpl: email template must have a 'Subject: \.\.\.' header line/,
    )
  })
})
