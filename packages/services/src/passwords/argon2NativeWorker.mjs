// One argon2 worker thread of the native PasswordHasher: @node-rs/argon2's synchronous hashRaw
// runs here, on a thread of lowered priority (lowerThreadPriority.mjs), instead of on libuv's
// shared pool, whose threads compete with the event loop on equal terms. Same messages as
// argon2Worker.mjs (see argon2Pool.ts), plus `version` (16 or 19).
import { parentPort } from "node:worker_threads"
import { hashRawSync } from "@node-rs/argon2"
import { lowerThreadPriority } from "./lowerThreadPriority.mjs"

// @node-rs/argon2's const enums, written as their values
const algorithms = { argon2d: 0, argon2i: 1, argon2id: 2 }

if (parentPort === null) throw new Error("argon2NativeWorker.mjs must run in a worker thread")
const port = parentPort
lowerThreadPriority()

port.on("message", (job) => {
  const algorithm = algorithms[job.variant]
  if (algorithm === undefined) {
    port.postMessage({ id: job.id, ok: false, error: `unsupported variant ${String(job.variant)}` })
    return
  }
  try {
    const hash = hashRawSync(job.secret, {
      memoryCost: job.memoryCost,
      timeCost: job.timeCost,
      parallelism: job.parallelism,
      outputLen: job.hashLength,
      salt: job.salt,
      algorithm,
      version: job.version === 16 ? 0 : 1,
    })
    port.postMessage({ id: job.id, ok: true, hash: new Uint8Array(hash) })
  } catch (error) {
    port.postMessage({ id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) })
  }
})
