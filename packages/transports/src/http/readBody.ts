import type { IncomingMessage } from "node:http"
import { PayloadTooLarge } from "@atom/domain/errors"
import { Effect } from "effect"

/** Reads a request body, refusing it as soon as it passes `limit` bytes. */
export const readBody = (req: IncomingMessage, limit: number): Effect.Effect<Uint8Array, PayloadTooLarge> =>
  Effect.async<Uint8Array, PayloadTooLarge>((resume) => {
    const declared = Number(req.headers["content-length"])
    if (Number.isFinite(declared) && declared > limit) {
      resume(Effect.fail(new PayloadTooLarge({ message: "request body is too large" })))
      return
    }
    const chunks: Array<Buffer> = []
    let size = 0
    let done = false
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > limit && !done) {
        done = true
        req.off("data", onData)
        req.resume()
        resume(Effect.fail(new PayloadTooLarge({ message: "request body is too large" })))
        return
      }
      chunks.push(chunk)
    }
    req.on("data", onData)
    req.once("end", () => {
      if (!done) {
        done = true
        resume(Effect.succeed(Buffer.concat(chunks)))
      }
    })
    req.once("error", () => {
      if (!done) {
        done = true
        resume(Effect.fail(new PayloadTooLarge({ message: "request body could not be read" })))
      }
    })
  })
