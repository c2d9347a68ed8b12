/**
 * Floor: the raw argon2id verification rate — what one password login must spend, with nothing around it. Each
 * operation is what Atom's PasswordHasher (node-rs) does to verify a password: argon2id v=0x13 under the same
 * parameters (OWASP_ARGON2ID: m=19456 KiB, t=2, p=1, 32-byte output) with the stored salt, on the libuv thread
 * pool, then a constant-time comparison.
 *
 * Not a load target but a loop: `POST /run?seconds=<s>&inflight=<n>` runs `n` verifications concurrently for `s`
 * seconds in this process and answers the `LoadResult` as JSON.
 */
import { randomBytes, timingSafeEqual } from "node:crypto"
import { createServer } from "node:http"
import { hashRaw } from "../../packages/services/node_modules/@node-rs/argon2/index.js"
import { OWASP_ARGON2ID } from "../../packages/services/src/passwords/phc.js"
import { LatencySamples, type LoadResult } from "../lib/stats.js"
import { announceReady, FLOOR_HOST } from "./announce.js"

const SECRET = "bench-admin-password-1"
const OPTIONS = {
  memoryCost: OWASP_ARGON2ID.memoryCost,
  timeCost: OWASP_ARGON2ID.timeCost,
  parallelism: OWASP_ARGON2ID.parallelism,
  outputLen: OWASP_ARGON2ID.hashLength,
  salt: new Uint8Array(randomBytes(OWASP_ARGON2ID.saltLength)),
  algorithm: 2, // Argon2id
  version: 1, // V0x13
} as const
const stored = await hashRaw(SECRET, OPTIONS)

const verifyOne = async () => {
  const computed = await hashRaw(SECRET, OPTIONS)
  if (!timingSafeEqual(computed, stored)) throw new Error("argon2 mismatch")
}

const run = async (seconds: number, inflight: number): Promise<LoadResult> => {
  const samples = new LatencySamples()
  let ok = 0
  let errors = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now()
      try {
        await verifyOne()
        ok++
        samples.add(performance.now() - t0)
      } catch {
        errors++
      }
    }
  }
  await Promise.all(Array.from({ length: inflight }, loop))
  const elapsedSec = (performance.now() - started) / 1000
  const [p50 = Number.NaN, p99 = Number.NaN] = samples.percentiles([50, 99])
  return { opsPerSec: ok / elapsedSec, p50Ms: p50, p99Ms: p99, ok, errors, elapsedSec }
}

const bounded = (raw: string | null, fallback: number, max: number) => {
  const n = Number(raw ?? fallback)
  return Number.isInteger(n) && n >= 1 && n <= max ? n : fallback
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://${FLOOR_HOST}`)
  if (req.method !== "POST" || url.pathname !== "/run") {
    res.writeHead(404).end()
    return
  }
  void run(bounded(url.searchParams.get("seconds"), 5, 60), bounded(url.searchParams.get("inflight"), 8, 256)).then(
    (result) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(result)),
    (e: unknown) => res.writeHead(500).end(e instanceof Error ? e.message : String(e)),
  )
})
server.listen(0, FLOOR_HOST, () => {
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("argon2 floor: no port")
  announceReady(address.port, (done) => {
    server.closeAllConnections()
    server.close(done)
  })
})
