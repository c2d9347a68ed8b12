/**
 * Where the half-peak tail of gRPC Check comes from (issue 9):
 * `npx tsx bench/tail/run.ts [--duration 5] [--runs 3] [--rate n] [--node-options "--max-semi-space-size=16"]`
 * (DATABASE_URL selects Postgres).
 *
 * Atom (with a stall timeline, bench/tail/atomEntry.ts) and the bare grpc-js floor are driven open loop at the
 * same rate (half Atom's closed-loop peak unless `--rate`), alternating, by this process. For each run: p50, p99,
 * p99.9, max and the calls over 2 ms; for Atom's slow calls, what overlapped them: a GC pause or a long slice
 * in Atom, or a GC pause or late timer in this (the load generator's) process. The floor's own p99 at the same
 * rate is the machine's and the generator's share of the tail.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import { runningChildren } from "../lib/child.js"
import { HEALTH_SERVICE, isServing, startFloor } from "../lib/floors.js"
import { cpuMs, defaultLoaders } from "../lib/processCpu.js"
import { startAtom } from "../lib/startAtom.js"
import { median, percentileOfSorted } from "../lib/stats.js"
import { grpcMixed, type MixedRequest } from "../scale/load.js"
import { adminSession } from "../scenarios/benchSession.js"
import { recordStalls, type Stall } from "./timeline.js"

const { values } = parseArgs({
  options: {
    duration: { type: "string" },
    runs: { type: "string" },
    rate: { type: "string" },
    "node-options": { type: "string" },
    profile: { type: "string" },
  },
})
const duration = Number(values.duration ?? 5)
const runs = Number(values.runs ?? 3)
const SLOW_MS = 2
const SERVICE_ENTITY = "00000000-0000-0000-0000-000000000003"
const log = (message: string) => process.stderr.write(`${message}\n`)

const isAllowed = (response: unknown): boolean =>
  typeof response === "object" && response !== null && "allowed" in response && response.allowed === true

interface Call {
  readonly at: number
  readonly ms: number
}

const overlaps = (call: Call, s: Stall) => s.at < call.at + call.ms && s.at + s.ms > call.at

const describe = (label: string, calls: ReadonlyArray<Call>, cpuPerCall: number) => {
  const sorted = Float64Array.from(calls.map((c) => c.ms)).sort()
  const [p50, p99, p999] = [50, 99, 99.9].map((p) => percentileOfSorted(sorted, p))
  const slow = calls.filter((c) => c.ms > SLOW_MS).length
  return (
    `${label}: ${calls.length} calls  p50 ${p50?.toFixed(2)}  p99 ${p99?.toFixed(2)}  p99.9 ${p999?.toFixed(2)}` +
    `  max ${(sorted[sorted.length - 1] ?? Number.NaN).toFixed(1)} ms  >${SLOW_MS} ms: ${slow}` +
    `  (${cpuPerCall.toFixed(3)} CPU ms/call)`
  )
}

/** Per cause, how many slow calls it overlapped (first matching cause wins). */
const attribute = (
  slow: ReadonlyArray<Call>,
  causes: ReadonlyArray<readonly [string, ReadonlyArray<Stall>]>,
): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const call of slow) {
    const cause = causes.find(([, stalls]) => stalls.some((s) => overlaps(call, s)))?.[0] ?? "none seen"
    counts[cause] = (counts[cause] ?? 0) + 1
  }
  return counts
}

const sumByKind = (stalls: ReadonlyArray<Stall>, from: number, to: number) => {
  const by: Record<string, Array<number>> = {}
  for (const s of stalls) {
    if (s.at < from || s.at > to) continue
    const list = by[s.kind] ?? []
    list.push(s.ms)
    by[s.kind] = list
  }
  return Object.entries(by)
    .map(([k, v]) => {
      const total = v.reduce((a, b) => a + b, 0)
      return `${k} ${v.length}× ${total.toFixed(0)} ms (median ${median(v).toFixed(1)}, max ${Math.max(...v).toFixed(1)})`
    })
    .join(", ")
}

