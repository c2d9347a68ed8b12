/**
 * Check latency with decision audit on and off (issue 6: "request latency unchanged"):
 * `npx tsx bench/auditCheckP99.ts [--duration 5] [--runs 3] [--ingest 15000] [--per-request 200] [--rate n] [--built]`
 * (DATABASE_URL selects Postgres).
 *
 * Two Atoms run side by side: one with the default audit of decisions (denials stored, allows counted
 * only) and one with `ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED=true`, where every allowed Check is queued and
 * written to audit_logs. A closed loop on the audit-off server finds the peak; then both are driven open
 * loop at half that rate (or `--rate`), alternating, and the p50 and p99 of each are reported with the
 * ratio (on ÷ off) and the audit rows the audited server wrote meanwhile (from /metrics).
 *
 * `--ingest <events/s>`: while each round's Checks run, the same server also takes a background load of
 * GraphQL `authzBulkCheck` mutations (`--per-request` allowed questions each, as aliased fields of 20), at
 * the rate that makes that many decisions a second. The request work is the same on both servers; on the
 * audit-off one the allows are only counted, on the audit-on one every decision is an audit row. So the
 * two sides differ exactly by an audit ingest at that rate. Reported per side: Check p50/p99, the
 * background requests answered, the server's CPU per round (with its audit writer process; also the share
 * at normal priority, i.e. of threads not under SCHED_IDLE), and for the audit-on side the rows counted
 * in audit_logs (`auditLogs(event, outcome) { total }`) during each round and once drained, dropped
 * events, and the extra server CPU per audited event (on − off, the load-insensitive figure).
 * `--built`: both servers run the built bundle (`pnpm build`) with production's node flags, not the sources.
 * `--node-flags="<flags>"`: extra node flags for both servers (e.g. `--v8-pool-size=1`).
 * `--pin`: emulates Postgres on its own host (Linux, `taskset`; restored at the end): Postgres and both servers'
 * audit writer processes on the last CPU, the servers and this load generator on the others, so the two sides
 * differ only by the audit's share of the server's own CPU.
 * `--idle-audit-db`: emulates the database's audit inserts on CPUs of their own (Linux, `chrt`, as root, Postgres
 * only): the Postgres backends of the audit writers' connections run under SCHED_IDLE, re-applied before each
 * round (a writer that reconnects gets a new backend). Together with the writer process's own SCHED_IDLE, all
 * that the audit adds beside the event loop's share then takes only CPU time the requests leave.
 * `--inject`: the decision events come from inside each server instead (`bench/auditInjectEntry.ts`, sources under
 * tsx): `--ingest` allowed `authz.check` events a second queued as a bulk Check queues them, but with no request
 * work behind them, for each round's duration. The request load of a real ingest needs cores of its own; on a
 * machine without them this measures what the audit alone does to the Checks beside it.
 * `--profile <dir>`: the audit-on server runs under the V8 CPU profiler (node --cpu-prof) and writes a profile
 * there when it stops, one for the server's event loop and one for its audit writer process (which takes the
 * server's `--cpu-prof` flags).
 */
import { availableParallelism } from "node:os"
import { parseArgs } from "node:util"
import { runningChildren } from "./lib/child.js"
import { type CpuPinning, pinDatabaseApart } from "./lib/cpuPinning.js"
import { unaryMethod } from "./lib/grpc.js"
import { type IdleAuditBackends, idleAuditBackends } from "./lib/idleAuditBackends.js"
import { type MachineCpu, machineCpu, machineCpuSpent } from "./lib/machineCpu.js"
import { cpuMs, defaultLoaders, mainThreadCpuMs, normalPriorityCpuMs } from "./lib/processCpu.js"
import { type RunningAtomProcess, startAtom } from "./lib/startAtom.js"
import { median } from "./lib/stats.js"
import { grpcMixed, httpMixed, type MixedResult } from "./scale/load.js"
import { adminSession } from "./scenarios/benchSession.js"

