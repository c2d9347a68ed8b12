import { randomUUID } from "node:crypto"
import { readdirSync, readFileSync } from "node:fs"
import type { PreparedAuditEvent } from "@atom/domain/audit"
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

const event: PreparedAuditEvent = {
  id: randomUUID(),
  createdAt: new Date(),
  actorId: null,
  tenantId: null,
  targetKind: null,
  targetId: null,
  event: "test.priority",
  outcome: "deny",
  details: {},
  clientIp: null,
  userAgent: null,
  requestId: null,
}

/** A write's answer from the thread: its module ran (priority first, then the write, refused by port 1). */
const answered = (thread: Effect.Effect.Success<ReturnType<typeof writer>>) =>
  Effect.map(Effect.either(thread.append([event], 0, Number.POSITIVE_INFINITY)), (r) =>
    r._tag === "Left" ? r.left._tag : "written",
  )

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

    // switched off: the thread answers a write (so its module ran, and lowering the priority comes first),
    // and no thread took the idle policy meanwhile
    const idleBetween = idleThreads()
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(writer(false), (thread) =>
          Effect.zip(
            answered(thread),
            Effect.sync(() => idleThreads()),
          ),
        ),
      ),
    )
    expect(seen[0]).toBe("Unavailable")
    const [, idleAfter] = seen
    expect(idleAfter).toBe(idleBetween)
  }, 60_000)
})
