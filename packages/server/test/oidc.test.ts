import { createHash, randomUUID } from "node:crypto"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { startOidcProvider, type TestOidcProvider } from "./support/oidcProvider.js"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

const PUBLIC_BASE = "http://atom.test"
const SUCCESS = "http://ui.test/signed-in"
const FAILURE = "http://ui.test/sign-in-failed?from=oidc"
const CODE_SHAPE = /^atomx_[0-9a-f]{32}_[0-9a-f]{64}$/
const STATE_SHAPE = /^atoms_[0-9a-f]{32}_[0-9a-f]{64}$/

let t: TestAtom
let idp: TestOidcProvider

const providersEnv = (p: TestOidcProvider) =>
  JSON.stringify([{ name: "mock", issuer: p.issuer, client_id: p.clientId, client_secret: p.clientSecret }])

beforeAll(async () => {
  idp = await startOidcProvider()
  t = await startTestAtom({
    ATOM_PUBLIC_BASE_URL: PUBLIC_BASE,
    ATOM_OIDC_PROVIDERS: providersEnv(idp),
    ATOM_OAUTH_SUCCESS_REDIRECT: SUCCESS,
    ATOM_OAUTH_ERROR_REDIRECT: FAILURE,
  })
})
afterAll(async () => {
  await t?.close()
  await idp?.close()
})
beforeEach(() => {
  idp.recipe = {}
})

const sql = <A extends object = Record<string, unknown>>(text: string, params: ReadonlyArray<unknown> = []) =>
  t.atom.runtime.runPromise(Effect.flatMap(SqlClient.SqlClient, (c) => c.unsafe<A>(text, params)))

const start = (provider = "mock", returnTo?: string) =>
  fetch(
    `${t.baseUrl}/auth/oauth/${provider}/start${returnTo === undefined ? "" : `?return_to=${encodeURIComponent(returnTo)}`}`,
    { redirect: "manual" },
  )

/** Start, then let the provider "sign in" and redirect back: the callback's query (code, state). */
const authorize = async (returnTo?: string): Promise<URLSearchParams> => {
  const started = await start("mock", returnTo)
  expect(started.status).toBe(307)
  const toProvider = started.headers.get("location") ?? ""
  expect(toProvider.startsWith(`${idp.issuer}/authorize?`)).toBe(true)
  const back = await fetch(toProvider, { redirect: "manual" })
  expect(back.status).toBe(302)
  const callback = new URL(back.headers.get("location") ?? "")
  expect(`${callback.origin}${callback.pathname}`).toBe(`${PUBLIC_BASE}/auth/oauth/mock/callback`)
  return callback.searchParams
}

/** Atom's callback with that query: always a 307; the target URL. */
const callback = async (query: URLSearchParams, provider = "mock"): Promise<URL> => {
  const res = await fetch(`${t.baseUrl}/auth/oauth/${provider}/callback?${query}`, { redirect: "manual" })
  expect(res.status).toBe(307)
  return new URL(res.headers.get("location") ?? "")
}

const exchange = (code: string) =>
  fetch(`${t.baseUrl}/auth/oauth/exchange`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code }),
  })

/** The error a failed callback reports, after checking it went to the error redirect. */
const failureOf = (target: URL) => {
  expect(`${target.origin}${target.pathname}`).toBe("http://ui.test/sign-in-failed")
  expect(target.searchParams.get("from")).toBe("oidc")
  expect(target.searchParams.get("code")).toBeNull()
  return target.searchParams.get("error")
}

/** A whole sign-in as `profile`: the exchange code. */
const signIn = async (profile: TestOidcProvider["profile"], returnTo?: string) => {
  idp.profile = profile
  const target = await callback(await authorize(returnTo))
  expect(`${target.origin}${target.pathname}`).toBe(SUCCESS)
  const code = target.searchParams.get("code") ?? ""
  expect(code).toMatch(CODE_SHAPE)
  return { code, target }
}