const spacesLine = (spaces: unknown): string =>
  (Array.isArray(spaces) ? spaces : [])
    .map((s: unknown) => {
      if (typeof s !== "object" || s === null) return ""
      const name = Reflect.get(s, "space_name")
      const size = Reflect.get(s, "space_size")
      const used = Reflect.get(s, "space_used_size")
      return typeof size === "number" && typeof used === "number" && size > 0
        ? `${String(name).replace(/_space$/, "")} ${(used / 2 ** 20).toFixed(1)}/${(size / 2 ** 20).toFixed(1)}`
        : ""
    })
    .filter((x) => x !== "")
    .join(", ")

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), "atom-tail-"))
  const loaders = defaultLoaders(duration, log)
  const check = loaders.unary("atom.v1.AuthzService", "Check")
  const health = loaders.unary(HEALTH_SERVICE, "Check")
  const nodeOptions = values["node-options"]
  const [atom, floor] = await Promise.all([
    startAtom({
      entry: "bench/tail/atomEntry.ts",
      env: {
        ATOM_TAIL_DIR: values.profile ?? dir,
        ...(values.profile ? { ATOM_TAIL_PROFILE: "1" } : {}),
        ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      },
    }),
    startFloor("grpc-floor"),
  ])
  const client = recordStalls()
  const origin = performance.timeOrigin
  const session = await adminSession(atom.httpUrl)
  const metadata = { authorization: `Bearer ${session.token}` }
  const atomRequests: ReadonlyArray<MixedRequest<object>> = [
    {
      request: { subject_id: session.entityId, action: "read", object_kind: "entity", object_id: SERVICE_ENTITY },
      expect: isAllowed,
    },
  ]
  const floorRequests: ReadonlyArray<MixedRequest<object>> = [{ request: { service: "" }, expect: isServing }]
  const paced = async (target: "atom" | "floor", ratePerSec: number, sec: number) => {
    const calls: Array<Call> = []
    const pid = target === "atom" ? atom.child.pid : floor.child.pid
    const cpuBefore = cpuMs(pid)
    const from = Date.now()
    const result = await grpcMixed({
      address: target === "atom" ? atom.grpcAddress : `127.0.0.1:${floor.port}`,
      method: target === "atom" ? check : health,
      requests: target === "atom" ? atomRequests : floorRequests,
      metadata: target === "atom" ? metadata : {},
      pace: { durationSec: sec, concurrency: 32, ratePerSec },
      observe: (sentAt, ms) => calls.push({ at: origin + sentAt, ms }),
    })
    return { calls, from, to: Date.now(), cpuPerCall: (cpuMs(pid) - cpuBefore) / Math.max(1, result.ok) }
  }

  // warm-up, then Atom's closed-loop peak
  await paced("atom", 1000, 3)
  await paced("floor", 1000, 2)
  const closed = await loaders.grpc({
    address: atom.grpcAddress,
    method: check,
    request: atomRequests[0]?.request ?? {},
    metadata,
    check: isAllowed,
    durationSec: 3,
  })
  const rate = Number(values.rate ?? Math.round(closed.opsPerSec / 2))
  log(
    `atom closed-loop peak ${Math.round(closed.opsPerSec)}/s; open loop at ${rate}/s; load ${loadavg()[0]?.toFixed(1)}`,
  )

  const atomRuns: Array<Awaited<ReturnType<typeof paced>>> = []
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? (["floor", "atom"] as const) : (["atom", "floor"] as const)
    for (const target of order) {
      const r = await paced(target, rate, duration)
      if (target === "atom") atomRuns.push(r)
      log(describe(`run ${i + 1} ${target.padEnd(5)}`, r.calls, r.cpuPerCall))
      log(`    generator stalls: ${sumByKind(client.stalls(), r.from, r.to) || "none"}`)
    }
  }
  await atom.stop()
  await floor.stop()
  client.stop()
  const file = join(values.profile ?? dir, `atom-${atom.child.pid}.json`)
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"))
  const server: ReadonlyArray<Stall> = Array.isArray(parsed) ? parsed : []
  const spaces: unknown = JSON.parse(
    readFileSync(join(values.profile ?? dir, `atom-${atom.child.pid}.heap.json`), "utf8"),
  )
  log(`atom heap spaces at exit (MB): ${spacesLine(spaces)}`)
  rmSync(dir, { recursive: true, force: true })
  const serverGc = server.filter((s) => s.kind.startsWith("gc"))
  const serverLag = server.filter((s) => s.kind === "loop-lag")
  const clientGc = client.stalls().filter((s) => s.kind.startsWith("gc"))
  const clientLag = client.stalls().filter((s) => s.kind === "loop-lag")
  for (const [i, r] of atomRuns.entries()) {
    const slow = r.calls.filter((c) => c.ms > SLOW_MS)
    log(`run ${i + 1} atom stalls: ${sumByKind(server, r.from, r.to) || "none"}`)
    const counts = attribute(slow, [
      ["atom GC", serverGc],
      ["atom long slice", serverLag],
      ["generator GC", clientGc],
      ["generator late timer", clientLag],
    ])
    log(`    ${slow.length} calls over ${SLOW_MS} ms overlapped: ${JSON.stringify(counts)}`)
  }
}

try {
  await main()
} finally {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}
