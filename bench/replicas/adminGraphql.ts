const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null

/** GraphQL calls as one caller, failing loudly on any error (the bench's own set-up, not a measurement). */
export const adminGraphql = (httpUrl: string, token: string) => {
  const run = async (query: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`${httpUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
      signal: AbortSignal.timeout(30_000),
    })
    const body: unknown = await res.json()
    if (!isRecord(body) || !isRecord(body.data) || body.errors !== undefined)
      throw new Error(`graphql: ${res.status} ${JSON.stringify(body).slice(0, 500)} for ${query}`)
    return body.data
  }
  /** The `id` of the object a mutation or query returns under `field`. */
  const id = async (query: string, field: string): Promise<string> => {
    const value = (await run(query))[field]
    if (!isRecord(value) || typeof value.id !== "string") throw new Error(`${field}: no id`)
    return value.id
  }
  const actionId = async (name: string): Promise<string> => {
    const page = (await run(`{ actions(limit: 100) { items { id name } } }`)).actions
    const items = isRecord(page) && Array.isArray(page.items) ? page.items : []
    const found = items.find((a) => isRecord(a) && a.name === name)
    if (!isRecord(found) || typeof found.id !== "string") throw new Error(`no action ${name}`)
    return found.id
  }
  return { run, id, actionId }
}

export type GraphqlCaller = ReturnType<typeof adminGraphql>
