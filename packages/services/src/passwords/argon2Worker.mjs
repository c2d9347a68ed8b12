// One argon2 worker thread of PasswordHasher.WasmPool: a raw argon2 hash with hash-wasm, posted back
// as bytes; parsing, salting, PHC formatting and the constant-time comparison stay on the main thread
// (argon2Pool.ts). The message loop and the lowered priority are argon2WorkerLoop.mjs.
import { argon2d, argon2i, argon2id } from "hash-wasm"
import { serveArgon2 } from "./argon2WorkerLoop.mjs"

const variants = { argon2id, argon2i, argon2d }

serveArgon2((job) =>
  variants[job.variant]({
    password: job.secret,
    salt: job.salt,
    iterations: job.timeCost,
    parallelism: job.parallelism,
    memorySize: job.memoryCost,
    hashLength: job.hashLength,
    outputType: "binary",
  }),
)
