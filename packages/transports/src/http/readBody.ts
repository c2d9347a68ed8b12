import type { IncomingMessage } from "node:http"
import { PayloadTooLarge } from "@atom/domain/errors"
import { Effect } from "effect"

/**
 * Collects a request body, refusing it as soon as it passes `limit` bytes (declared or counted as chunks
 * arrive); `done` is called once, with the bytes or the refusal.
 */
export const collectBody = (
  req: IncomingMessage,
  limit: number,
  done: (body: Buffer | PayloadTooLarge) => void,
): void => {
  const declared = Number(req.headers["content-length"])
  if (Number.isFinite(declared) && declared > limit) {
    done(new PayloadTooLarge({ message: "request body is too large" }))
    return
  }
  const chunks: Array<Buffer> = []
  let size = 0
  let settled = false
  // inline, unnamed listeners: tsx (keepNames) would pay a defineProperty for a named one on every request.
  // Past the limit the rest of the body is still read, and dropped.
  req.on("data", (chunk: Buffer) => {
    if (settled) return
    size += chunk.length
    if (size > limit) {
      settled = true
      chunks.length = 0
      done(new PayloadTooLarge({ message: "request body is too large" }))
      return
    }
    chunks.push(chunk)
  })
  req.on("end", () => {
    if (!settled) {
      settled = true
      done(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks))
    }
  })
  req.on("error", () => {
    if (!settled) {
      settled = true
      done(new PayloadTooLarge({ message: "request body could not be read" }))
    }
  })
}

/** Reads a request body, refusing it as soon as it passes `limit` bytes. */
export const readBody = (req: IncomingMessage, limit: number): Effect.Effect<Uint8Array, PayloadTooLarge> =>
  Effect.async<Uint8Array, PayloadTooLarge>((resume) =>
    collectBody(req, limit, (body) => resume(Buffer.isBuffer(body) ? Effect.succeed(body) : Effect.fail(body))),
  )
