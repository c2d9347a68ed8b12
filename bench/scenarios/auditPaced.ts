/**
 * What a steady stream of audited decisions costs each thread: the audit queue in process (no server), fed
 * as a bulk Check feeds it (`enqueueAll` of `--per-request` allowed `authz.check` events), paced at `--rate`
 * events/s for `--duration` s. Each round runs twice, alternating: once with hot-path allows stored
 * (`ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED=true`, every event queued and written) and once with them only
 * counted, so the difference is the audit's cost alone, per event:
 *
 *   npx tsx bench/scenarios/auditPaced.ts [--rate 15000] [--per-request 200] [--duration 5] [--runs 3] [--warmup 1]
 *   DATABASE_URL=postgres://… npx tsx bench/scenarios/auditPaced.ts   # Postgres, with the writer process
 *
 * `main` is what the event loop pays (stored − counted): the part that competes with requests whatever the
 * writer's priority. `writer` is the writer process's own (on Postgres; all of its threads, at idle
 * priority), `helpers` this process's other threads (V8's parallel GC and compiler helpers, at normal
 * priority), and `pg` the Postgres backends of the bench's database. Unlike `auditIngest.ts`, which
 * enqueues everything first and then drains, the queue here stays short, as in a server.
 *
 * Each round starts a fresh writer process, whose V8 keeps compiling for a minute or more as its functions
 * turn hot: `--warmup` (seconds fed before the measured stretch, default 1) at 60 or so gives a long-running
 * server's figures.
 */
import { parseArgs } from "node:util"
import { Context, Effect, Layer, Logger, LogLevel } from "effect"
import type { AuditEvent } from "../../packages/domain/src/audit/index.js"
import { AuditQueue } from "../../packages/services/src/audit/index.js"
import { auditBenchLayers } from "../lib/auditLayers.js"
import { childProcessesCpuMs } from "../lib/processCpu.js"
import { median } from "../lib/stats.js"
import { backendCpu, cpuSpent, threadCpu, threadSplit } from "../lib/threadCpu.js"

const { values } = parseArgs({
  options: {
    rate: { type: "string", default: "15000" },
    "per-request": { type: "string", default: "200" },
    duration: { type: "string", default: "5" },
    runs: { type: "string", default: "3" },
    warmup: { type: "string", default: "1" },
  },
})
const rate = Number(values.rate)
const perRequest = Math.max(1, Number(values["per-request"]))
const durationMs = Number(values.duration) * 1000
const runs = Number(values.runs)
const warmupMs = Number(values.warmup) * 1000
const databaseUrl = process.env.DATABASE_URL ?? ""
const database = databaseUrl === "" ? "" : new URL(databaseUrl).pathname.slice(1)

const CALLER = "00000000-0000-0000-0000-000000000001"

/** One bulk Check's events, as `observeBulkDecisions` builds them (fresh objects each time). */
const bulkEvents = (): Array<AuditEvent> =>
  Array.from({ length: perRequest }, (_, i) => {
    const object = `6f1c2d3e-0000-4000-8000-${String(i % 1000).padStart(12, "0")}`
    return {
      event: "authz.check",
      outcome: "allow",
      actorId: CALLER,
      tenantId: null,
      targetKind: "resource",
      targetId: object,
      details: {
        subject_id: CALLER,
        action: "read",
        object_kind: "resource",
        object_id: object,
        dialect: "graphql_bulk",
        reason: "allowed by policy",
      },
    }
  })

const layers = (stored: boolean) =>
  AuditQueue.layer().pipe(
    Layer.provideMerge(auditBenchLayers({ ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED: String(stored) }).layer),
  )

/** Feeds the queue at `rate` events/s for `ms`, a request's worth at a time; answers the events fed. */
const pace = (queue: Context.Tag.Service<AuditQueue>, ms: number) =>
  Effect.promise(
    () =>
      new Promise<number>((resolve) => {
        const start = performance.now()
        let requests = 0
        const tick = () => {
          const elapsed = performance.now() - start
          const due = Math.floor(((elapsed / 1000) * rate) / perRequest)
          for (; requests < due; requests++) Effect.runSync(queue.enqueueAll(bulkEvents()))
          if (elapsed < ms) setTimeout(tick, 1)
          else resolve(requests * perRequest)
        }
        tick()
      }),
  )

/** One round: a fresh queue (and writer process), the warm-up, then the measured stretch. */
const round = (stored: boolean) =>
  Effect.scoped(
    Effect.gen(function* () {
      const queue = Context.get(yield* Layer.build(layers(stored)), AuditQueue)
      yield* pace(queue, warmupMs)
      const pgBefore = database === "" ? new Map<number, number>() : backendCpu(database)
      const threadsBefore = threadCpu()
      const writerBefore = childProcessesCpuMs(process.pid)
      const events = yield* pace(queue, durationMs)
      // what the stretch queued is written before the CPU is read: its writes count in full
      const flushed = yield* queue.flush("60 seconds")
      const split = threadSplit(threadsBefore, threadCpu())
      const writerMs = childProcessesCpuMs(process.pid) - writerBefore
      const pgMs = database === "" ? 0 : cpuSpent(pgBefore, backendCpu(database))
      const per = (ms: number) => (ms * 1000) / events
      return {
        events,
        flushed,
        dropped: queue.stats().dropped,
        main: per(split.mainMs),
        writer: per(writerMs),
        helpers: per(split.busiestMs + split.restMs),
        pg: per(pgMs),
      }
    }),
  )

const fixed = (n: number) => Number(n.toFixed(2))

Effect.runPromise(
  Effect.gen(function* () {
    const diffs: Array<{ main: number; writer: number; helpers: number; pg: number }> = []
    for (let run = 1; run <= runs; run++) {
      // alternating which goes first, so a drift of the machine's speed does not favour one side
      const first = run % 2 === 1
      const a = yield* round(first)
      const b = yield* round(!first)
      const [on, off] = first ? [a, b] : [b, a]
      const diff = {
        main: on.main - off.main,
        writer: on.writer - off.writer,
        helpers: on.helpers - off.helpers,
        pg: on.pg - off.pg,
      }
      diffs.push(diff)
      console.log(
        JSON.stringify({
          run,
          database: database === "" ? "pglite" : "postgres",
          rate,
          perRequest,
          events: on.events,
          flushed: on.flushed && off.flushed,
          dropped: on.dropped,
          storedUsPerEvent: { main: fixed(on.main), writer: fixed(on.writer), helpers: fixed(on.helpers) },
          countedUsPerEvent: { main: fixed(off.main), writer: fixed(off.writer), helpers: fixed(off.helpers) },
          auditUsPerEvent: {
            main: fixed(diff.main),
            writer: fixed(diff.writer),
            helpers: fixed(diff.helpers),
            pg: fixed(diff.pg),
          },
        }),
      )
    }
    const mid = (pick: (d: (typeof diffs)[number]) => number) => fixed(median(diffs.map(pick)))
    console.log(
      `audit-paced at ${rate} events/s (${perRequest} per request): audit CPU per event, median of ${runs} ` +
        `(stored − counted): main thread ${mid((d) => d.main)} µs, writer process ${mid((d) => d.writer)} µs, ` +
        `helper threads ${mid((d) => d.helpers)} µs, Postgres ${mid((d) => d.pg)} µs` +
        `  [${database === "" ? "pglite" : "postgres"}]`,
    )
  }).pipe(Effect.provide(Logger.minimumLogLevel(LogLevel.Error))),
).catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
