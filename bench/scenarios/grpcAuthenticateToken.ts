import { defineScenario } from "../lib/scenario.js"
import { adminSession } from "./benchSession.js"
import { authenticateLoad } from "./grpcAuthenticateLoad.js"

const CREATE_TOKEN = `mutation($input: CreateAccessTokenInput!) { createAccessToken(input: $input) { token } }`

let token = ""
let admin = ""

const mintedToken = (body: unknown): string | undefined => {
  if (typeof body !== "object" || body === null || !("data" in body)) return undefined
  const data = body.data
  if (typeof data !== "object" || data === null || !("createAccessToken" in data)) return undefined
  const created = data.createAccessToken
  return typeof created === "object" && created !== null && "token" in created && typeof created.token === "string"
    ? created.token
    : undefined
}

/**
 * AuthService/Authenticate of an unscoped access token. The first call looks the token up by its HMAC under the KEK and
 * checks the row; warm calls are answered from memory while nothing has been announced since (makeRememberedCaller).
 */
export default defineScenario({
  name: "grpc-authenticate-token",
  description: "atom.v1.AuthService/Authenticate of an unscoped access token of the admin",
  baseline: "grpc-floor",
  prepare: async (ctx) => {
    const session = await adminSession(ctx.atom.httpUrl)
    admin = session.entityId
    const res = await fetch(`${ctx.atom.httpUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
      body: JSON.stringify({
        query: CREATE_TOKEN,
        variables: { input: { name: "bench", scoped: false, permissions: [] } },
      }),
    })
    const minted = mintedToken(await res.json())
    if (minted === undefined) throw new Error(`createAccessToken failed (${res.status})`)
    token = minted
  },
  run: (ctx) =>
    authenticateLoad(
      ctx,
      () => token,
      () => admin,
    ),
})