describe("GET /auth/oauth/:provider/start", () => {
  it("redirects to the provider with a hashed single-use state, a nonce and a PKCE S256 challenge", async () => {
    const res = await start("mock", "/dashboard?tab=1")
    expect(res.status).toBe(307)
    const url = new URL(res.headers.get("location") ?? "")
    expect(`${url.origin}${url.pathname}`).toBe(`${idp.issuer}/authorize`)
    const q = url.searchParams
    expect(q.get("response_type")).toBe("code")
    expect(q.get("client_id")).toBe(idp.clientId)
    expect(q.get("redirect_uri")).toBe(`${PUBLIC_BASE}/auth/oauth/mock/callback`)
    expect(q.get("scope")?.split(" ").sort()).toEqual(["email", "openid", "profile"])
    expect(q.get("code_challenge_method")).toBe("S256")
    expect(q.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(q.get("nonce")?.length).toBeGreaterThanOrEqual(32)
    const stateToken = q.get("state") ?? ""
    expect(stateToken).toMatch(STATE_SHAPE)

    // stored: the hash of the secret (never the token), the verifier behind the challenge, the return path
    const secret = stateToken.slice(39)
    const rows = await sql<{ secretHash: string; returnTo: string; provider: string; pkceVerifier: string }>(
      "SELECT secret_hash, return_to, provider, pkce_verifier FROM oauth_states WHERE nonce = $1",
      [q.get("nonce")],
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.secretHash).toMatch(/^[0-9a-f]{64}$/)
    expect(rows[0]?.secretHash).not.toBe(secret)
    expect(
      createHash("sha256")
        .update(rows[0]?.pkceVerifier ?? "")
        .digest("base64url"),
    ).toBe(q.get("code_challenge"))
    expect(rows[0]?.returnTo).toBe("/dashboard?tab=1")
    expect(rows[0]?.provider).toBe("mock")
  })

  it("removes states and exchange codes that expired over an hour ago as new ones are written", async () => {
    const [stale] = await sql<{ id: string }>(
      `INSERT INTO oauth_states (provider, secret_hash, pkce_verifier, nonce, expires_at)
       VALUES ('mock', 'x', 'v', 'n', now() - interval '2 hours') RETURNING id`,
    )
    const [recent] = await sql<{ id: string }>(
      `INSERT INTO oauth_states (provider, secret_hash, pkce_verifier, nonce, expires_at)
       VALUES ('mock', 'x', 'v', 'n', now() - interval '5 minutes') RETURNING id`,
    )
    const [code] = await sql<{ id: string }>(
      `INSERT INTO auth_exchange_codes (entity_id, secret_hash, expires_at)
       VALUES ('00000000-0000-0000-0000-000000000001', 'x', now() - interval '2 hours') RETURNING id`,
    )
    expect((await start()).status).toBe(307)
    expect(await sql("SELECT id FROM oauth_states WHERE id = ANY($1)", [[stale?.id, recent?.id]])).toEqual([
      { id: recent?.id },
    ])
    await signIn({ sub: `sub-${randomUUID()}`, email: `p-${randomUUID()}@example.com`, email_verified: true })
    expect(await sql("SELECT id FROM auth_exchange_codes WHERE id = $1", [code?.id])).toEqual([])
  })

  it("the configured providers are listed in /auth/public-config", async () => {
    const res = await fetch(`${t.baseUrl}/auth/public-config`)
    expect(res.status).toBe(200)
    expect((await res.json()).oauth_providers).toEqual(["mock"])
  })

  it("answers 404 for an unknown provider", async () => {
    const res = await start("nope")
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: "oauth provider not configured" })
  })

  it.each(["//evil.example/x", "https://evil.example/", "dashboard", "/\\evil.example", "/a://b"])(
    "refuses return_to %s (no open redirect)",
    async (returnTo) => {
      const before = await sql<{ n: string }>("SELECT count(*)::text AS n FROM oauth_states")
      const res = await start("mock", returnTo)
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual({ error: "return_to must be a same-origin path" })
      const after = await sql<{ n: string }>("SELECT count(*)::text AS n FROM oauth_states")
      expect(after[0]?.n).toBe(before[0]?.n)
    },
  )
})

