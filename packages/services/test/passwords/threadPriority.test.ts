import { readdirSync, readFileSync } from "node:fs"
import { Effect, ManagedRuntime, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { PasswordHasher } from "../../src/passwords/index.js"

// field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value; the command name (field 2)
// is in parentheses and may hold spaces, so count from the closing one
const niceOf = (tid: string): number | undefined => {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return Number(fields[16])
  } catch {
    return undefined
  }
}

const nicedThreads = (): number => readdirSync("/proc/self/task").filter((tid) => (niceOf(tid) ?? 0) >= 10).length

describe.runIf(process.platform === "linux")("password hashing yields the CPU to the event loop", () => {
  for (const [name, layer] of [
    ["NodeRs", PasswordHasher.NodeRs],
    ["WasmPool", PasswordHasher.WasmPool],
  ] as const) {
    it(`${name} hashes on threads of lowered priority (nice 10), the main thread keeps its own`, async () => {
      const before = nicedThreads()
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
      } finally {
        await rt.dispose()
      }
    })
  }
})
