import { ADMIN_PASSWORD, type TestAtom } from "./startTestAtom.js"

/** Logs in over REST as a given identifier and returns the JWT. */
export const loginToken = async (t: TestAtom, identifier: string, secret: string): Promise<string> => {
  const res = await fetch(`${t.baseUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identifier, secret }),
  })
  const body = await res.json()
  if (res.status !== 200 || typeof body.token !== "string") {
    throw new Error(`login as ${identifier} failed: ${res.status} ${JSON.stringify(body)}`)
  }
  return body.token
}

/** A session token for the bootstrap admin (platform admin). */
export const adminToken = (t: TestAtom): Promise<string> => loginToken(t, "admin", ADMIN_PASSWORD)

/** POSTs a GraphQL document with a Bearer token; returns the parsed body. */
/** POSTs a GraphQL document; `T` is the shape the test expects back (it is JSON off the wire). */
export const gql = async <T = Record<string, unknown>>(
  t: TestAtom,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data: T | null; errors?: Array<{ message: string }> }> => {
  const res = await fetch(`${t.baseUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  })
  return res.json()
}
