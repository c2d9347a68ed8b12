import { Either, FastCheck as fc, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ADMIN_PASSWORD, startTestAtom, type TestAtom } from "../../server/test/support/startTestAtom.js"
import { type GraphqlRequest, graphqlRequests, overBodyLimit } from "../src/arbitraries/index.js"
import { AtomClient, GraphqlResponse } from "../src/index.js"

// Throws generated requests (well-formed and hostile) at one running Atom and judges every answer.
// The RPC surface has its own run: fuzzRpc.test.ts.

// Issue 8 asks for at least 10,000 per run; on a quiet 2-core machine Atom on PGlite answers about 120
// generated requests/s at this concurrency, so the run takes about a minute and a half.
const REQUESTS = Number(process.env.ATOM_FUZZ_REQUESTS ?? 10_000)
const CONCURRENCY = 16
const SEED = Number(process.env.ATOM_FUZZ_SEED ?? Date.now() % 2 ** 31)

let t: TestAtom
let baseUrl: string
let token: string
beforeAll(async () => {
  t = await startTestAtom()
  baseUrl = t.baseUrl
  token = (await new AtomClient({ baseUrl }).login("admin", ADMIN_PASSWORD)).token
}, 120_000)
afterAll(async () => {
  await t?.close()
})

/** Most requests carry the admin's token; some none, some garbage. */
const authorization = (i: number): Record<string, string> =>
  i % 20 === 0 ? {} : i % 20 === 1 ? { authorization: "Bearer atom_not-a-token" } : { authorization: `Bearer ${token}` }

const decodeEnvelope = Schema.decodeUnknownEither(Schema.parseJson(GraphqlResponse))

/** What is wrong with one answer, or undefined when it is an acceptable answer. */
const judge = (req: GraphqlRequest, status: number, contentType: string, text: string): string | undefined => {
  if (status >= 500) return `status ${status}`
  // the one answer that is not GraphQL: the body limit's plain-text 413 (api.md §1.1)
  if (status === 413) return text === "request body is too large" ? undefined : `413 with ${text.slice(0, 80)}`
  // a content type GraphQL over HTTP does not accept: 415 and nothing to decode
  if (status === 415) return req.contentType.includes("json") ? "415 for a JSON body" : undefined
  if (!contentType.includes("json")) return `status ${status} with content type ${contentType}: ${text.slice(0, 80)}`
  const envelope = decodeEnvelope(text)
  if (Either.isLeft(envelope)) return `not a GraphQL answer: ${text.slice(0, 200)}`
  const { data, errors } = envelope.right
  if (errors === undefined && (data === undefined || data === null)) return "neither data nor errors"
  if (errors === undefined && req.decodeData !== undefined) {
    const decoded = req.decodeData(data)
    if (Either.isLeft(decoded)) return `data does not match ${req.label}: ${decoded.left.message.slice(0, 300)}`
  }
  return undefined
}

describe("fuzzing the GraphQL surface", () => {
  it(`answers ${REQUESTS} generated requests without a 5xx, each with a well-formed answer, and stays ready`, async () => {
    const started = Date.now()
    // three bodies over the limit, not more: each is a megabyte to upload
    const requests = [
      ...fc.sample(graphqlRequests, { numRuns: REQUESTS - 3, seed: SEED }),
      ...Array(3).fill(overBodyLimit),
    ]
    const sampled = Date.now()
    const failures: Array<string> = []
    const labels = new Map<string, number>()
    const millis = new Map<string, number>()
    let next = 0
    const worker = async () => {
      while (next < requests.length) {
        const i = next++
        const req = requests[i]
        if (req === undefined) continue
        labels.set(req.label, (labels.get(req.label) ?? 0) + 1)
        const sent = Date.now()
        const res = await fetch(`${baseUrl}/graphql`, {
          method: "POST",
          headers: { "content-type": req.contentType, accept: "application/json", ...authorization(i) },
          body: req.body,
        }).catch((e: unknown) => e)
        if (!(res instanceof Response)) {
          failures.push(`#${i} ${req.label}: no answer (${String(res)}) for ${req.body.slice(0, 200)}`)
          continue
        }
        const problem = judge(req, res.status, res.headers.get("content-type") ?? "", await res.text())
        if (problem !== undefined) failures.push(`#${i} ${req.label}: ${problem} for ${req.body.slice(0, 300)}`)
        millis.set(req.label, (millis.get(req.label) ?? 0) + Date.now() - sent)
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    const slowest = [...millis].sort((a, b) => b[1] - a[1]).slice(0, 8)
    console.info(
      `fuzz: ${requests.length} requests, sampled in ${sampled - started} ms, answered in ${Date.now() - sampled} ms; ` +
        `most time: ${slowest.map(([l, ms]) => `${l} ${ms} ms/${labels.get(l)}`).join(", ")}`,
    )

    expect(failures, `seed ${SEED} (ATOM_FUZZ_SEED reproduces it)`).toEqual([])
    expect(requests.length).toBe(REQUESTS)
    // every known operation was exercised, well-formed and hostile
    // (each of the ~55 kinds is expected about REQUESTS / 55 times; a fifth of that is far in the tail)
    expect(labels.get("AuthzCheck") ?? 0).toBeGreaterThan(REQUESTS / 300)
    expect(labels.get("CreateTenant (hostile variables)") ?? 0).toBeGreaterThan(REQUESTS / 300)
    // no crash: still ready after all of it
    const ready = await fetch(`${baseUrl}/health/ready`)
    expect(ready.status).toBe(200)
  }, 600_000)
})
