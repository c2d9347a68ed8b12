/**
 * The authorization benchmark at scale: `pnpm bench:scale` (= `tsx bench/scale/run.ts`).
 *
 *   tsx bench/scale/run.ts [--scales 1,10] [--seed 1] [--duration 5] [--runs 3] [--concurrency 32] [--pglite]
 *
 * For each scale: generates the dataset (bench/dataset) into a fresh Postgres database `atom_bench_scale` on
 * DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/test) or, with --pglite, into a fresh PGlite
 * folder; starts Atom on it; measures gRPC Check and GraphQL authzCheck on a mix of allowed and denied checks
 * against the bare grpc-js and yoga floors (peak, then a fixed-rate run at half the peak for p50/p99), Atom's
 * resident set after warm-up, and cold checks (a distinct subject and object every request) with the statements
 * each one sends. Prints one table and writes bench/results/scale.json.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { loadavg } from "node:os"
import { dirname, resolve } from "node:path"
import { parseArgs } from "node:util"
import { statusFigure } from "../../packages/server/test/support/procfs.js"
import { generateInto } from "../dataset/cli.js"
import { type DatasetSizes, datasetSizes } from "../dataset/sizes.js"
import { REPO_ROOT, runningChildren } from "../lib/child.js"
import {
  GRAPHQL_HEADERS,
  GRAPHQL_HEALTH_BODY,
  GRAPHQL_HEALTH_QUERY,
  HEALTH_SERVICE,
  isServing,
  type RunningFloor,
  startFloor,
} from "../lib/floors.js"
import { loadServiceDefinitions, unaryMethod } from "../lib/grpc.js"
import { BENCH_ADMIN_SECRET, type RunningAtomProcess, startAtom } from "../lib/startAtom.js"
import { median } from "../lib/stats.js"
import { type Answer, bulkCheck, explainPath, isAnswer, login } from "./atomApi.js"
import { type CheckSpec, checkFor, subjectOrder } from "./checks.js"
import { QUERIES_PREFIX, type QueryCounts } from "./countQueries.js"
import { grpcMixed, httpMixed, type MixedRequest, type MixedResult, type Pace } from "./load.js"

const log = (message: string) => process.stderr.write(`${message}\n`)

const { values } = parseArgs({
  options: {
    scales: { type: "string", default: "1,10" },
    seed: { type: "string", default: "1" },
    duration: { type: "string", default: "5" },
    runs: { type: "string", default: "3" },
    concurrency: { type: "string", default: "32" },
    "warm-subjects": { type: "string", default: "500" },
    "cold-counted": { type: "string", default: "200" },
    pglite: { type: "boolean", default: false },
    json: { type: "string" },
  },
})
const scales = values.scales.split(",").map(Number)
const seed = Number(values.seed)
const duration = Number(values.duration)
const runs = Number(values.runs)
const concurrency = Number(values.concurrency)
const warmSubjects = Number(values["warm-subjects"])
const coldCounted = Number(values["cold-counted"])
for (const [name, n] of Object.entries({ seed, duration, runs, concurrency, warmSubjects, coldCounted }))
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`)
const serverUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test"
const KEK = Buffer.alloc(32, 11).toString("base64")

const services = loadServiceDefinitions()
const checkMethod = unaryMethod(services, "atom.v1.AuthzService", "Check")
const healthMethod = unaryMethod(services, HEALTH_SERVICE, "Check")

interface ScaleResult {
  readonly scale: number
  readonly sizes: DatasetSizes
  readonly generateSec: number
  readonly mix: { readonly checks: number; readonly allowed: number; readonly paths: Record<string, number> }
  readonly grpc: {
    readonly peak: number
    readonly floor: number
    readonly half: MixedResult
    readonly runs: Array<number>
  }
  readonly graphql: {
    readonly peak: number
    readonly floor: number
    readonly half: MixedResult
    readonly runs: Array<number>
  }
  readonly rssMb: number
  readonly cold: {
    readonly opsPerSec: number
    readonly p50Ms: number
    readonly counted: number
    readonly statementsPerCheck: number | null
    readonly byStatement: Record<string, number>
  }
}

const rssMb = (pid: number): number => Math.round(statusFigure(pid, "VmRSS") / 1024)

/** Statement counts of the benchmarked Atom (SIGUSR2 → one stdout line), or null on PGlite. */
const queryCounts = async (atom: RunningAtomProcess): Promise<QueryCounts | null> => {
  if (values.pglite) return null
  const line = atom.child.waitForLine(
    (l) => (l.startsWith(QUERIES_PREFIX) ? l.slice(QUERIES_PREFIX.length) : undefined),
    5_000,
  )
  process.kill(atom.child.pid, "SIGUSR2")
  const parsed: unknown = JSON.parse(await line)
  if (typeof parsed !== "object" || parsed === null || !("total" in parsed) || !("byStatement" in parsed))
    throw new Error("unexpected statement counts")
  const { total, byStatement } = parsed
  if (typeof total !== "number" || typeof byStatement !== "object" || byStatement === null)
    throw new Error("unexpected statement counts")
  const counts: Record<string, number> = {}
  for (const [k, v] of Object.entries(byStatement)) if (typeof v === "number") counts[k] = v
  return { total, byStatement: counts }
}

