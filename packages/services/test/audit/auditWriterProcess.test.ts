import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import {
  childPids,
  commandLine,
  isLive,
  SCHED_IDLE,
  schedPolicy,
  threadIds,
} from "../../../server/test/support/procfs.js"
import { encodeEvents } from "../../src/audit/auditChunkCodec.js"
import { testEvent, unreachableWriter } from "./fixtures/unreachableWriter.js"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

/** Live audit writer processes started by `parent`. */
const writersOf = (parent: number): Array<number> =>
  childPids(parent).filter((pid) => /auditWriterWorker|atom-audit-writer/.test(commandLine(pid)))

/** The scheduling policy of every thread of a process: 0 normal, SCHED_IDLE (5). */
const policies = (pid: number): Array<number> => threadIds(pid).map((tid) => schedPolicy(pid, tid) ?? Number.NaN)

/** Polls until `ready` holds (or the time is up); answers how long it took, or undefined. */
const waitFor = async (ready: () => boolean, maxMs: number): Promise<number | undefined> => {
  const started = Date.now()
  while (Date.now() - started < maxMs) {
    if (ready()) return Date.now() - started
    await new Promise((r) => setTimeout(r, 20))
  }
  return undefined
}

const writer = unreachableWriter

/** A write's answer from the process: it started (priority first, then the write, refused by port 1). */
const answered = (w: Effect.Effect.Success<ReturnType<typeof writer>>) =>
  Effect.map(Effect.either(w.append([encodeEvents([testEvent("test.priority")])], 0, Number.POSITIVE_INFINITY)), (r) =>
    r._tag === "Left" ? r.left._tag : "written",
  )

describe.runIf(process.platform === "linux")("the audit writer process", () => {
  it("runs every thread under SCHED_IDLE by default, at normal priority when switched off, and ends with its scope", async () => {
    const seen = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(writer(true), (w) =>
          Effect.zip(
            answered(w),
            Effect.sync(() => writersOf(process.pid)),
          ),
        ),
      ),
    )
    expect(seen[0]).toBe("Unavailable")
    const [idlePid] = seen[1]
    expect(seen[1]).toHaveLength(1)
    if (idlePid === undefined) throw new Error("no writer process")
    // the scope closed: the process ended (told to close, it needs no kill)
    expect(await waitFor(() => !writersOf(process.pid).includes(idlePid), 10_000)).toBeDefined()

    const normal = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(writer(false), (w) =>
          Effect.zip(
            answered(w),
            Effect.sync(() => writersOf(process.pid).map(policies)),
          ),
        ),
      ),
    )
    expect(normal[0]).toBe("Unavailable")
    expect(normal[1]).toHaveLength(1)
    expect(normal[1][0]?.length).toBeGreaterThan(1)
    expect(normal[1][0]?.every((p) => p === 0)).toBe(true)
  }, 60_000)

  it("lowers all of its threads (V8's helpers too), not only the one that writes", async () => {
    const threads = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(writer(true), (w) =>
          Effect.zipRight(
            answered(w),
            Effect.promise(async () => {
              const [pid] = writersOf(process.pid)
              if (pid === undefined) return []
              await waitFor(() => policies(pid).every((p) => p === SCHED_IDLE), 10_000)
              return policies(pid)
            }),
          ),
        ),
      ),
    )
    expect(threads.length).toBeGreaterThan(1)
    expect(threads.every((p) => p === SCHED_IDLE)).toBe(true)
  }, 60_000)

  it("answers a batch it cannot read with InvalidInput, so no lane waits forever, and goes on writing", async () => {
    const malformed = { ...testEvent("test.malformed") }
    // not an outcome the contract knows: the process's message guard refuses the chunk
    Reflect.set(malformed, "outcome", "maybe")
    const answers = await Effect.runPromise(
      Effect.scoped(
        Effect.flatMap(writer(true), (w) =>
          Effect.all(
            [
              // the bad event in the first of two chunks (sliceMs finite: one message a chunk)
              w.append(
                [
                  encodeEvents([malformed, ...Array.from({ length: 199 }, () => testEvent("test.after"))]),
                  encodeEvents(Array.from({ length: 51 }, () => testEvent("test.after"))),
                ],
                0,
                5,
              ),
              w.append([encodeEvents([testEvent("test.after")])], 0, Number.POSITIVE_INFINITY),
            ].map((write) => Effect.map(Effect.either(write), (r) => (r._tag === "Left" ? r.left._tag : "written"))),
          ).pipe(Effect.timeout("30 seconds")),
        ),
      ),
    )
    // the next batch on the same lane is read and written (refused by port 1 as an outage)
    expect(answers).toEqual(["InvalidInput", "Unavailable"])
  }, 60_000)

  it("ends when its server dies without closing it (kill -9), and ignores SIGTERM sent to it alone", async () => {
    const host = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./fixtures/writerHost.ts", import.meta.url))],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] },
    )
    try {
      await new Promise<void>((resolve, reject) => {
        host.stdout.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes("started")) resolve()
        })
        host.once("exit", () => reject(new Error("the host ended early")))
      })
      const hostPid = host.pid ?? 0
      expect(await waitFor(() => writersOf(hostPid).length === 1, 20_000)).toBeDefined()
      const [pid] = writersOf(hostPid)
      if (pid === undefined) throw new Error("no writer process")
      // a terminal's Ctrl-C or a process manager signals the group: the server decides when the writer ends
      process.kill(pid, "SIGTERM")
      await new Promise((r) => setTimeout(r, 500))
      expect(isLive(pid)).toBe(true)
      host.kill("SIGKILL")
      // orphaned, its channel closed: it ends by itself (reparented, so looked up by pid)
      expect(await waitFor(() => !isLive(pid), 15_000)).toBeDefined()
    } finally {
      host.kill("SIGKILL")
    }
  }, 60_000)
})
