// One argon2 worker thread of PasswordHasher.WasmPool. Plain JavaScript on purpose: it runs
// unchanged under node, tsx and vitest, with no loader. It computes a raw argon2 hash with
// hash-wasm and posts the bytes back; parsing, salting, PHC formatting and the constant-time
// comparison all stay on the main thread (argon2Pool.ts). Its thread runs at lowered priority.
//
// in:  { id, variant: "argon2id"|"argon2i"|"argon2d", secret: string|Uint8Array, salt: Uint8Array,
//        memoryCost, timeCost, parallelism, hashLength }
// out: { id, ok: true, hash: Uint8Array } | { id, ok: false, error: string }
import { parentPort } from "node:worker_threads"
import { argon2d, argon2i, argon2id } from "hash-wasm"
import { lowerThreadPriority } from "./lowerThreadPriority.mjs"

const variants = { argon2id, argon2i, argon2d }

if (parentPort === null) throw new Error("argon2Worker.mjs must run in a worker thread")
const port = parentPort
lowerThreadPriority()

port.on("message", (job) => {
  const fn = variants[job.variant]
  if (fn === undefined) {
    port.postMessage({ id: job.id, ok: false, error: `unsupported variant ${String(job.variant)}` })
    return
  }
  fn({
    password: job.secret,
    salt: job.salt,
    iterations: job.timeCost,
    parallelism: job.parallelism,
    memorySize: job.memoryCost,
    hashLength: job.hashLength,
    outputType: "binary",
  }).then(
    (hash) => port.postMessage({ id: job.id, ok: true, hash }),
    (error) =>
      port.postMessage({ id: job.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  )
})
