import type { CheckSpec } from "./checks.js"

/** What Atom answered for one check. */
export interface Answer {
  readonly allowed: boolean
  readonly reason: string
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null

export const isAnswer = (x: unknown): x is Answer =>
  isRecord(x) && typeof x.allowed === "boolean" && typeof x.reason === "string"

export const checkInput = (c: CheckSpec) =>
  `{subjectId: "${c.subjectId}", action: "${c.action}", objectKind: "${c.objectKind}", objectId: "${c.objectId}"}`

const graphql = async (httpUrl: string, token: string, query: string): Promise<Record<string, unknown>> => {
  const res = await fetch(`${httpUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(120_000),
  })
  const body: unknown = await res.json()
  if (!isRecord(body) || !isRecord(body.data) || body.errors !== undefined)
    throw new Error(`graphql: ${res.status} ${JSON.stringify(body).slice(0, 500)}`)
  return body.data
}

/** Answers for many checks through `authzBulkCheck`, in batches. */
export const bulkCheck = async (
  httpUrl: string,
  token: string,
  checks: ReadonlyArray<CheckSpec>,
): Promise<ReadonlyArray<Answer>> => {
  const answers: Array<Answer> = []
  for (let i = 0; i < checks.length; i += 20) {
    const batch = checks.slice(i, i + 20)
    const data = await graphql(
      httpUrl,
      token,
      `mutation { authzBulkCheck(input: [${batch.map(checkInput).join(", ")}]) { allowed reason } }`,
    )
    const list = data.authzBulkCheck
    if (!Array.isArray(list) || list.length !== batch.length || !list.every(isAnswer))
      throw new Error("authzBulkCheck: unexpected reply")
    answers.push(...list)
  }
  return answers
}

/** How an allow was reached: role or direct policy, through how many nested principal groups, which scope. */
export const explainPath = async (httpUrl: string, token: string, c: CheckSpec): Promise<string> => {
  const data = await graphql(
    httpUrl,
    token,
    `mutation { authzExplain(input: ${checkInput(c)}) { allowed matchedBinding } }`,
  )
  const e = data.authzExplain
  const m = isRecord(e) ? e.matchedBinding : undefined
  if (!isRecord(m)) return "unexplained"
  const source = m.grant_kind === "role" ? "role" : m.via === "tenant_membership" ? "membership" : "direct policy"
  const via = typeof m.via === "string" && m.via.startsWith("group:") ? m.via.split("->").length : 0
  const scope = typeof m.scope_kind === "string" ? m.scope_kind : "?"
  return `${source}${via > 0 ? ` via group depth ${via}` : ""} / ${scope}`
}

/** Logs in as the bootstrap admin. */
export const login = async (httpUrl: string, secret: string): Promise<string> => {
  const res = await fetch(`${httpUrl}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identifier: "admin", secret }),
  })
  const body: unknown = await res.json()
  if (res.status !== 200 || !isRecord(body) || typeof body.token !== "string")
    throw new Error(`login failed: ${res.status}`)
  return body.token
}