const { values } = parseArgs({
  options: {
    duration: { type: "string" },
    runs: { type: "string" },
    ingest: { type: "string" },
    "per-request": { type: "string" },
    rate: { type: "string" },
    profile: { type: "string" },
    "node-flags": { type: "string" },
    built: { type: "boolean" },
    pin: { type: "boolean" },
    "idle-audit-db": { type: "boolean" },
    inject: { type: "boolean" },
  },
})
const duration = Number(values.duration ?? 5)
const runs = Number(values.runs ?? 3)
const ingest = Number(values.ingest ?? 0)
/** decisions per background request: aliased authzBulkCheck fields of BULK questions each */
const BULK = 20
const perRequest = Math.max(BULK, Math.round(Number(values["per-request"] ?? 200) / BULK) * BULK)
const inject = values.inject === true
if (inject && values.built === true)
  throw new Error("--inject runs the sources (bench/auditInjectEntry.ts), not --built")
const INJECT_ENTRY = "bench/auditInjectEntry.ts"
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

const gql = async (atom: RunningAtomProcess, token: string, query: string): Promise<unknown> => {
  const res = await fetch(`${atom.httpUrl}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  })
  return res.json()
}

/** Allowed `authz.check` rows in audit_logs (a count(*) in the database, through GraphQL auditLogs). */
const allowRows = async (atom: RunningAtomProcess, token: string): Promise<number> => {
  const reply = JSON.stringify(
    await gql(atom, token, `{ auditLogs(event: "authz.check", outcome: allow, limit: 1) { total } }`),
  )
  const total = /"total":(\d+)/.exec(reply)?.[1]
  if (total === undefined) throw new Error(`auditLogs count failed: ${reply}`)
  return Number(total)
}

const fmt = (ms: number) => ms.toFixed(2)

interface Round {
  readonly check: MixedResult
  readonly background: MixedResult | null
  readonly cpuMs: number
  readonly normalCpuMs: number
  /** of which the main thread (the event loop) */
  readonly mainCpuMs: number
  /** allowed authz.check rows that reached the table during the round */
  readonly rows: number
  /** the machine's CPU during the round, by who spent it */
  readonly machine: MachineCpu
}

const main = async (pinning: CpuPinning | undefined, idleAudit: IdleAuditBackends | undefined) => {
  if (pinning) log(`pinned: ${pinning.description}`)
  if (idleAudit) log(`idle audit: ${idleAudit.description}`)
  const loaders = defaultLoaders(duration, log)
  const method = unaryMethod(loaders.services, "atom.v1.AuthzService", "Check")
  const common = process.env.DATABASE_URL ? { ATOM_CERTS_ENABLED: "false" } : {}
  // one after the other: on a shared Postgres database the second start finds the first one's bootstrap
  const built = values.built === true
  // node flags tried on both servers alike, e.g. `--node-flags="--v8-pool-size=1"`
  const nodeFlags = (values["node-flags"] ?? "").split(/\s+/).filter((flag) => flag !== "")
  const injected = inject ? { ATOM_BENCH_INJECT_RATE: String(ingest), ATOM_BENCH_INJECT_SECONDS: String(duration) } : {}
  const entry = inject ? { entry: INJECT_ENTRY } : {}
  const off = await startAtom({ env: { ...common, ...injected }, built, nodeFlags, ...entry })
  const on = await startAtom({
    built,
    ...entry,
    env: {
      ...common,
      ...injected,
      ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED: "true",
    },
    nodeFlags: [...nodeFlags, ...(values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : [])],
  })
  const target = async (atom: RunningAtomProcess) => {
    const session = await adminSession(atom.httpUrl)
    const question = { subjectId: session.entityId, action: "read", objectKind: "entity", objectId: SERVICE_ENTITY }
    const fields = Array.from({ length: perRequest / BULK }, (_, i) => `b${i}: authzBulkCheck(input: $q) { allowed }`)
    const bulkBody = JSON.stringify({
      query: `mutation($q: [AuthzCheckInput!]!) { ${fields.join(" ")} }`,
      variables: { q: Array.from({ length: BULK }, () => question) },
    })
    return {
      atom,
      token: session.token,
      metadata: { authorization: `Bearer ${session.token}` },
      request: { subject_id: session.entityId, action: "read", object_kind: "entity", object_id: SERVICE_ENTITY },
      bulkBody,
    }
  }
  const [offTarget, onTarget] = [await target(off), await target(on)]
  type Target = typeof offTarget
  const paced = (t: Target, ratePerSec: number) =>
    grpcMixed({
      address: t.atom.grpcAddress,
      method,
      requests: [{ request: t.request, expect: isAllowed }],
      metadata: t.metadata,
      pace: { durationSec: duration, concurrency: 32, ratePerSec },
    })
  // every answer allowed: as many `"allowed":true` as questions
  const allAllowed = (reply: unknown) =>
    typeof reply === "string" && reply.split('"allowed":true').length - 1 === perRequest
  const background = (t: Target, ratePerSec: number, seconds: number) =>
    httpMixed({
      url: `${t.atom.httpUrl}/graphql`,
      headers: { "content-type": "application/json", authorization: `Bearer ${t.token}` },
      bodies: [{ request: t.bulkBody, expect: allAllowed }],
      pace: { durationSec: seconds, concurrency: 16, ratePerSec },
    })
  const bulkRate = ingest / perRequest
  /** the round's decision events besides its Checks: injected inside the server, or a background of bulk Checks */
  const startIngest = (t: Target, seconds: number): Promise<MixedResult | null> => {
    if (ingest <= 0) return Promise.resolve(null)
    if (!inject) return background(t, bulkRate, seconds)
    process.kill(t.atom.child.pid, "SIGUSR2")
    return Promise.resolve(null)
  }
  const extraEvents = (r: Round) => (inject ? ingest * duration : (r.background?.ok ?? 0) * perRequest)

  // warm both (the background path too), then the peak of the audit-off server
  for (const t of [offTarget, onTarget]) {
    await Promise.all([paced(t, 500), startIngest(t, 1)])
  }
  const closed = await loaders.grpc({
    address: off.grpcAddress,
    method,
    request: offTarget.request,
    metadata: offTarget.metadata,
    check: isAllowed,
  })
  const rate = values.rate !== undefined ? Number(values.rate) : Math.max(100, Math.round(closed.opsPerSec / 2))
  log(
    `peak (audit off, closed loop) ${Math.round(closed.opsPerSec)}/s; paced Checks at ${rate}/s` +
      (ingest > 0 && inject ? ` with ${ingest} decision events/s injected in the server` : "") +
      (ingest > 0 && !inject
        ? ` with a background of ${bulkRate.toFixed(1)} bulk requests/s × ${perRequest} decisions`
        : ""),
  )

  const round = async (t: Target): Promise<Round> => {
    // a writer process started (or restarted) since the last round goes to the database's side too
    pinning?.childrenToDatabaseSide(t.atom.child.pid)
    idleAudit?.apply()
    const rowsBefore = t === onTarget ? await allowRows(t.atom, t.token) : 0
    const cpuBefore = cpuMs(t.atom.child.pid)
    const mainBefore = mainThreadCpuMs(t.atom.child.pid)
    const normalBefore = normalPriorityCpuMs(t.atom.child.pid)
    const machineBefore = machineCpu(process.env.DATABASE_URL)
    // the background starts with the Checks and runs as long
    const [check, bg] = await Promise.all([paced(t, rate), startIngest(t, duration)])
    const cpu = cpuMs(t.atom.child.pid) - cpuBefore
    const mainCpu = mainThreadCpuMs(t.atom.child.pid) - mainBefore
    const normalCpu = normalPriorityCpuMs(t.atom.child.pid) - normalBefore
    const machine = machineCpuSpent(machineBefore, machineCpu(process.env.DATABASE_URL))
    const rows = t === onTarget ? (await allowRows(t.atom, t.token)) - rowsBefore : 0
    return { check, background: bg, cpuMs: cpu, normalCpuMs: normalCpu, mainCpuMs: mainCpu, rows, machine }
  }

  const writtenBefore = await counter(on, "atom_audit_events_written_total")
  const droppedBefore = await counter(on, "atom_audit_queue_dropped_total")
  const rowsBefore = await allowRows(on, onTarget.token)
  const offRuns: Array<Round> = []
  const onRuns: Array<Round> = []
  for (let i = 0; i < runs; i++) {
    // alternate the order so drift in the machine's load does not favour one side
    const order = i % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)
    for (const side of order) {
      const r = await round(side === "off" ? offTarget : onTarget)
      ;(side === "off" ? offRuns : onRuns).push(r)
      const bg = r.background
      log(
        `run ${i + 1} audit ${side}: Check ${Math.round(r.check.opsPerSec)}/s  p50 ${fmt(r.check.p50Ms)} ms` +
          `  p99 ${fmt(r.check.p99Ms)} ms${r.check.errors > 0 ? `  (${r.check.errors} errors)` : ""}` +
          (bg === null
            ? ""
            : `; background ${Math.round(bg.opsPerSec)} req/s (${Math.round(bg.opsPerSec * perRequest)} decisions/s,` +
              ` p99 ${fmt(bg.p99Ms)} ms${bg.errors > 0 ? `, ${bg.errors} errors` : ""})`) +
          `; server CPU ${Math.round(r.cpuMs)} ms (main thread ${Math.round(r.mainCpuMs)},` +
          ` normal priority ${Math.round(r.normalCpuMs)})` +
          (side === "on" ? `; ${r.rows} allow rows reached the table (${Math.round(r.rows / duration)}/s)` : "") +
          `; machine busy ${Math.round(r.machine.busyMs)} ms of ${availableParallelism() * duration * 1000}` +
          ` (this load generator ${Math.round(r.machine.benchMs)}, Postgres audit backends` +
          ` ${Math.round(r.machine.auditBackendsMs)}, other backends ${Math.round(r.machine.otherBackendsMs)},` +
          ` background ${Math.round(r.machine.postgresBackgroundMs)})`,
      )
    }
  }
  if (inject) {
    for (const [side, t] of [
      ["off", offTarget],
      ["on", onTarget],
    ] as const) {
      for (const line of t.atom.child.tail().split("\n")) if (line.startsWith("inject:")) log(`audit ${side} ${line}`)
    }
  }
  // drained: every audited decision of the rounds is in the table (or was dropped)
  const drainUntil = performance.now() + 60_000
  let lastRows = -1
  let rowsNow = await allowRows(on, onTarget.token)
  while (rowsNow !== lastRows && performance.now() < drainUntil) {
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    lastRows = rowsNow
    rowsNow = await allowRows(on, onTarget.token)
  }
  const written = (await counter(on, "atom_audit_events_written_total")) - writtenBefore
  const dropped = (await counter(on, "atom_audit_queue_dropped_total")) - droppedBefore
  const audited = onRuns.reduce((n, r) => n + r.check.ok + extraEvents(r), 0)
  const p50Off = median(offRuns.map((r) => r.check.p50Ms))
  const p50On = median(onRuns.map((r) => r.check.p50Ms))
  const p99Off = median(offRuns.map((r) => r.check.p99Ms))
  const p99On = median(onRuns.map((r) => r.check.p99Ms))
  const events = median(onRuns.map((r) => r.check.ok + extraEvents(r)))
  /** extra CPU µs per audited event, on − off, of a CPU figure of the rounds */
  const perEvent = (cpu: (r: Round) => number) =>
    (((median(onRuns.map(cpu)) - median(offRuns.map(cpu))) * 1000) / events).toFixed(1)
  const ingestLine =
    ingest > 0
      ? `; ingest: ${Math.round(median(onRuns.map((r) => r.rows / duration)))} allow rows/s reached audit_logs ` +
        `during the audit-on rounds (median), ${rowsNow - rowsBefore} rows in all once drained for ${audited} ` +
        `audited decisions; audit CPU ${perEvent((r) => r.cpuMs)} µs per event (server CPU on − off), ` +
        `${perEvent((r) => r.mainCpuMs)} µs of it on the main thread, ` +
        `${perEvent((r) => r.normalCpuMs)} µs at normal priority (all but SCHED_IDLE threads)`
      : ""
  process.stdout.write(
    `audit-check-p99 at ${rate}/s: p50 audit off ${fmt(p50Off)} ms, on ${fmt(p50On)} ms; ` +
      `p99 audit off ${fmt(p99Off)} ms, on ${fmt(p99On)} ms, ratio (on ÷ off) ${(p99On / p99Off).toFixed(2)}; ` +
      `audited server wrote ${written} rows (${dropped} dropped)${ingestLine}  ` +
      `[${process.env.DATABASE_URL ? "postgres" : "pglite"}${pinning ? ", pinned" : ""}` +
      `${idleAudit ? ", audit backends idle" : ""}${inject ? ", injected" : ""}]\n`,
  )
}

const pinning = values.pin === true ? pinDatabaseApart() : undefined
const idleAudit = values["idle-audit-db"] === true ? idleAuditBackends(process.env.DATABASE_URL) : undefined
try {
  await main(pinning, idleAudit)
} finally {
  idleAudit?.restore()
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
  pinning?.restore()
}
