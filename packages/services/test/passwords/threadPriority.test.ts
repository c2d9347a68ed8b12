import { Effect, ManagedRuntime, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { SCHED_IDLE, schedPolicy, statFields, threadIds } from "../../../server/test/support/procfs.js"
import { PasswordHasher, scopedNodeRs, TEST_ARGON2ID } from "../../src/passwords/index.js"

const threads = () => threadIds(process.pid)
/** A thread's nice value (field 19 of its stat). */
const niceOf = (tid: string): number | undefined => {
  const nice = statFields(`${process.pid}/task/${tid}`)?.[16]
  return nice === undefined ? undefined : Number(nice)
}
const nicedThreads = (): number => threads().filter((tid) => (niceOf(tid) ?? 0) >= 10).length
const idleThreads = (): number => threads().filter((tid) => schedPolicy(process.pid, tid) === SCHED_IDLE).length

describe.runIf(process.platform === "linux")("password hashing yields the CPU to the event loop", () => {
  for (const [name, layer] of [
    ["NodeRs", PasswordHasher.NodeRs],
    ["WasmPool", PasswordHasher.WasmPool],
  ] as const) {
    it(`${name} hashes on threads of lowered priority (nice 10, SCHED_IDLE), the main thread keeps its own`, async () => {
      const before = nicedThreads()
      const idleBefore = idleThreads()
      const mainNice = niceOf(String(process.pid))
      const rt = ManagedRuntime.make(layer)
      try {
        const hasher = await rt.runPromise(PasswordHasher)
        // two hashes in flight start two workers (the pool has one per CPU, at least one)
        const secret = Redacted.make("correct horse battery staple")
        const [a, b] = await rt.runPromise(Effect.all([hasher.hash(secret), hasher.hash(secret)], { concurrency: 2 }))
        expect(await rt.runPromise(hasher.verify(a, secret))).toBe(true)
        expect(await rt.runPromise(hasher.verify(b, Redacted.make("wrong")))).toBe(false)
        expect(nicedThreads()).toBeGreaterThan(before)
        expect(niceOf(String(process.pid))).toBe(mainNice)
        // and of the SCHED_IDLE policy (set with util-linux's chrt, on every Debian system); the main thread not
        expect(idleThreads()).toBeGreaterThan(idleBefore)
        expect(schedPolicy(process.pid, String(process.pid))).toBe(0)
      } finally {
        await rt.dispose()
      }
    })
  }

  it("keeps the process's priority when switched off (ATOM_PASSWORD_HASHING_IDLE_PRIORITY=false)", async () => {
    const niced = nicedThreads()
    const idle = idleThreads()
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const hasher = yield* scopedNodeRs(TEST_ARGON2ID, 2, false)
          const secret = Redacted.make("correct horse battery staple")
          // two in flight: both workers are up and have served a job (the priority is set before the first)
          yield* Effect.all([hasher.hash(secret), hasher.hash(secret)], { concurrency: 2 })
          return { niced: nicedThreads(), idle: idleThreads() }
        }),
      ),
    )
    expect(seen).toEqual({ niced, idle })
  })
})
