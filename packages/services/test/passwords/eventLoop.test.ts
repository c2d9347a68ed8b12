import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { performance } from "node:perf_hooks"
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer, ManagedRuntime, Redacted } from "effect"
import { argon2id } from "hash-wasm"
import { OWASP_ARGON2ID, PasswordHasher } from "../../src/passwords/index.js"

// Hashing must never stall the event loop. A timer due every 5 ms is watched while 8
// OWASP-cost hashes run at once. Per tick:
//   lag  — how late the tick fired (wall clock): blocking, plus time the OS left the runnable
//          thread waiting for a CPU, plus timer granularity.
//   wait — of that, the main thread's run-queue wait (Linux schedstat): time it was ready to run
//          but other processes held the CPUs. On a shared, overloaded box this dominates.
//   cpu  — the main thread's own CPU time between ticks (schedstat): what it actually ran.
// The event loop is not blocked when `cpu` stays under 20 ms and `lag − wait` under 40 ms;
// raw `lag` is reported too (it equals lag − wait on an idle machine). A control runs the same
// WASM hashes on the main thread, to show `cpu` and `lag − wait` do see blocking.

const TICK_MS = 5
const CONCURRENT = 8
/** Main-thread CPU between two ticks: what blocking the loop costs (a hash on it takes 80 ms or more here). */
const LIMIT_MS = 20
/**
 * Lag less run-queue wait also holds time the whole VM was not scheduled (host steal, which schedstat does
 * not see): on a loaded 2-core CI machine it once reached 20.3 ms with 2 ms of main-thread CPU, in each of the
 * three runs. Blocking shows as 80 ms or more (the control), so 40 ms still tells them apart.
 */
const LAG_LIMIT_MS = 40

interface Sample {
  readonly maxLag: number
  readonly maxLagLessWait: number
  readonly maxCpu: number
  readonly elapsed: number
}

const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`

/** Main-thread CPU time and run-queue wait, in ms; zeros where /proc does not provide them. */
const sched = (): { readonly cpu: number; readonly wait: number } => {
  try {
    const [cpu = "0", wait = "0"] = readFileSync(SCHEDSTAT, "utf8").trim().split(" ")
    return { cpu: Number(cpu) / 1e6, wait: Number(wait) / 1e6 }
  } catch {
    return { cpu: 0, wait: 0 }
  }
}

const watch = async (work: () => Promise<unknown>): Promise<Sample> => {
  let maxLag = 0
  let maxLagLessWait = 0
  let maxCpu = 0
  let last = performance.now()
  let lastSched = sched()
  const timer = setInterval(() => {
    const now = performance.now()
    const s = sched()
    const lag = now - last - TICK_MS
    maxLag = Math.max(maxLag, lag)
    maxLagLessWait = Math.max(maxLagLessWait, lag - (s.wait - lastSched.wait))
    maxCpu = Math.max(maxCpu, s.cpu - lastSched.cpu)
    last = now
    lastSched = s
  }, TICK_MS)
  const t0 = performance.now()
  try {
    await work()
  } finally {
    clearInterval(timer)
  }
  return { maxLag, maxLagLessWait, maxCpu, elapsed: performance.now() - t0 }
}

const bestOf = async (runs: number, sample: () => Promise<Sample>): Promise<Sample> => {
  const samples: Array<Sample> = []
  for (let i = 0; i < runs; i++) samples.push(await sample())
  const best = (f: (s: Sample) => number) => Math.min(...samples.map(f))
  return {
    maxLag: best((s) => s.maxLag),
    maxLagLessWait: best((s) => s.maxLagLessWait),
    maxCpu: best((s) => s.maxCpu),
    elapsed: best((s) => s.elapsed),
  }
}

const report = (name: string, s: Sample) =>
  console.log(
    `[lag] ${name}: ${s.elapsed.toFixed(0)} ms; timer lag ${s.maxLag.toFixed(1)} ms, ` +
      `lag less run-queue wait ${s.maxLagLessWait.toFixed(1)} ms, main-thread CPU between ticks ${s.maxCpu.toFixed(1)} ms`,
  )

const measure = async (hasher: Layer.Layer<PasswordHasher>) => {
  const rt = ManagedRuntime.make(hasher)
  try {
    const h = await rt.runPromise(PasswordHasher)
    await rt.runPromise(h.hash(Redacted.make("warm-up"))) // load the binding / start the workers first
    const eight = () =>
      rt.runPromise(
        Effect.all(
          Array.from({ length: CONCURRENT }, (_, i) => h.hash(Redacted.make(`password-${i}`))),
          { concurrency: "unbounded" },
        ),
      )
    const s = await bestOf(3, () => watch(eight))
    report(`${h.implementation}, 8 concurrent hashes (best of 3)`, s)
    return s
  } finally {
    await rt.dispose()
  }
}

describe("the event loop stays responsive while 8 hashes run", () => {
  it("NodeRs (libuv thread pool): loop CPU < 20 ms and timer lag (less run-queue wait) < 40 ms", async () => {
    const s = await measure(PasswordHasher.NodeRs)
    expect(s.maxCpu).toBeLessThan(LIMIT_MS)
    expect(s.maxLagLessWait).toBeLessThan(LAG_LIMIT_MS)
  })

  it("WasmPool (worker threads): the loop only posts messages", async () => {
    const s = await measure(PasswordHasher.WasmPool)
    expect(s.maxCpu).toBeLessThan(LIMIT_MS)
    expect(s.maxLagLessWait).toBeLessThan(LAG_LIMIT_MS)
  })

  it("control: the same WASM hashes on the main thread do block it", async () => {
    const s = await watch(async () => {
      for (let i = 0; i < 3; i++) {
        await argon2id({
          password: `password-${i}`,
          salt: new Uint8Array(randomBytes(16)),
          iterations: OWASP_ARGON2ID.timeCost,
          parallelism: OWASP_ARGON2ID.parallelism,
          memorySize: OWASP_ARGON2ID.memoryCost,
          hashLength: OWASP_ARGON2ID.hashLength,
          outputType: "encoded",
        })
      }
    })
    report("control: 3 hash-wasm hashes on the main thread", s)
    expect(s.maxLagLessWait).toBeGreaterThan(LAG_LIMIT_MS)
    if (s.maxCpu > 0) expect(s.maxCpu).toBeGreaterThan(LIMIT_MS)
  })
})
