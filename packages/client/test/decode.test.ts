import { createServer, type Server } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { AtomClient, AtomClientError, Tenants } from "../src/index.js"

// A real listener that answers what a misbehaving server or proxy might: the client must refuse it
// instead of handing a wrongly typed value to its caller.
let answer: { status: number; body: string } = { status: 200, body: "{}" }
let server: Server
let baseUrl: string
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    req.on("end", () => {
      res.writeHead(answer.status, { "content-type": "application/json" })
      res.end(answer.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no TCP address")
  baseUrl = `http://127.0.0.1:${address.port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const failure = (run: () => Promise<unknown>) =>
  run().then(
    () => undefined,
    (e: unknown) => e,
  )

describe("AtomClient.request checks every answer against the document's schema", () => {
  // made per call: the listener's port is known only once it listens
  const tenants = () => new AtomClient({ baseUrl, token: "t" }).request(Tenants, {})

  it("resolves to data that matches", async () => {
    answer = { status: 200, body: JSON.stringify({ data: { tenants: { items: [], total: 0 } } }) }
    await expect(tenants()).resolves.toEqual({ tenants: { items: [], total: 0 } })
  })

  it("rejects data of another shape, naming the operation and the field", async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        data: { tenants: { items: [{ id: "x", name: 7, alias: null, status: "active" }], total: 1 } },
      }),
    }
    const e = await failure(() => tenants())
    expect(e).toBeInstanceOf(AtomClientError)
    expect(e).toMatchObject({ status: 200, message: expect.stringContaining("unexpected Tenants response") })
    expect(String(e)).toContain("name")
  })

  it("rejects an unknown enum value and a missing list total", async () => {
    answer = {
      status: 200,
      body: JSON.stringify({ data: { tenants: { items: [{ id: "x", name: "n", alias: null, status: "weird" }] } } }),
    }
    await expect(failure(() => tenants())).resolves.toBeInstanceOf(AtomClientError)
  })

  it("surfaces the first GraphQL error's message", async () => {
    answer = { status: 200, body: JSON.stringify({ data: null, errors: [{ message: "forbidden" }] }) }
    await expect(failure(() => tenants())).resolves.toMatchObject({ message: "forbidden" })
  })

  it("rejects a body that is not a GraphQL answer (a proxy's page, an empty body)", async () => {
    answer = { status: 502, body: "<html>bad gateway</html>" }
    await expect(failure(() => tenants())).resolves.toMatchObject({ status: 502 })
    answer = { status: 200, body: "" }
    await expect(failure(() => tenants())).resolves.toBeInstanceOf(AtomClientError)
  })

  it("rejects with status 0 when the server cannot be reached", async () => {
    const nowhere = new AtomClient({ baseUrl: "http://127.0.0.1:1" })
    const e = await failure(() => nowhere.request(Tenants, {}))
    expect(e).toBeInstanceOf(AtomClientError)
    expect(e).toMatchObject({ status: 0, message: expect.stringContaining("cannot reach") })
  })
})
