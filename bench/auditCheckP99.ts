/**
 * Check latency with decision audit on and off (issue 6: "request latency unchanged"):
 * `npx tsx bench/auditCheckP99.ts [--duration 5] [--runs 3]` (DATABASE_URL selects Postgres).
 *
 * Two Atoms run side by side: one with the default audit of decisions (denials stored, allows counted
 * only) and one with `ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED=true`, where every allowed Check is queued and
 * written to audit_logs. A closed loop on the audit-off server finds the peak; then both are driven open
 * loop at half that rate (as grpc-authz-check's half-peak line), alternating, and the p99 of each is
 * reported with the ratio (on ÷ off) and the audit rows the audited server wrote meanwhile (from /metrics).
 */
import { parseArgs } from "node:util"
import { runningChildren } from "./lib/child.js"
import { unaryMethod } from "./lib/grpc.js"
import { defaultLoaders } from "./lib/processCpu.js"
import { type RunningAtomProcess, startAtom } from "./lib/startAtom.js"
import { median } from "./lib/stats.js"
import { grpcMixed, type MixedResult } from "./scale/load.js"
import { adminSession } from "./scenarios/benchSession.js"

const { values } = parseArgs({ options: { duration: { type: "string" }, runs: { type: "string" } } })
const duration = Number(values.duration ?? 5)
const runs = Number(values.runs ?? 3)
const SERVICE_ENTITY = "00000000-0000-0000-0000-000000000003"
const log = (message: string) => process.stderr.write(`${message}\n`)

const isAllowed = (response: unknown): boolean =>
  typeof response === "object" && response !== null && "allowed" in response && response.allowed === true

/** A counter's value from the server's Prometheus text (0 when absent). */
const counter = async (atom: RunningAtomProcess, name: string): Promise<number> => {
  const text = await (await fetch(`${atom.httpUrl}/metrics`)).text()
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1))
}

const main = async () => {
  const loaders = defaultLoaders(duration, log)
  const method = unaryMethod(loaders.services, "atom.v1.AuthzService", "Check")
  const common = process.env.DATABASE_URL ? { ATOM_CERTS_ENABLED: "false" } : {}
  // one after the other: on a shared Postgres database the second start finds the first one's bootstrap
  const off = await startAtom({ env: common })
  const on = await startAtom({ env: { ...common, ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED: "true" } })
  const target = async (atom: RunningAtomProcess) => {
    const session = await adminSession(atom.httpUrl)
    return {
      atom,
      metadata: { authorization: `Bearer ${session.token}` },
      request: { subject_id: session.entityId, action: "read", object_kind: "entity", object_id: SERVICE_ENTITY },
    }
  }
  const [offTarget, onTarget] = [await target(off), await target(on)]
  const paced = (t: Awaited<ReturnType<typeof target>>, ratePerSec: number) =>
    grpcMixed({
      address: t.atom.grpcAddress,
      method,
      requests: [{ request: t.request, expect: isAllowed }],
      metadata: t.metadata,
      pace: { durationSec: duration, concurrency: 32, ratePerSec },
    })

  // warm both, then the peak of the audit-off server
  for (const t of [offTarget, onTarget]) {
    await paced(t, 500)
  }
  const closed = await loaders.grpc({
    address: off.grpcAddress,
    method,
    request: offTarget.request,
    metadata: offTarget.metadata,
    check: isAllowed,
  })
  const rate = Math.max(100, Math.round(closed.opsPerSec / 2))
  log(`peak (audit off, closed loop) ${Math.round(closed.opsPerSec)}/s; paced runs at ${rate}/s`)

  const writtenBefore = await counter(on, "atom_audit_events_written_total")
  const offRuns: Array<MixedResult> = []
  const onRuns: Array<MixedResult> = []
  for (let i = 0; i < runs; i++) {
    // alternate the order so drift in the machine's load does not favour one side
    const order = i % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)
    for (const side of order) {
      const result = await paced(side === "off" ? offTarget : onTarget, rate)
      ;(side === "off" ? offRuns : onRuns).push(result)
      log(
        `run ${i + 1} audit ${side}: ${Math.round(result.opsPerSec)}/s  p50 ${result.p50Ms.toFixed(2)} ms` +
          `  p99 ${result.p99Ms.toFixed(2)} ms${result.errors > 0 ? `  (${result.errors} errors)` : ""}`,
      )
    }
  }
  const written = (await counter(on, "atom_audit_events_written_total")) - writtenBefore
  const dropped = await counter(on, "atom_audit_queue_dropped_total")
  const answered = onRuns.reduce((n, r) => n + r.ok, 0)
  const p99Off = median(offRuns.map((r) => r.p99Ms))
  const p99On = median(onRuns.map((r) => r.p99Ms))
  process.stdout.write(
    `audit-check-p99 at ${rate}/s: p99 audit off ${p99Off.toFixed(2)} ms, audit on ${p99On.toFixed(2)} ms, ` +
      `ratio (on ÷ off) ${(p99On / p99Off).toFixed(2)}; audited server wrote ${written} rows for ${answered} ` +
      `checks (${dropped} dropped)  [${process.env.DATABASE_URL ? "postgres" : "pglite"}]\n`,
  )
}

try {
  await main()
} finally {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}