const expectAnswer =
  (answer: Answer) =>
  (reply: unknown): boolean =>
    isAnswer(reply) && reply.allowed === answer.allowed && reply.reason === answer.reason

const grpcRequest = (c: CheckSpec) => ({
  subject_id: c.subjectId,
  action: c.action,
  object_kind: c.objectKind,
  object_id: c.objectId,
})

const graphqlBody = (c: CheckSpec) =>
  JSON.stringify({
    query: `mutation { authzCheck(input: {subjectId: "${c.subjectId}", action: "${c.action}", objectKind: "${c.objectKind}", objectId: "${c.objectId}"}) { allowed reason } }`,
  })

/** Statements the audit writer sends (batched, off the request path) rather than the check itself. */
const AUDIT_STATEMENT = /audit_logs|chain_seq|pg_try_advisory_xact_lock|synchronous_commit|^BEGIN$|^COMMIT$/

const pct = (x: number) => `${(x * 100).toFixed(0)} %`

const runScale = async (scale: number, floors: { grpc: RunningFloor; yoga: RunningFloor }): Promise<ScaleResult> => {
  const sizes = datasetSizes(scale)
  log(`\n== scale ${scale}: ${sizes.entities} entities, ${sizes.resources} resources, ${sizes.tenants} tenants`)
  const dataDir = resolve(REPO_ROOT, `.atom/bench-scale-${scale}`)
  if (values.pglite) rmSync(dataDir, { recursive: true, force: true })
  const genStarted = performance.now()
  const generated = await generateInto({
    scale,
    seed,
    target: values.pglite ? { dataDir } : { serverUrl, database: "atom_bench_scale" },
    log,
  })
  const generateSec = (performance.now() - genStarted) / 1000
  log(
    `bench:scale: dataset written in ${generateSec.toFixed(1)} s (transaction ${(generated.report.totalMs / 1000).toFixed(1)} s)`,
  )

  const atom = await startAtom({
    entry: "bench/scale/atomEntry.ts",
    ...(values.pglite ? { dataDir } : {}),
    env: {
      ...(generated.target.kind === "postgres" ? { DATABASE_URL: generated.target.url } : {}),
      ATOM_KEY_ENCRYPTION_KEY: KEK,
      ATOM_CERTS_ENABLED: "false",
    },
  })
  try {
    log(`bench:scale: Atom ready in ${(atom.startupMs / 1000).toFixed(1)} s (pid ${atom.child.pid})`)
    const token = await login(atom.httpUrl, BENCH_ADMIN_SECRET)
    const metadata = { authorization: `Bearer ${token}` }

    // the warm mix: `warmSubjects` subjects, four candidate checks each, kept half allowed and half denied
    const order = subjectOrder(sizes.entities)
    const warm = order.slice(0, Math.min(warmSubjects, Math.floor(sizes.entities / 2)))
    const candidates = warm.flatMap((s) => [0, 1, 2, 3].map((n) => checkFor(seed, sizes, s, n)))
    const answers = await bulkCheck(atom.httpUrl, token, candidates)
    const allowedIdx = candidates.flatMap((_, i) => (answers[i]?.allowed ? [i] : []))
    const deniedIdx = candidates.flatMap((_, i) => (answers[i]?.allowed === false ? [i] : []))
    const each = Math.min(allowedIdx.length, deniedIdx.length, 1000)
    if (each === 0)
      throw new Error(`the candidate checks gave ${allowedIdx.length} allows and ${deniedIdx.length} denies`)
    const picked = allowedIdx.slice(0, each).flatMap((a, k) => [a, deniedIdx[k] ?? a])
    const mix = picked.flatMap((i) => {
      const c = candidates[i]
      const a = answers[i]
      return c && a ? [{ check: c, answer: a }] : []
    })
    const paths: Record<string, number> = {}
    for (const m of mix.filter((x) => x.answer.allowed).slice(0, 120)) {
      const p = await explainPath(atom.httpUrl, token, m.check)
      paths[p] = (paths[p] ?? 0) + 1
    }
    const denyReasons: Record<string, number> = {}
    for (const m of mix.filter((x) => !x.answer.allowed))
      denyReasons[m.answer.reason] = (denyReasons[m.answer.reason] ?? 0) + 1
    log(
      `bench:scale: mix of ${mix.length} checks (${each} allowed) over ${new Set(mix.map((m) => m.check.subject)).size} subjects`,
    )
    log(`  allows (sample of ${Math.min(120, each)}) via: ${JSON.stringify(paths)}`)
    log(`  denies: ${JSON.stringify(denyReasons)}`)

    const grpcReqs: Array<MixedRequest<object>> = mix.map((m) => ({
      request: grpcRequest(m.check),
      expect: expectAnswer(m.answer),
    }))
    const gqlBodies: Array<MixedRequest<string>> = mix.map((m) => ({
      request: graphqlBody(m.check),
      expect: (reply) => typeof reply === "string" && reply === JSON.stringify({ data: { authzCheck: m.answer } }),
    }))
    const atomGrpc = (pace: Pace) =>
      grpcMixed({ address: atom.grpcAddress, method: checkMethod, requests: grpcReqs, metadata, pace })
    const atomGql = (pace: Pace) =>
      httpMixed({
        url: `${atom.httpUrl}/graphql`,
        headers: { ...GRAPHQL_HEADERS, authorization: `Bearer ${token}` },
        bodies: gqlBodies,
        pace,
      })
    const grpcFloor = (pace: Pace) =>
      grpcMixed({
        address: `127.0.0.1:${floors.grpc.port}`,
        method: healthMethod,
        requests: [{ request: { service: "" }, expect: isServing }],
        metadata: {},
        pace,
      })
    const yogaFloor = (pace: Pace) =>
      httpMixed({
        url: `http://127.0.0.1:${floors.yoga.port}/graphql`,
        headers: GRAPHQL_HEADERS,
        bodies: [{ request: GRAPHQL_HEALTH_QUERY, expect: (r) => r === GRAPHQL_HEALTH_BODY }],
        pace,
      })
    const closed = (d: number): Pace => ({ durationSec: d, concurrency })
    const show = (label: string, r: MixedResult) =>
      log(
        `  ${label.padEnd(26)} ${Math.round(r.opsPerSec).toString().padStart(7)} ops/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms${r.errors ? `  (${r.errors} errors/unexpected answers)` : ""}`,
      )
    const measure = async (label: string, f: () => Promise<MixedResult>) => {
      const r = await f()
      show(label, r)
      return r
    }

    const warmupSec = Math.min(duration, 3)
    await measure("warm-up grpc Check", () => atomGrpc(closed(warmupSec)))
    await measure("warm-up graphql authzCheck", () => atomGql(closed(warmupSec)))
    const rss = rssMb(atom.child.pid)
    log(`  Atom resident set after warm-up: ${rss} MB`)
    const results = {
      grpc: [] as Array<number>,
      grpcFloor: [] as Array<number>,
      gql: [] as Array<number>,
      yoga: [] as Array<number>,
    }
    for (let i = 1; i <= runs; i++) {
      results.grpcFloor.push((await measure(`[${i}] grpc-floor`, () => grpcFloor(closed(duration)))).opsPerSec)
      results.grpc.push((await measure(`[${i}] grpc Check`, () => atomGrpc(closed(duration)))).opsPerSec)
      results.yoga.push((await measure(`[${i}] yoga-floor`, () => yogaFloor(closed(duration)))).opsPerSec)
      results.gql.push((await measure(`[${i}] graphql authzCheck`, () => atomGql(closed(duration)))).opsPerSec)
    }
    const grpcPeak = median(results.grpc)
    const gqlPeak = median(results.gql)
    const grpcHalf = await measure(`grpc Check @ ${Math.round(grpcPeak / 2)}/s`, () =>
      atomGrpc({ durationSec: duration, concurrency, ratePerSec: grpcPeak / 2 }),
    )
    const gqlHalf = await measure(`graphql @ ${Math.round(gqlPeak / 2)}/s`, () =>
      atomGql({ durationSec: duration, concurrency, ratePerSec: gqlPeak / 2 }),
    )
    const rssWarm = Math.max(rss, rssMb(atom.child.pid))

    // cold: subjects outside the warm mix, each asked once about an object of its own that nothing asked before
    const coldSubjects = order.slice(warm.length)
    const coldChecks = coldSubjects.map((s) => checkFor(seed, sizes, s, 7))
    const coldReqs: Array<MixedRequest<object>> = coldChecks.map((c) => ({ request: grpcRequest(c), expect: isAnswer }))
    const counted = Math.min(coldCounted, Math.floor(coldReqs.length / 4))
    const before = await queryCounts(atom)
    const countedRun = await grpcMixed({
      address: atom.grpcAddress,
      method: checkMethod,
      requests: coldReqs.slice(0, counted),
      metadata,
      pace: { durationSec: 120, concurrency: 1, maxCalls: counted },
    })
    await new Promise((r) => setTimeout(r, 2_000)) // let the audit queue flush the denies it took
    const after = await queryCounts(atom)
    const byStatement: Record<string, number> = {}
    if (before && after)
      for (const [k, v] of Object.entries(after.byStatement)) {
        const d = v - (before.byStatement[k] ?? 0)
        if (d > 0) byStatement[k] = d / counted
      }
    const statementsPerCheck = before && after ? (after.total - before.total) / counted : null
    show(`cold, one at a time (${counted})`, countedRun)
    const coldRun = await measure("cold grpc Check", () =>
      grpcMixed({
        address: atom.grpcAddress,
        method: checkMethod,
        requests: coldReqs.slice(counted),
        metadata,
        pace: { durationSec: duration, concurrency, maxCalls: coldReqs.length - counted },
      }),
    )
    return {
      scale,
      sizes,
      generateSec,
      mix: { checks: mix.length, allowed: each, paths },
      grpc: { peak: grpcPeak, floor: median(results.grpcFloor), half: grpcHalf, runs: results.grpc },
      graphql: { peak: gqlPeak, floor: median(results.yoga), half: gqlHalf, runs: results.gql },
      rssMb: rssWarm,
      cold: { opsPerSec: coldRun.opsPerSec, p50Ms: countedRun.p50Ms, counted, statementsPerCheck, byStatement },
    }
  } finally {
    await atom.stop()
  }
}