describe("callback and exchange", () => {
  it("onboards a new human, hands out a one-time exchange code, and the code yields a working session", async () => {
    const subject = `sub-${randomUUID()}`
    const { code, target } = await signIn(
      { sub: subject, email: "New.Person@Example.com", email_verified: true },
      "/welcome",
    )
    expect(target.searchParams.get("return_to")).toBe("/welcome")

    // the exchange code is stored only as a hash
    const stored = await sql<{ secretHash: string }>("SELECT secret_hash FROM auth_exchange_codes")
    expect(stored.length).toBeGreaterThan(0)
    expect(stored.every((r) => /^[0-9a-f]{64}$/.test(r.secretHash) && r.secretHash !== code.slice(39))).toBe(true)

    const res = await exchange(code)
    expect(res.status).toBe(200)
    expect(res.headers.get("set-cookie")).toBeNull()
    const body = await res.json()
    expect(body.email_verified).toBe(true)
    expect(typeof body.token).toBe("string")
    expect(typeof body.session_id).toBe("string")
    expect(new Date(body.expires_at).getTime()).toBeGreaterThan(Date.now())

    const introspect = await fetch(`${t.baseUrl}/auth/introspect`, {
      headers: { authorization: `Bearer ${body.token}` },
    })
    expect(introspect.status).toBe(200)
    expect(await introspect.json()).toEqual({
      active: true,
      entity_id: body.entity_id,
      tenant_id: null,
      session_id: body.session_id,
    })

    const entity = await sql<{ kind: string; name: string; tenantId: string | null }>(
      "SELECT kind, name, tenant_id FROM entities WHERE id = $1",
      [body.entity_id],
    )
    expect(entity).toEqual([{ kind: "human", name: "new.person", tenantId: null }])
    const emails = await sql<{ email: string; verified: boolean }>(
      "SELECT email, verified_at IS NOT NULL AS verified FROM entity_emails WHERE entity_id = $1",
      [body.entity_id],
    )
    expect(emails).toEqual([{ email: "new.person@example.com", verified: true }])
    const links = await sql("SELECT provider, subject, email FROM oauth_identities WHERE entity_id = $1", [
      body.entity_id,
    ])
    expect(links).toEqual([{ provider: "mock", subject, email: "new.person@example.com" }])
    // OIDC-onboarded humans do not join authenticated-users
    const groups = await sql("SELECT group_id FROM principal_group_members WHERE entity_id = $1", [body.entity_id])
    expect(groups).toEqual([])
    const audit = await sql<{ event: string; details: Record<string, unknown> }>(
      "SELECT event, details FROM audit_logs WHERE target_id = $1 AND event = 'entity.create'",
      [body.entity_id],
    )
    expect(audit).toHaveLength(1)
    expect(audit[0]?.details).toMatchObject({ via: "oidc", provider: "mock" })

    // the same subject signs in again as the same entity
    const again = await exchange(
      (await signIn({ sub: subject, email: "new.person@example.com", email_verified: true })).code,
    )
    expect(again.status).toBe(200)
    expect((await again.json()).entity_id).toBe(body.entity_id)
  })

  it("links a new subject to the live owner of its verified email and marks the email verified", async () => {
    const id = randomUUID()
    await sql("INSERT INTO entities (id, kind, name) VALUES ($1, 'human', $2)", [id, `owner-${id}`])
    await sql("INSERT INTO entity_emails (entity_id, email) VALUES ($1, $2)", [id, `owner-${id}@example.com`])
    const { code } = await signIn({ sub: `sub-${id}`, email: `Owner-${id}@example.com`, email_verified: true })
    const res = await exchange(code)
    expect(res.status).toBe(200)
    expect((await res.json()).entity_id).toBe(id)
    const emails = await sql<{ verified: boolean }>(
      "SELECT verified_at IS NOT NULL AS verified FROM entity_emails WHERE entity_id = $1",
      [id],
    )
    expect(emails).toEqual([{ verified: true }])
    // the link is audited in its transaction: by and about the owner, naming the provider and nothing else
    const audit = await sql<{
      outcome: string
      actorId: string
      tenantId: string | null
      targetKind: string
      details: string
    }>(
      `SELECT outcome, actor_id, tenant_id, target_kind, details::text AS details FROM audit_logs
       WHERE event = 'auth.oauth_link' AND target_id = $1`,
      [id],
    )
    expect(audit.map((r) => ({ ...r, details: JSON.parse(r.details) }))).toEqual([
      { outcome: "allow", actorId: id, tenantId: null, targetKind: "entity", details: { provider: "mock" } },
    ])
  })

  it("signs in with an ES256 ID token too", async () => {
    idp.recipe = { signer: "ec" }
    const { code } = await signIn({
      sub: `sub-${randomUUID()}`,
      email: `ec-${randomUUID()}@example.com`,
      email_verified: true,
    })
    expect((await exchange(code)).status).toBe(200)
  })

  it("refuses a replayed exchange code, an unknown one and an expired one with 400 invalid exchange code", async () => {
    const { code } = await signIn({
      sub: `sub-${randomUUID()}`,
      email: `x-${randomUUID()}@example.com`,
      email_verified: true,
    })
    expect((await exchange(code)).status).toBe(200)
    const replay = await exchange(code)
    expect(replay.status).toBe(400)
    expect(await replay.json()).toEqual({ error: "invalid exchange code" })

    // right id, wrong secret
    const forged = `${code.slice(0, 39)}${"0".repeat(64)}`
    const forgedRes = await exchange(forged)
    expect(forgedRes.status).toBe(400)
    expect(await forgedRes.json()).toEqual({ error: "invalid exchange code" })
    const garbage = await exchange("atomx_nope")
    expect(garbage.status).toBe(400)
    expect(await garbage.json()).toEqual({ error: "invalid exchange code" })

    const fresh = await signIn({
      sub: `sub-${randomUUID()}`,
      email: `y-${randomUUID()}@example.com`,
      email_verified: true,
    })
    await sql("UPDATE auth_exchange_codes SET expires_at = now() - interval '1 second' WHERE consumed_at IS NULL")
    const expired = await exchange(fresh.code)
    expect(expired.status).toBe(400)
    expect(await expired.json()).toEqual({ error: "invalid exchange code" })
  })

  it("refuses a state that was never issued, or whose secret is wrong", async () => {
    const query = await authorize()
    const forged = new URLSearchParams(query)
    forged.set("state", `${(query.get("state") ?? "").slice(0, 39)}${"a".repeat(64)}`)
    expect(failureOf(await callback(forged))).toBe("invalid oauth state")
    const unknown = new URLSearchParams(query)
    unknown.set("state", `atoms_${randomUUID().replaceAll("-", "")}_${"b".repeat(64)}`)
    expect(failureOf(await callback(unknown))).toBe("invalid oauth state")
    const garbage = new URLSearchParams(query)
    garbage.set("state", "not-a-state")
    expect(failureOf(await callback(garbage))).toBe("invalid oauth state")
    // the forged attempts did not burn the real state
    const target = await callback(query)
    expect(target.searchParams.get("code")).toMatch(CODE_SHAPE)
  })

  it("refuses a replayed state", async () => {
    idp.profile = { sub: `sub-${randomUUID()}`, email: `r-${randomUUID()}@example.com`, email_verified: true }
    const query = await authorize()
    expect((await callback(query)).searchParams.get("code")).toMatch(CODE_SHAPE)
    expect(failureOf(await callback(query))).toBe("invalid oauth state")
  })

  it("refuses an expired state", async () => {
    const query = await authorize()
    await sql("UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE consumed_at IS NULL")
    expect(failureOf(await callback(query))).toBe("invalid oauth state")
  })

  it("refuses a state issued for another provider", async () => {
    const query = await authorize()
    const res = await fetch(`${t.baseUrl}/auth/oauth/other/callback?${query}`, { redirect: "manual" })
    expect(res.status).toBe(307)
    expect(failureOf(new URL(res.headers.get("location") ?? ""))).toBe("oauth provider not configured")
  })

  it("fails the code exchange when the PKCE verifier does not match the challenge", async () => {
    const query = await authorize()
    await sql("UPDATE oauth_states SET pkce_verifier = $1 WHERE consumed_at IS NULL", ["x".repeat(43)])
    expect(failureOf(await callback(query))).toBe("oauth token exchange failed: invalid_grant")
    // the provider saw the (wrong) verifier, so it really was checked there
    expect(idp.tokenRequests.at(-1)?.get("code_verifier")).toBe("x".repeat(43))
  })

  it("refuses an ID token whose nonce is not the one sent", async () => {
    idp.recipe = { claims: (c) => ({ ...c, nonce: "another-nonce" }) }
    expect(failureOf(await callback(await authorize()))).toBe("invalid id_token: nonce mismatch")
  })

  it("refuses an expired ID token", async () => {
    const past = Math.floor(Date.now() / 1000) - 3600
    idp.recipe = { claims: (c) => ({ ...c, iat: past - 300, exp: past }) }
    expect(failureOf(await callback(await authorize()))).toBe("invalid id_token: token expired")
  })

  it("refuses a forged ID token (signed by a key not in the provider's JWKS)", async () => {
    idp.recipe = { signer: "forged" }
    expect(failureOf(await callback(await authorize()))).toBe("invalid id_token: signature verification failed")
  })

  it("refuses an unsigned ID token", async () => {
    idp.recipe = { signer: "none" }
    expect(failureOf(await callback(await authorize()))).toBe("invalid id_token: unsupported signing algorithm none")
  })

  it("refuses an ID token for another client or from another issuer", async () => {
    idp.recipe = { claims: (c) => ({ ...c, aud: "someone-else" }) }
    expect(failureOf(await callback(await authorize()))).toBe("invalid id_token: audience mismatch")
    idp.recipe = { claims: (c) => ({ ...c, iss: "http://evil.example" }) }
    expect(failureOf(await callback(await authorize()))).toBe("invalid id_token: issuer mismatch")
  })

  it("requires a provider-verified email", async () => {
    idp.profile = { sub: `sub-${randomUUID()}`, email: `u-${randomUUID()}@example.com`, email_verified: false }
    expect(failureOf(await callback(await authorize()))).toBe("oauth email is not verified")
    idp.profile = { sub: `sub-${randomUUID()}`, email_verified: true }
    expect(failureOf(await callback(await authorize()))).toBe("oauth provider did not return email")
  })

  it("refuses a linked entity that is no longer active", async () => {
    const subject = `sub-${randomUUID()}`
    const { code } = await signIn({ sub: subject, email: `gone-${randomUUID()}@example.com`, email_verified: true })
    const body = await (await exchange(code)).json()
    await sql("UPDATE entities SET status = 'inactive' WHERE id = $1", [body.entity_id])
    idp.profile = { ...idp.profile, sub: subject }
    expect(failureOf(await callback(await authorize()))).toBe("entity is not active")
  })

  it("reports the provider's error, a missing code and a missing state", async () => {
    expect(failureOf(await callback(new URLSearchParams({ error: "access_denied" })))).toBe(
      "oauth provider error: access_denied",
    )
    expect(failureOf(await callback(new URLSearchParams({ state: "x" })))).toBe("missing oauth code")
    expect(failureOf(await callback(new URLSearchParams({ code: "x" })))).toBe("missing oauth state")
  })

  it("an unknown provider's callback goes to the error redirect", async () => {
    const target = await callback(new URLSearchParams({ code: "c", state: "s" }), "nope")
    expect(failureOf(target)).toBe("oauth provider not configured")
  })
})

describe("self-registration disabled", () => {
  let closed: TestAtom
  beforeAll(async () => {
    closed = await startTestAtom({
      ATOM_OIDC_PROVIDERS: providersEnv(idp),
      ATOM_SELF_REGISTRATION_ENABLED: "false",
    })
  })
  afterAll(async () => {
    await closed?.close()
  })

  it("lists no providers in /auth/public-config", async () => {
    const res = await fetch(`${closed.baseUrl}/auth/public-config`)
    expect((await res.json()).oauth_providers).toEqual([])
  })

  it("start answers 403 forbidden", async () => {
    const res = await fetch(`${closed.baseUrl}/auth/oauth/mock/start`, { redirect: "manual" })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: "forbidden" })
  })
})
