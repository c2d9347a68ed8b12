import type { ServerResponse } from "node:http"
import {
  OCSP_INTERNAL_ERROR,
  OCSP_MALFORMED_REQUEST,
  OCSP_MAX_REQUEST_BYTES,
  OcspResponder,
} from "@atom/services/certificates"
import { type Cause, Context, Effect, Exit, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import type { NodeHandler } from "../HttpServer.js"
import { collectBody } from "../readBody.js"
import { OCSP_HEADERS } from "./certificates.js"

export interface OcspHandlerOptions {
  readonly runtime: Runtime.Runtime<OcspResponder>
  readonly onDefect: (cause: Cause.Cause<unknown>, request: { method: string; path: string; requestId: string }) => void
}

const send = (res: ServerResponse, der: Uint8Array): void => {
  // a client that went away gets nothing; its socket is already closed
  if (res.headersSent || res.destroyed) return
  res.writeHead(200, OCSP_HEADERS)
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
export const ocspHandler = (options: OcspHandlerOptions): NodeHandler => {
  const responder = Context.get(options.runtime.context, OcspResponder)
  const runFork = EffectRuntime.runFork(options.runtime)
  return (req, res) =>
    collectBody(req, OCSP_MAX_REQUEST_BYTES, (body) => {
      if (!Buffer.isBuffer(body)) return send(res, OCSP_MALFORMED_REQUEST)
      const now = responder.answerNow(body)
      if (now !== undefined) return send(res, now)
      const requestId = String(res.getHeader("x-request-id") ?? "")
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
        if (Exit.isSuccess(exit)) return send(res, exit.value)
        // `sign` never fails: a defect is logged and answered as OCSP internalError, still HTTP 200
        options.onDefect(exit.cause, { method: "POST", path: "/certs/ocsp", requestId })
        send(res, OCSP_INTERNAL_ERROR)
      })
    })
}
