/**
 * Atom's server with a synthetic source of decision events, for `auditCheckP99 --inject`: the server starts as
 * `atom serve` does and, on each SIGUSR2, queues `ATOM_BENCH_INJECT_RATE` allowed `authz.check` events a second
 * for `ATOM_BENCH_INJECT_SECONDS` seconds, through the same `enqueueAuditAll` call a GraphQL `authzBulkCheck`
 * makes (in batches of 200, each under its own request id, client IP and user agent).
 *
 * The events cost no request work: on a machine too small to give the request load its own cores, this shows
 * what the audit itself does to the latency of the requests beside it. With hot-path allows not stored
 * (the default) the same events are only counted, so two servers differ exactly by the audit.
 * `ATOM_BENCH_INJECT_HEAP_PROFILE=<dir>`: each injection runs under V8's sampling heap profiler, kept to what
 * outlives the young generation (`bench/lib/promotedSampling.ts`), until 2 s after its last event; the
 * profile goes into the folder and its largest allocation sites to stderr.
 */
import { randomUUID } from "node:crypto"
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks"
import { Effect } from "effect"
import { loadConfig } from "../packages/server/src/config/loadConfig.js"
import { startAtom } from "../packages/server/src/startAtom.js"
import { decisionEvent, enqueueAuditAll, withAuditRequest } from "../packages/services/src/audit/index.js"
import { promotedSampling } from "./lib/promotedSampling.js"

const BATCH = 200
/** injection ticks a second: each tick queues the events due since the last one */
const TICK_MS = 10

const rate = Number(process.env.ATOM_BENCH_INJECT_RATE ?? 0)
const seconds = Number(process.env.ATOM_BENCH_INJECT_SECONDS ?? 5)
const config = await Effect.runPromise(loadConfig(process.env))
const atom = await startAtom(config)

const caller = {
  entityId: randomUUID(),
  tenantId: null,
  sessionId: randomUUID(),
  credentialId: null,
  tokenKind: "jwt" as const,
  scoped: false,
  expiresAt: null,
}
const facts = { subjectId: caller.entityId, action: "read", objectKind: "entity", objectId: randomUUID() }
const decided = { allowed: true, reason: "platform admin" }

/** One bulk request's events, queued as its handler queues them. */
const bulk = (count: number) =>
  withAuditRequest({ requestId: randomUUID(), clientIp: "127.0.0.1", userAgent: "atom-bench/inject" })(
    enqueueAuditAll(
      Array.from({ length: count }, () =>
        decisionEvent("authz.check", caller, facts, "graphql_bulk", "allow", decided, null),
      ),
    ),
  )

const heapProfileDir = process.env.ATOM_BENCH_INJECT_HEAP_PROFILE
const sampling = heapProfileDir ? promotedSampling(heapProfileDir) : undefined
let injections = 0

let injecting: NodeJS.Timeout | undefined
const inject = () => {
  if (injecting !== undefined || rate <= 0) return
  injections++
  const label = `inject-${injections}`
  sampling?.start().catch((e) => process.stderr.write(`heap profile failed to start: ${String(e)}\n`))
  const started = performance.now()
  let queued = 0
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  const gc = { count: 0, ms: 0, max: 0, majors: 0 }
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count++
      gc.ms += entry.duration
      gc.max = Math.max(gc.max, entry.duration)
      // NodeGCPerformanceDetail.kind: 1 is a scavenge (NODE_PERFORMANCE_GC_MINOR)
      const detail: unknown = "detail" in entry ? entry.detail : undefined
      if (typeof detail === "object" && detail !== null && "kind" in detail && detail.kind !== 1) gc.majors++
    }
  })
  gcs.observe({ entryTypes: ["gc"] })
  injecting = setInterval(() => {
    const elapsed = performance.now() - started
    const due = Math.min(rate * seconds, Math.floor((rate * elapsed) / 1000))
    while (queued < due) {
      const count = Math.min(BATCH, due - queued)
      atom.runtime.runFork(bulk(count))
      queued += count
    }
    if (queued >= rate * seconds) {
      clearInterval(injecting)
      injecting = undefined
      delay.disable()
      gcs.disconnect()
      const ms = (ns: number) => (ns / 1e6).toFixed(1)
      process.stderr.write(
        `inject: ${queued} events; event loop delay p50 ${ms(delay.percentile(50))} p99 ${ms(delay.percentile(99))} max ${ms(delay.max)} ms; ` +
          `gc ${gc.count} pauses (${gc.majors} not scavenges) ${gc.ms.toFixed(0)} ms, longest ${gc.max.toFixed(1)} ms\n`,
      )
      if (sampling !== undefined)
        setTimeout(() => {
          sampling.stop(label).then(
            (lines) => process.stderr.write(`${lines.join("\n")}\n`),
            (e) => process.stderr.write(`heap profile failed: ${String(e)}\n`),
          )
        }, 2_000)
    }
  }, TICK_MS)
}

process.on("SIGUSR2", inject)
const stop = () => {
  if (injecting !== undefined) clearInterval(injecting)
  atom.stop(8_000).then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once("SIGTERM", stop)
process.once("SIGINT", stop)
