import { request } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startTestAtom, type TestAtom } from "./support/startTestAtom.js"

const LIMIT = 4096

let t: TestAtom

beforeAll(async () => {
  t = await startTestAtom({ ATOM_GRAPHQL_BODY_LIMIT_BYTES: String(LIMIT) })
})
afterAll(async () => {
  await t?.close()
})

interface Answer {
  readonly status: number
  readonly contentType: string | undefined
  readonly body: string
}

/**
 * POSTs to /graphql in pieces. `chunked`: no Content-Length, Transfer-Encoding: chunked; otherwise the
 * exact length is declared. The server may close the connection while the upload is still going (that
 * is the point of the limit), so write errors are ignored once an answer has arrived.
 */
const post = (pieces: ReadonlyArray<string>, chunked: boolean): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const length = pieces.reduce((n, p) => n + Buffer.byteLength(p), 0)
    const req = request(
      `${t.baseUrl}/graphql`,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(chunked ? { "transfer-encoding": "chunked" } : { "content-length": String(length) }),
        },
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers["content-type"],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        )
      },
    )
    req.on("error", (e) => setTimeout(() => reject(e), 2000))
    let i = 0
    const next = () => {
      if (i === pieces.length) return void req.end()
      req.write(pieces[i++], () => setImmediate(next))
    }
    next()
  })

/** A valid GraphQL request of about `size` bytes (the padding rides in a variable), cut into `n` pieces. */
const padded = (size: number, n: number): Array<string> => {
  const head = '{"query":"{ __typename }","variables":{"pad":"'
  const tail = '"}}'
  const text = `${head}${"x".repeat(Math.max(0, size - head.length - tail.length))}${tail}`
  const step = Math.ceil(text.length / n)
  return Array.from({ length: n }, (_, k) => text.slice(k * step, (k + 1) * step)).filter((p) => p !== "")
}

describe("/graphql body limit (ATOM_GRAPHQL_BODY_LIMIT_BYTES)", () => {
  it("answers a request under the limit, chunked or not", async () => {
    for (const chunked of [true, false]) {
      const res = await post(padded(LIMIT - 100, 8), chunked)
      expect(res.status).toBe(200)
      expect(JSON.parse(res.body)).toEqual({ data: { __typename: "Query" } })
    }
  })

  it("refuses a chunked body over the limit with 413, though no Content-Length was sent", async () => {
    const res = await post(padded(LIMIT * 4, 64), true)
    expect(res.status).toBe(413)
    expect(res.contentType).toMatch(/^text\/plain/)
    expect(res.body).toBe("request body is too large")
  })

  it("refuses a chunked body one byte over the limit", async () => {
    const res = await post(padded(LIMIT + 1, 3), true)
    expect(res.status).toBe(413)
    const exact = await post(padded(LIMIT, 3), true)
    expect(exact.status).toBe(200)
  })

  it("refuses a declared Content-Length over the limit with 413", async () => {
    const res = await post(padded(LIMIT * 2, 2), false)
    expect(res.status).toBe(413)
  })

  it("keeps serving after refusing a large upload", async () => {
    await post(padded(LIMIT * 64, 256), true)
    const res = await post(padded(200, 1), true)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.body)).toEqual({ data: { __typename: "Query" } })
  })
})
