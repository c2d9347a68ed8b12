/**
 * Audit ingest: events/s from `AuditQueue.enqueue` into the database through the one writer fiber
 * (multi-row INSERTs on the hash chains). Not an HTTP scenario, so not in `index.ts`: it runs the
 * audit layers in process, without a server, to measure the writer alone.
 *
 *   npx tsx bench/scenarios/auditIngest.ts [--events 100000] [--batch 500] [--runs 3]
 *   DATABASE_URL=postgres://… npx tsx bench/scenarios/auditIngest.ts   # Postgres instead of in-memory PGlite
 *
 * Per-event log lines are off (`--log-events` turns them on: a deny is a warning line each).
 * Reports, per run: the enqueue cost per event (what a request pays) and the ingest rate (events/s from
 * the first enqueue until the last row is committed). The queue is sized to the run so nothing drops.
 * On a shared machine the rate follows the load; the CPU each event costs does not: `atomCpuUsPerEvent`
 * (this process and, on Postgres, its audit writer process; user + system) and, on Postgres, `pgCpuUsPerEvent` (the backends connected to the
 * benchmark's database, from /proc) are what to compare between versions. `--writers` sets the writer fibers.
 * `writerLoopDelayMs` is how long the event loop stalled while the writers drained the queue (p99 and max of
 * node's event-loop delay histogram over the flush): the longest a request arriving meanwhile would wait. On a
 * loaded machine that wall time includes the process waiting for a core; `writerStallCpuMs` does not: a 1 ms
 * timer reads this process's CPU time each time it fires, and the CPU spent between two firings is what ran
 * on the event loop in one go (plus GC threads), so its p99 and max are the writer's longest stretches.
 */
import { monitorEventLoopDelay } from "node:perf_hooks"
import { parseArgs } from "node:util"
import { Clock, Context, Effect, Layer, Logger, LogLevel } from "effect"
import { AuditQueue } from "../../packages/services/src/audit/index.js"
import { auditBenchLayers } from "../lib/auditLayers.js"
import { childProcessesCpuMs } from "../lib/processCpu.js"
import { backendCpu, cpuSpent, threadCpu, threadSplit } from "../lib/threadCpu.js"

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "100000" },
    batch: { type: "string", default: "2000" },
    runs: { type: "string", default: "3" },
    writers: { type: "string" },
    // the per-event log line (a deny is a warning) costs more than the write; off unless asked
    "log-events": { type: "boolean", default: false },
  },
})
const events = Number(values.events)
const batchSize = Number(values.batch)
const runs = Number(values.runs)
const writers = values.writers === undefined ? {} : { writers: Number(values.writers) }
const onPostgres = process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== ""

const databaseName = onPostgres ? new URL(process.env.DATABASE_URL ?? "").pathname.slice(1) : ""

/** CPU ms of every Postgres backend serving this database, by pid. */
const backends = Effect.sync(() => (onPostgres ? backendCpu(databaseName) : new Map<number, number>()))

/** CPU ms between consecutive firings of a 1 ms timer, until `stop`. */
const stallProbe = () => {
  const gaps: Array<number> = []
  let last = process.cpuUsage()
  let timer: NodeJS.Timeout | undefined
  const fire = () => {
    const now = process.cpuUsage()
    gaps.push((now.user - last.user + now.system - last.system) / 1000)
    last = now
    timer = setTimeout(fire, 1)
  }
  timer = setTimeout(fire, 1)
  return () => {
    clearTimeout(timer)
    gaps.sort((a, b) => a - b)
    const at = (q: number) => Number((gaps[Math.min(gaps.length - 1, Math.floor(gaps.length * q))] ?? 0).toFixed(1))
    return { p50: at(0.5), p99: at(0.99), max: at(1) }
  }
}

const { config, layer: Writer } = auditBenchLayers()

/** One run on its own queue (the layer is scoped: closing it flushes, as at shutdown). */
const oneRun = (run: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      // twice the run, so the queue stays under half full: the writer's steady mode (a batch in slices),
      // not the catch-up mode of a queue filling towards its capacity
      const ctx = yield* Layer.build(AuditQueue.layer({ capacity: 2 * events, batchSize, ...writers }))
      const queue = Context.get(ctx, AuditQueue)
      const start = yield* Clock.currentTimeMillis
      const pgBefore = yield* backends
      const atomBefore = process.cpuUsage()
      const threadsBefore = threadCpu()
      const writerBefore = childProcessesCpuMs(process.pid)
      const t0 = performance.now()
      for (let i = 0; i < events; i++) {
        yield* queue.enqueue({
          event: "auth.login",
          outcome: "deny",
          actorId: null,
          tenantId: null,
          targetKind: "entity",
          details: { identifier: `user${i}@example.test`, credential_kind: "password", reason: "invalid credentials" },
          clientIp: "127.0.0.1",
          userAgent: "bench",
          requestId: `bench-${run}-${i}`,
        })
      }
      const enqueueMs = performance.now() - t0
      const loopDelay = monitorEventLoopDelay({ resolution: 1 })
      loopDelay.enable()
      const stopProbe = stallProbe()
      const flushed = yield* queue.flush("10 minutes")
      const stall = stopProbe()
      loopDelay.disable()
      const totalMs = performance.now() - t0
      const atomCpu = process.cpuUsage(atomBefore)
      const split = threadSplit(threadsBefore, threadCpu())
      const writerMs = childProcessesCpuMs(process.pid) - writerBefore
      const perEvent = (ms: number) => Number(((ms * 1000) / events).toFixed(1))
      const pgMs = cpuSpent(pgBefore, yield* backends)
      const stats = queue.stats()
      console.log(
        JSON.stringify({
          run,
          database: config.databaseUrl._tag === "Some" ? "postgres" : "pglite",
          events,
          batchSize,
          enqueueUsPerEvent: Number(((enqueueMs * 1000) / events).toFixed(2)),
          ingestEventsPerSec: Math.round(events / (totalMs / 1000)),
          atomCpuUsPerEvent: Number(((atomCpu.user + atomCpu.system + writerMs * 1000) / events).toFixed(1)),
          threadCpuUsPerEvent: {
            main: perEvent(split.mainMs),
            writerProcess: perEvent(writerMs),
            busiestOther: perEvent(split.busiestMs),
            rest: perEvent(split.restMs),
          },
          ...(onPostgres ? { pgCpuUsPerEvent: Number(((pgMs * 1000) / events).toFixed(1)) } : {}),
          writerLoopDelayMs: {
            p50: Number((loopDelay.percentile(50) / 1e6).toFixed(1)),
            p99: Number((loopDelay.percentile(99) / 1e6).toFixed(1)),
            max: Number((loopDelay.max / 1e6).toFixed(1)),
          },
          writerStallCpuMs: stall,
          flushed,
          written: stats.written,
          dropped: stats.dropped,
          startedAt: new Date(start).toISOString(),
        }),
      )
    }),
  )

Effect.runPromise(
  Effect.gen(function* () {
    for (let run = 1; run <= runs; run++) yield* oneRun(run)
  }).pipe(
    Effect.provide(Writer),
    Effect.provide(Logger.minimumLogLevel(values["log-events"] ? LogLevel.Info : LogLevel.Error)),
  ),
).catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
