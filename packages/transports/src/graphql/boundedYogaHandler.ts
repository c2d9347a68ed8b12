import type { IncomingMessage, ServerResponse } from "node:http"
import { collectBody } from "../http/readBody.js"

/** What is used of a yoga instance: its fetch entry point with the node server context, and its Request. */
export interface YogaFetch {
  readonly fetch: (
    request: Request,
    context: { readonly req: IncomingMessage; readonly res: ServerResponse },
  ) => Promise<Response> | Response
  /** yoga's own Fetch classes (its Request keeps a body given as bytes, and headers as given); else the global ones. */
  readonly fetchAPI?: { readonly Request: typeof Request }
}

const TOO_LARGE = "request body is too large"

/** The request's headers as one string each (repeated ones joined as the Fetch API joins them). */
const flatHeaders = (req: IncomingMessage): Record<string, string> => {
  const out: Record<string, string> = {}
  const raw = req.headers
  for (const name in raw) {
    const value = raw[name]
    if (value === undefined) continue
    out[name] = typeof value === "string" ? value : value.join(", ")
  }
  return out
}

const failed = (res: ServerResponse) => {
  if (!res.headersSent) {
    res.writeHead(500, { "content-type": "application/json" })
    res.end('{"error":"internal error"}')
  } else res.destroy()
}

/**
 * `/graphql` with the body limit (ATOM_GRAPHQL_BODY_LIMIT_BYTES, api.md §1.1): the body is read here,
 * up to the limit whether or not a Content-Length was sent (chunked uploads are counted as they
 * arrive), and only then handed to yoga. Too large → 413 with a plain-text body, and the connection is
 * closed so the rest of the upload is not read.
 */
export const boundedYogaHandler =
  (yoga: YogaFetch, limit: number) =>
  (req: IncomingMessage, res: ServerResponse): void => {
    const FetchRequest = yoga.fetchAPI?.Request ?? Request
    collectBody(req, limit, (body) => {
      if (!Buffer.isBuffer(body)) {
        if (!res.headersSent) {
          res.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close" })
          res.end(TOO_LARGE)
        }
        return
      }
      const aborted = new AbortController()
      res.once("close", () => {
        // a client that goes away cancels the execution; a finished response has nothing left to cancel
        if (!res.writableEnded) aborted.abort()
      })
      const request = new FetchRequest(`http://${req.headers.host ?? "localhost"}${req.url ?? "/graphql"}`, {
        method: req.method ?? "POST",
        headers: flatHeaders(req),
        // GraphQL over HTTP is UTF-8 JSON: yoga's Request hands a text body to its parser as it is
        body: body.toString("utf8"),
        signal: aborted.signal,
      })
      Promise.resolve(yoga.fetch(request, { req, res }))
        .then(async (response) => {
          if (res.headersSent) return
          const out: Record<string, string | Array<string>> = {}
          response.headers.forEach((value, name) => {
            if (name !== "set-cookie") out[name] = value
          })
          const cookies = response.headers.getSetCookie()
          if (cookies.length > 0) out["set-cookie"] = cookies
          const text = await response.text()
          out["content-length"] = String(Buffer.byteLength(text))
          res.writeHead(response.status, out)
          res.end(text)
        })
        .catch(() => failed(res))
    })
  }
