import { BENCH_ADMIN_SECRET } from "../lib/startAtom.js"

/** Logs in as the bootstrap admin once per Atom and remembers the JWT. */
export const adminSession = async (httpUrl: string): Promise<{ token: string; entityId: string }> => {
  const res = await fetch(`${httpUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identifier: "admin", secret: BENCH_ADMIN_SECRET }),
  })
  const body: unknown = await res.json()
  if (
    res.status !== 200 ||
    typeof body !== "object" ||
    body === null ||
    !("token" in body) ||
    typeof body.token !== "string" ||
    !("entity_id" in body) ||
    typeof body.entity_id !== "string"
  ) {
    throw new Error(`bench login failed: ${res.status} ${JSON.stringify(body)}`)
  }
  return { token: body.token, entityId: body.entity_id }
}
