// One argon2 worker thread of the native PasswordHasher: @node-rs/argon2's synchronous hashRaw
// runs here, on a thread of lowered priority, instead of on libuv's shared pool, whose threads
// compete with the event loop on equal terms. The message loop is argon2WorkerLoop.mjs; jobs may
// name `version` (16 or 19).
import { hashRawSync } from "@node-rs/argon2"
import { serveArgon2 } from "./argon2WorkerLoop.mjs"

// @node-rs/argon2's const enums, written as their values
const algorithms = { argon2d: 0, argon2i: 1, argon2id: 2 }

serveArgon2(
  (job) =>
    new Uint8Array(
      hashRawSync(job.secret, {
        memoryCost: job.memoryCost,
        timeCost: job.timeCost,
        parallelism: job.parallelism,
        outputLen: job.hashLength,
        salt: job.salt,
        algorithm: algorithms[job.variant],
        version: job.version === 16 ? 0 : 1,
      }),
    ),
)
