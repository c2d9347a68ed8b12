import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Argon2WorkerPool, NATIVE_WORKER_URL } from "../../src/passwords/index.js"

// The WasmPool worker is a plain .mjs file so it runs the same under vitest, tsx and plain node.

const run = promisify(execFile)
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

// @node-rs/argon2 hashRaw("pw", { salt: 16 × 0x01, m: 8, t: 1, p: 1 }): the native binding's answer.
const EXPECTED = "64fe8fc3271ba360f46a2e90dfb71ab4564b6017d6bec8eff1d5b4dfcedfe073"

const job = {
  variant: "argon2id",
  secret: "pw",
  salt: new Uint8Array(16).fill(1),
  memoryCost: 8,
  timeCost: 1,
  parallelism: 1,
  hashLength: 32,
} as const

describe("argon2 worker runtime", () => {
  it("runs under plain node and matches the native binding", async () => {
    const { stdout } = await run(process.execPath, [fixture("workerUnderNode.mjs")], { cwd: repoRoot })
    expect(JSON.parse(stdout)).toEqual({ ok: true, hex: EXPECTED })
  })

  it("runs under tsx (the WasmPool layer from TypeScript)", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", fixture("hasherUnderTsx.ts")], { cwd: repoRoot })
    const out: unknown = JSON.parse(stdout)
    expect(out).toMatchObject({ implementation: "wasm-pool", ok: true, wrong: false })
  })

  it("runs under vitest, bounded by the pool size, and refuses work once closed", async () => {
    const pool = new Argon2WorkerPool(2)
    try {
      // no thread (a V8 isolate of its own) until the first hash
      expect(pool.workers).toBe(0)
      const results = await Promise.all(Array.from({ length: 5 }, () => pool.run(job)))
      for (const r of results) expect(Buffer.from(r).toString("hex")).toBe(EXPECTED)
      expect(pool.workers).toBe(2)
      const bytes = await pool.run({ ...job, secret: new TextEncoder().encode("pw") })
      expect(Buffer.from(bytes).toString("hex")).toBe(EXPECTED)
    } finally {
      await pool.close()
    }
    await expect(pool.run(job)).rejects.toThrow("closed")
  })

  it("fails a job whose parameters argon2 rejects, and keeps serving (both workers)", async () => {
    for (const pool of [new Argon2WorkerPool(1), new Argon2WorkerPool(1, NATIVE_WORKER_URL)]) {
      try {
        await expect(pool.run({ ...job, memoryCost: 1 })).rejects.toThrow("argon2 worker")
        expect(Buffer.from(await pool.run(job)).toString("hex")).toBe(EXPECTED)
      } finally {
        await pool.close()
      }
    }
  })

  it("hands each worker its next job before the current one ends, and no more than that", async () => {
    const pool = new Argon2WorkerPool(2, undefined, 2)
    try {
      const jobs = Array.from({ length: 5 }, () => pool.run(job))
      // both workers hold two jobs at once (a hash never waits for the event loop to post the next); one waits
      expect(pool.workers).toBe(2)
      expect(pool.queued).toBe(1)
      for (const r of await Promise.all(jobs)) expect(Buffer.from(r).toString("hex")).toBe(EXPECTED)
      expect(pool.queued).toBe(0)
    } finally {
      await pool.close()
    }
  })

  it("drops a queued job when its caller aborts", async () => {
    const pool = new Argon2WorkerPool(1, undefined, 1)
    try {
      const first = pool.run(job)
      const controller = new AbortController()
      const second = pool.run(job, controller.signal)
      controller.abort()
      await expect(second).rejects.toThrow("aborted")
      expect(Buffer.from(await first).toString("hex")).toBe(EXPECTED)
    } finally {
      await pool.close()
    }
  })
})
