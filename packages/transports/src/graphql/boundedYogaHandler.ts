import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, Exit } from "effect"
import { readBody } from "../http/readBody.js"

/** What is used of a yoga instance: its fetch entry point with the node server context. */
export interface YogaFetch {
  readonly fetch: (
    request: Request,
    context: { readonly req: IncomingMessage; readonly res: ServerResponse },
  ) => Promise<Response> | Response
}

const TOO_LARGE = "request body is too large"

/**
 * `/graphql` with the body limit (ATOM_GRAPHQL_BODY_LIMIT_BYTES, api.md §1.1): the body is read here,
 * up to the limit whether or not a Content-Length was sent (chunked uploads are counted as they
 * arrive), and only then handed to yoga. Too large → 413 with a plain-text body, and the connection is
 * closed so the rest of the upload is not read.
 */
export const boundedYogaHandler =
  (yoga: YogaFetch, limit: number) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    void Effect.runPromiseExit(readBody(req, limit))
      .then(async (read) => {
        if (Exit.isFailure(read)) {
          if (!res.headersSent) {
            res.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" })
            res.end(TOO_LARGE)
          }
          return
        }
        const headers = new Headers()
        for (const [name, value] of Object.entries(req.headers)) {
          if (value === undefined) continue
          for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
        }
        const aborted = new AbortController()
        res.once("close", () => aborted.abort())
        const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/graphql"}`, {
          method: req.method ?? "POST",
          headers,
          body: new Uint8Array(read.value),
          signal: aborted.signal,
        })
        const response = await yoga.fetch(request, { req, res })
        if (res.headersSent) return
        const out: Record<string, string | Array<string>> = {}
        response.headers.forEach((value, name) => {
          if (name !== "set-cookie") out[name] = value
        })
        const cookies = response.headers.getSetCookie()
        if (cookies.length > 0) out["set-cookie"] = cookies
        const body = Buffer.from(await response.arrayBuffer())
        out["content-length"] = String(body.length)
        res.writeHead(response.status, out)
        res.end(body)
      })
      .catch(() => {
        if (!res.headersSent) {
          res.writeHead(500, { "content-type": "application/json" })
          res.end('{"error":"internal error"}')
        } else res.destroy()
      })
  }