const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "–")
const fmtMs = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "–")

const coldStatements = (r: ScaleResult): string => {
  if (r.cold.statementsPerCheck === null) return "n/a (PGlite)"
  let audit = 0
  for (const [k, v] of Object.entries(r.cold.byStatement)) if (AUDIT_STATEMENT.test(k)) audit += v
  return `${(r.cold.statementsPerCheck - audit).toFixed(2)} (+ ${audit.toFixed(2)} audit)`
}

const render = (rs: ReadonlyArray<ScaleResult>): string => {
  const head =
    "| scale | entities / resources | generate | gRPC Check ops/s | ÷ grpc-js floor | p50 / p99 @ ½ peak | GraphQL authzCheck ops/s | ÷ yoga floor | p50 / p99 @ ½ peak | cold Check ops/s | statements / cold check | RSS after warm-up |\n" +
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
  const rows = rs.map(
    (r) =>
      `| ${r.scale}× | ${fmtInt(r.sizes.entities)} / ${fmtInt(r.sizes.resources)} | ${r.generateSec.toFixed(0)} s | ${fmtInt(r.grpc.peak)} | ${pct(r.grpc.peak / r.grpc.floor)} (${fmtInt(r.grpc.floor)}) | ${fmtMs(r.grpc.half.p50Ms)} / ${fmtMs(r.grpc.half.p99Ms)} ms | ${fmtInt(r.graphql.peak)} | ${pct(r.graphql.peak / r.graphql.floor)} (${fmtInt(r.graphql.floor)}) | ${fmtMs(r.graphql.half.p50Ms)} / ${fmtMs(r.graphql.half.p99Ms)} ms | ${fmtInt(r.cold.opsPerSec)} | ${coldStatements(r)} | ${r.rssMb} MB |`,
  )
  const base = rs[0]
  const ratios = rs
    .slice(1)
    .map(
      (r) =>
        `\n${r.scale}× ÷ ${base?.scale}× throughput: gRPC ${pct(r.grpc.peak / (base?.grpc.peak ?? Number.NaN))}, GraphQL ${pct(r.graphql.peak / (base?.graphql.peak ?? Number.NaN))}, cold ${pct(r.cold.opsPerSec / (base?.cold.opsPerSec ?? Number.NaN))}`,
    )
  const statements = rs
    .filter((r) => r.cold.statementsPerCheck !== null)
    .map(
      (r) =>
        `\nstatements per cold check at ${r.scale}× (${r.cold.counted} checks one at a time):\n` +
        Object.entries(r.cold.byStatement)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `  ${v.toFixed(2)}  ${k}`)
          .join("\n"),
    )
    .join("\n")
  return `${head}\n${rows.join("\n")}\n${ratios.join("")}\n${statements}\n`
}

