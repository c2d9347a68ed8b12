import type { OidcProvider } from "@atom/domain/config"
import type { Jwk } from "@atom/engines/oidc"
import { Data, Effect, ParseResult, Redacted, Schema } from "effect"
import { JwksDocument, OidcDiscovery, TokenResponse } from "./OidcDiscovery.js"

/** A provider could not be reached or answered something unusable. The message never holds secrets. */
export class OidcProviderError extends Data.TaggedError("OidcProviderError")<{ readonly message: string }> {}

const TIMEOUT_MS = 10_000
const MAX_BODY_BYTES = 1_048_576
/** Metadata and keys are reused this long; an unknown `kid` refreshes the keys sooner. */
const CACHE_MS = 5 * 60_000

const readJson = (url: string, init: RequestInit, what: string) =>
  Effect.tryPromise({
    try: async (signal) => {
      const res = await fetch(url, {
        ...init,
        redirect: "manual",
        signal: AbortSignal.any([signal, AbortSignal.timeout(TIMEOUT_MS)]),
      })
      const text = await res.text()
      if (text.length > MAX_BODY_BYTES) throw new Error("response too large")
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        body = undefined
      }
      return { status: res.status, body }
    },
    catch: () => new OidcProviderError({ message: `${what} failed` }),
  })

const decode =
  <A, I>(schema: Schema.Schema<A, I>, what: string) =>
  (value: unknown) =>
    Schema.decodeUnknown(schema)(value).pipe(
      Effect.mapError(
        (e) =>
          new OidcProviderError({ message: `${what}: ${ParseResult.TreeFormatter.formatErrorSync(e).split("\n")[0]}` }),
      ),
    )

const errorField = (body: unknown): string =>
  typeof body === "object" && body !== null && "error" in body && typeof body.error === "string"
    ? body.error.slice(0, 200)
    : "unexpected response"

interface Cached<A> {
  readonly value: A
  readonly at: number
}

/** HTTP to OpenID providers: discovery, their signing keys, and the authorization-code exchange. */
export class OidcHttp extends Effect.Service<OidcHttp>()("atom/OidcHttp", {
  effect: Effect.sync(() => {
    const discoveries = new Map<string, Cached<OidcDiscovery>>()
    const keySets = new Map<string, Cached<ReadonlyArray<Jwk>>>()
    const fresh = <A>(c: Cached<A> | undefined): c is Cached<A> => c !== undefined && Date.now() - c.at < CACHE_MS

    /** The provider's metadata; its `issuer` must be exactly the configured one. */
    const discover = (provider: OidcProvider) =>
      Effect.gen(function* () {
        const cached = discoveries.get(provider.name)
        if (fresh(cached) && cached.value.issuer === provider.issuer) return cached.value
        const url = `${provider.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`
        const res = yield* readJson(url, {}, "oidc discovery")
        if (res.status !== 200) return yield* new OidcProviderError({ message: "oidc discovery failed" })
        const doc = yield* decode(OidcDiscovery, "oidc discovery")(res.body)
        if (doc.issuer !== provider.issuer) {
          return yield* new OidcProviderError({ message: "oidc discovery issuer mismatch" })
        }
        discoveries.set(provider.name, { value: doc, at: Date.now() })
        return doc
      }).pipe(Effect.withSpan("OidcHttp.discover", { attributes: { provider: provider.name } }))

    /** The provider's JWKS; `refresh` skips the cache (a token named a key we have not seen). */
    const keys = (provider: OidcProvider, discovery: OidcDiscovery, refresh: boolean) =>
      Effect.gen(function* () {
        const cached = keySets.get(provider.name)
        if (!refresh && fresh(cached)) return cached.value
        const res = yield* readJson(discovery.jwks_uri, {}, "oidc jwks")
        if (res.status !== 200) return yield* new OidcProviderError({ message: "oidc jwks fetch failed" })
        const doc = yield* decode(JwksDocument, "oidc jwks")(res.body)
        keySets.set(provider.name, { value: doc.keys, at: Date.now() })
        return doc.keys
      }).pipe(Effect.withSpan("OidcHttp.keys", { attributes: { provider: provider.name } }))

    /** Trades the authorization code (with the PKCE verifier) for tokens; answers the ID token. */
    const exchangeCode = (
      provider: OidcProvider,
      discovery: OidcDiscovery,
      input: { readonly code: string; readonly verifier: string; readonly redirectUri: string },
    ) =>
      Effect.gen(function* () {
        const methods = discovery.token_endpoint_auth_methods_supported
        // client_secret_basic is the default (RFC 8414 §2); post only when the provider lists post but not basic
        const post = (methods?.includes("client_secret_post") ?? false) && !methods?.includes("client_secret_basic")
        const secret = Redacted.value(provider.clientSecret)
        const form = new URLSearchParams({
          grant_type: "authorization_code",
          code: input.code,
          redirect_uri: input.redirectUri,
          code_verifier: input.verifier,
          client_id: provider.clientId,
          ...(post ? { client_secret: secret } : {}),
        })
        const basic = Buffer.from(`${encodeURIComponent(provider.clientId)}:${encodeURIComponent(secret)}`).toString(
          "base64",
        )
        const res = yield* readJson(
          discovery.token_endpoint,
          {
            method: "POST",
            headers: {
              "content-type": "application/x-www-form-urlencoded",
              accept: "application/json",
              ...(post ? {} : { authorization: `Basic ${basic}` }),
            },
            body: form.toString(),
          },
          "oauth token exchange",
        )
        if (res.status !== 200) {
          return yield* new OidcProviderError({ message: `oauth token exchange failed: ${errorField(res.body)}` })
        }
        const tokens = yield* decode(TokenResponse, "oauth token exchange failed")(res.body)
        if (tokens.id_token === undefined) {
          return yield* new OidcProviderError({ message: "oauth provider did not return id_token" })
        }
        return tokens.id_token
      }).pipe(Effect.withSpan("OidcHttp.exchangeCode", { attributes: { provider: provider.name } }))

    return { discover, keys, exchangeCode } as const
  }),
}) {}
