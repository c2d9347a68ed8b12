import { spawn } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { testEvent, unreachableWriter } from "./fixtures/unreachableWriter.js"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))

const readOr = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8")
  } catch {
    return undefined
  }
}

/** Field 4 of /proc/<pid>/stat, the parent's pid (the command name, field 2, may hold spaces). */
const parentOf = (pid: string): number | undefined => {
  const stat = readOr(`/proc/${pid}/stat`)
  return stat === undefined ? undefined : Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
}

/** Live audit writer processes started by `parent`. */
const writersOf = (parent: number): Array<string> =>
  readdirSync("/proc").filter(
    (pid) =>
      /^\d+$/.test(pid) &&
      parentOf(pid) === parent &&
      /auditWriterWorker|atom-audit-writer/.test(readOr(`/proc/${pid}/cmdline`) ?? "") &&
      !(readOr(`/proc/${pid}/stat`)?.includes(") Z ") ?? true),
  )

/** `policy` in /proc/<pid>/task/<tid>/sched of every thread of a process: 0 normal, 5 SCHED_IDLE. */
const policies = (pid: string): Array<number> => {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) =>
      Number(
        readOr(`/proc/${pid}/task/${tid}/sched`)
          ?.split("\n")
          .find((l) => l.startsWith("policy"))
          ?.split(":")[1],
      ),
    )
  } catch {
    return []
  }
}

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
  Effect.map(Effect.either(w.append([testEvent("test.priority")], 0, Number.POSITIVE_INFINITY)), (r) =>
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
              await waitFor(() => policies(pid).every((p) => p === 5), 10_000)
              return policies(pid)
            }),
          ),
        ),
      ),
    )
    expect(threads.length).toBeGreaterThan(1)
    expect(threads.every((p) => p === 5)).toBe(true)
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
              // the bad event in the first of two chunks (sliceMs finite: 200 events a chunk)
              w.append([malformed, ...Array.from({ length: 250 }, () => testEvent("test.after"))], 0, 5),
              w.append([testEvent("test.after")], 0, Number.POSITIVE_INFINITY),
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
      process.kill(Number(pid), "SIGTERM")
      await new Promise((r) => setTimeout(r, 500))
      expect(readOr(`/proc/${pid}/stat`)).toBeDefined()
      host.kill("SIGKILL")
      // orphaned, its channel closed: it ends by itself (reparented, so looked up by pid)
      expect(
        await waitFor(() => {
          const stat = readOr(`/proc/${pid}/stat`)
          return stat === undefined || stat.includes(") Z ")
        }, 15_000),
      ).toBeDefined()
    } finally {
      host.kill("SIGKILL")
    }
  }, 60_000)
})
