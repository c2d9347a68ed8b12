import type { IncomingMessage, ServerResponse } from "node:http"
import {
  OCSP_INTERNAL_ERROR,
  OCSP_MALFORMED_REQUEST,
  OCSP_MAX_REQUEST_BYTES,
  OcspResponder,
} from "@atom/services/certificates"
import { type Cause, Context, Effect, Exit, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import type { HeaderListHandler } from "../HttpServer.js"
import { collectBody } from "../readBody.js"
import { OCSP_HEADERS } from "./certificates.js"

export interface OcspHandlerOptions {
  readonly runtime: Runtime.Runtime<OcspResponder>
  readonly onDefect: (cause: Cause.Cause<unknown>, request: { method: string; path: string; requestId: string }) => void
}

const CONTENT_TYPE = OCSP_HEADERS["content-type"]
const CACHE_CONTROL = OCSP_HEADERS["cache-control"]

const send = (res: ServerResponse, headers: Array<string>, der: Uint8Array): void => {
  // a client that went away gets nothing; its socket is already closed
  if (res.headersSent || res.destroyed) return
  // the server's headers and ours in one flat list, with the length: no chunked framing around the DER
  headers.push("content-type", CONTENT_TYPE, "cache-control", CACHE_CONTROL, "content-length", String(der.byteLength))
  res.writeHead(200, headers)
  res.end(der)
}

/**
 * `POST /certs/ocsp` on the raw request (issue 5: cached answers near the HTTP floor). The body is read
 * with the OCSP bound (oversize or unreadable → malformedRequest, as the route did); a response the
 * change feed still vouches for is written at once, with no fiber. Only a miss runs on the runtime,
 * to parse, read statuses and sign. The HTTP server has already set the request id and CORS headers,
 * applied the rate limit, and reports the response to metrics under `/certs/ocsp` when it closes.
 * OCSP is not audited (no caller is known), so no audit facts are set on the miss's fiber.
 */
export const ocspHandler = (options: OcspHandlerOptions): HeaderListHandler => {
  const responder = Context.get(options.runtime.context, OcspResponder)
  const runFork = EffectRuntime.runFork(options.runtime)
  const handler = (req: IncomingMessage, res: ServerResponse, headers: Array<string>): void =>
    collectBody(req, OCSP_MAX_REQUEST_BYTES, (body) => {
      if (!Buffer.isBuffer(body)) return send(res, headers, OCSP_MALFORMED_REQUEST)
      const now = responder.answerNow(body)
      if (now !== undefined) return send(res, headers, now)
      // the list starts with x-request-id and its value
      const requestId = headers[1] ?? ""
      const fiber = runFork(
        responder.sign(body).pipe(
          Effect.withSpan("POST /certs/ocsp", {
            kind: "server",
            attributes: { "http.method": "POST", "http.route": "/certs/ocsp" },
            captureStackTrace: false,
          }),
          Effect.annotateLogs("request_id", requestId),
        ),
      )
      fiber.addObserver((exit) => {
        if (Exit.isSuccess(exit)) return send(res, headers, exit.value)
        // `sign` never fails: a defect is logged and answered as OCSP internalError, still HTTP 200
        options.onDefect(exit.cause, { method: "POST", path: "/certs/ocsp", requestId })
        send(res, headers, OCSP_INTERNAL_ERROR)
      })
    })
  return Object.assign(handler, { takesHeaderList: true as const })
}