const main = async () => {
  const startedAt = new Date()
  log(
    `bench:scale: scales ${scales.join(", ")} on ${values.pglite ? "PGlite" : `Postgres (${new URL(serverUrl).host})`}`,
  )
  const [grpc, yoga] = await Promise.all([startFloor("grpc-floor"), startFloor("yoga-floor")])
  const results: Array<ScaleResult> = []
  for (const scale of scales) results.push(await runScale(scale, { grpc, yoga }))
  const table = render(results)
  process.stdout.write(
    `\nAtom authz at scale — seed ${seed}, ${runs} run(s) × ${duration} s, ${concurrency} in flight; ` +
      `mix of ${results[0]?.mix.checks ?? 0} checks, half allowed; database ${values.pglite ? "PGlite" : "Postgres"}; load ${loadavg()
        .map((x) => x.toFixed(1))
        .join(" ")}\n\n${table}`,
  )
  const file = resolve(values.json ?? resolve(REPO_ROOT, "bench/results/scale.json"))
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${JSON.stringify({ startedAt, finishedAt: new Date(), seed, results }, null, 2)}\n`)
  log(`bench:scale: wrote ${file}`)
}

let code = 0
try {
  await main()
} catch (e) {
  log(`bench:scale: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  code = 1
} finally {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}
process.exit(code)
