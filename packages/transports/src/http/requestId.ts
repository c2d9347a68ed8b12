import { randomUUID } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"

const REQUEST_ID = /^[\w.:-]{1,128}$/

/**
 * The id the HTTP server echoes (x-request-id) for a native handler's response, else the client's if well
 * formed, else a fresh one. A WebSocket upgrade has no response to echo on: the client's or a fresh one.
 */
export const requestIdOf = (req: IncomingMessage, res?: ServerResponse): string => {
  const echoed = res?.getHeader("x-request-id")
  if (typeof echoed === "string" && echoed !== "") return echoed
  const sent = req.headers["x-request-id"]
  return typeof sent === "string" && REQUEST_ID.test(sent) ? sent : randomUUID()
}
