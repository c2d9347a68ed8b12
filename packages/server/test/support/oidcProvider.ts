import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto"
import { createServer, type IncomingMessage, type Server } from "node:http"
import type { AddressInfo } from "node:net"

// A small OpenID provider for tests: discovery, a JWKS (RSA and EC keys), an authorize endpoint that
// redirects straight back with a code, and a token endpoint that checks the client, the redirect URI
// and the PKCE verifier before answering with a signed ID token.

export interface IdentityProfile {
  readonly sub: string
  readonly email?: string
  readonly email_verified?: boolean
}

/** How the next ID tokens are made: a hook to change claims, and which key signs. */
export interface TokenRecipe {
  readonly claims?: (claims: Record<string, unknown>) => Record<string, unknown>
  /** "rsa" (RS256), "ec" (ES256), "forged" (RS256 with a key not in the JWKS but the same kid), "none" */
  readonly signer?: "rsa" | "ec" | "forged" | "none"
}

interface PendingCode {
  readonly clientId: string
  readonly redirectUri: string
  readonly challenge: string
  readonly method: string
  readonly nonce: string
  readonly profile: IdentityProfile
  used: boolean
}

export interface TestOidcProvider {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** Who signs in at the next authorize request. */
  profile: IdentityProfile
  recipe: TokenRecipe
  /** Every authorize request's query, newest last. */
  readonly authorizeRequests: Array<URLSearchParams>
  readonly tokenRequests: Array<URLSearchParams>
  readonly close: () => Promise<void>
}

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url")

const readForm = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

export const startOidcProvider = async (): Promise<TestOidcProvider> => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const forged = generateKeyPairSync("rsa", { modulusLength: 2048 })
  const codes = new Map<string, PendingCode>()
  const clientId = "atom-test-client"
  const clientSecret = "s3cret/with:odd chars"

  const jwk = (key: KeyObject, kid: string, alg: string) => ({ ...key.export({ format: "jwk" }), kid, alg, use: "sig" })

  const signToken = (claims: Record<string, unknown>, signer: NonNullable<TokenRecipe["signer"]>) => {
    if (signer === "none") return `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims)}.`
    const alg = signer === "ec" ? "ES256" : "RS256"
    const kid = signer === "ec" ? "ec-1" : "rsa-1"
    const data = `${b64url({ alg, typ: "JWT", kid })}.${b64url(claims)}`
    const key = signer === "ec" ? ec.privateKey : signer === "forged" ? forged.privateKey : rsa.privateKey
    const signature =
      signer === "ec"
        ? sign("sha256", Buffer.from(data), { key, dsaEncoding: "ieee-p1363" })
        : sign("sha256", Buffer.from(data), key)
    return `${data}.${signature.toString("base64url")}`
  }

  let issuer = ""
  const state: TestOidcProvider = {
    get issuer() {
      return issuer
    },
    clientId,
    clientSecret,
    profile: { sub: "subject-1", email: "someone@example.com", email_verified: true },
    recipe: {},
    authorizeRequests: [],
    tokenRequests: [],
    close: () => new Promise((done) => server.close(() => done())),
  }

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer)
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" })
      res.end(JSON.stringify(body))
    }
    if (req.method === "GET" && url.pathname === "/.well-known/openid-configuration") {
      return send(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256", "ES256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
      })
    }
    if (req.method === "GET" && url.pathname === "/jwks") {
      return send(200, { keys: [jwk(rsa.publicKey, "rsa-1", "RS256"), jwk(ec.publicKey, "ec-1", "ES256")] })
    }
    if (req.method === "GET" && url.pathname === "/authorize") {
      const q = url.searchParams
      state.authorizeRequests.push(q)
      const code = randomBytes(16).toString("hex")
      codes.set(code, {
        clientId: q.get("client_id") ?? "",
        redirectUri: q.get("redirect_uri") ?? "",
        challenge: q.get("code_challenge") ?? "",
        method: q.get("code_challenge_method") ?? "",
        nonce: q.get("nonce") ?? "",
        profile: state.profile,
        used: false,
      })
      const back = new URL(q.get("redirect_uri") ?? "")
      back.searchParams.set("code", code)
      back.searchParams.set("state", q.get("state") ?? "")
      res.writeHead(302, { location: back.toString() })
      return res.end()
    }
    if (req.method === "POST" && url.pathname === "/token") {
      const form = new URLSearchParams(await readForm(req))
      state.tokenRequests.push(form)
      const expected = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`
      if (req.headers.authorization !== expected) return send(401, { error: "invalid_client" })
      const pending = codes.get(form.get("code") ?? "")
      if (!pending || pending.used || form.get("grant_type") !== "authorization_code") {
        return send(400, { error: "invalid_grant" })
      }
      pending.used = true
      const verifier = form.get("code_verifier") ?? ""
      const challenge = createHash("sha256").update(verifier).digest("base64url")
      if (pending.method !== "S256" || challenge !== pending.challenge) return send(400, { error: "invalid_grant" })
      if (form.get("redirect_uri") !== pending.redirectUri) return send(400, { error: "invalid_grant" })
      const now = Math.floor(Date.now() / 1000)
      const base: Record<string, unknown> = {
        iss: issuer,
        aud: pending.clientId,
        sub: pending.profile.sub,
        iat: now,
        exp: now + 300,
        nonce: pending.nonce,
        ...(pending.profile.email === undefined ? {} : { email: pending.profile.email }),
        ...(pending.profile.email_verified === undefined ? {} : { email_verified: pending.profile.email_verified }),
      }
      const claims = state.recipe.claims ? state.recipe.claims(base) : base
      return send(200, {
        access_token: randomBytes(16).toString("hex"),
        token_type: "Bearer",
        expires_in: 300,
        id_token: signToken(claims, state.recipe.signer ?? "rsa"),
      })
    }
    res.writeHead(404)
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const address: AddressInfo | string | null = server.address()
  issuer = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`
  return state
}
