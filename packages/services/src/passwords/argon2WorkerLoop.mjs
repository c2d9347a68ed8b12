// The message loop both argon2 worker threads share (argon2Worker.mjs with hash-wasm,
// argon2NativeWorker.mjs with @node-rs/argon2): lowers the thread's priority (unless workerData's
// idlePriority is false), then answers each job
// with the raw hash `compute` returns (or resolves to) or with its error. Plain JavaScript, no loader.
//
// in:  { id, variant: "argon2id"|"argon2i"|"argon2d", secret: string|Uint8Array, salt: Uint8Array,
//        memoryCost, timeCost, parallelism, hashLength, version?: 16|19 }
// out: { id, ok: true, hash: Uint8Array } | { id, ok: false, error: string }
import { parentPort, workerData } from "node:worker_threads"
import { lowerThreadPriority } from "../scheduling/lowerThreadPriority.mjs"

const VARIANTS = new Set(["argon2id", "argon2i", "argon2d"])

const describe = (error) => (error instanceof Error ? error.message : String(error))

/** Serves jobs on this worker thread's port with `compute(job)`: a Uint8Array or a promise of one. */
export const serveArgon2 = (compute) => {
  if (parentPort === null) throw new Error("an argon2 worker must run in a worker thread")
  const port = parentPort
  // lowered unless the pool says otherwise (ATOM_PASSWORD_HASHING_IDLE_PRIORITY=false)
  if (workerData?.idlePriority !== false) lowerThreadPriority()
  const fail = (id, error) => port.postMessage({ id, ok: false, error: describe(error) })
  port.on("message", (job) => {
    if (!VARIANTS.has(job.variant)) {
      port.postMessage({ id: job.id, ok: false, error: `unsupported variant ${String(job.variant)}` })
      return
    }
    try {
      Promise.resolve(compute(job)).then(
        (hash) => port.postMessage({ id: job.id, ok: true, hash }),
        (error) => fail(job.id, error),
      )
    } catch (error) {
      fail(job.id, error)
    }
  })
}
