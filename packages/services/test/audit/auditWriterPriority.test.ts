import { readdirSync, readFileSync } from "node:fs"
import { Effect, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { makeAuditWriterThread } from "../../src/audit/auditWriterThread.js"

// `policy` in /proc/<pid>/task/<tid>/sched: 0 normal, 5 SCHED_IDLE
const idleThreads = (): number =>
  readdirSync("/proc/self/task").filter((tid) => {
    try {
      const line = readFileSync(`/proc/self/task/${tid}/sched`, "utf8")
        .split("\n")
        .find((l) => l.startsWith("policy"))
      return Number(line?.split(":")[1]) === 5
    } catch {
      return false
    }
  }).length

/** Polls until `ready` holds (or the time is up); answers how long it took, or undefined. */
const waitFor = (ready: () => boolean, maxMs: number) =>
  Effect.gen(function* () {
    const started = Date.now()
    while (Date.now() - started < maxMs) {
      if (ready()) return Date.now() - started
      yield* Effect.sleep("20 millis")
    }
    return undefined
  })

/** The writer thread (it lowers its priority first thing; no connection is made before a write). */
const writer = (idlePriority: boolean) =>
  makeAuditWriterThread(Redacted.make("postgres://nobody@127.0.0.1:1/none"), {
    lanes: 1,
    connectTimeoutSecs: 1,
    idleTimeoutSecs: 1,
    maxLifetimeSecs: 60,
    idlePriority,
  })

describe.runIf(process.platform === "linux")("the audit writer thread's priority", () => {
  it("runs under SCHED_IDLE by default, at normal priority when switched off", async () => {
    const idleBefore = idleThreads()
    const tookMs = await Effect.runPromise(
      Effect.scoped(
        Effect.zipRight(
          writer(true),
          waitFor(() => idleThreads() > idleBefore, 20_000),
        ),
      ),
    )
    expect(tookMs).toBeDefined()

    // switched off: given twice as long as the idle one took to start, no thread took the idle policy
    const idleBetween = idleThreads()
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.zipRight(
          writer(false),
          Effect.zipRight(
            waitFor(() => false, 2 * (tookMs ?? 0) + 500),
            Effect.sync(() => idleThreads()),
          ),
        ),
      ),
    )
    expect(seen).toBe(idleBetween)
  }, 60_000)
})
