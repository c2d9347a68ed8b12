/**
 * Atom's benchmark harness: `pnpm bench` (= `tsx bench/run.ts`).
 *
 *   tsx bench/run.ts [--duration 5] [--runs 3] [--warmup 3] [--only name,...] [--json out.json]
 *                    [--connections 32] [--concurrency 32] [--channels 1] [--list]
 *
 * Starts Atom and the floors each as its own child process on loopback, runs one warm-up round and then `--runs`
 * rounds over every selected scenario and its floor (interleaved, so drift on a noisy machine hits both alike),
 * prints the medians as a markdown table, and writes bench/results/latest.json.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus, loadavg } from "node:os"
import { dirname, resolve } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { parseArgs } from "node:util"
import { REPO_ROOT, runningChildren } from "./lib/child.js"
import { FLOORS, type RunningFloor, startFloor } from "./lib/floors.js"
import { loadServiceDefinitions, unaryMethod } from "./lib/grpc.js"
import { grpcLoad } from "./lib/grpcLoad.js"
import { httpLoad } from "./lib/httpLoad.js"
import type { BaselineName, BenchContext, Loaders, Scenario } from "./lib/scenario.js"
import { type RunningAtomProcess, startAtom } from "./lib/startAtom.js"
import { type LoadResult, ratio, type Summary, summarize } from "./lib/stats.js"
import { renderTable } from "./lib/table.js"
import { SCENARIOS } from "./scenarios/index.js"

const USAGE = `usage: tsx bench/run.ts [options]
  --duration <s>      seconds per measured run (default 5, 1–60)
  --runs <n>          measured runs per scenario and floor; the median is reported (default 3, 1–20)
  --warmup <s>        seconds of the one warm-up run (default min(duration, 3), 0 skips it)
  --only <a,b>        only these scenarios (their floors are measured too)
  --json <file>       also write the results there (bench/results/latest.json is always written)
  --connections <n>   HTTP keep-alive connections (default 32)
  --concurrency <n>   gRPC calls in flight (default 32)
  --channels <n>      gRPC connections the calls are spread over (default 1)
  --list              list the scenarios and exit
Atom runs on an in-memory PGlite (ATOM_DATA_DIR=memory://) unless DATABASE_URL is set in the environment.`

const PREPARE_TIMEOUT_MS = 120_000
const PAUSE_BETWEEN_RUNS_MS = 300

const log = (message: string) => process.stderr.write(`${message}\n`)

const fail = (message: string): never => {
  log(`bench: ${message}`)
  process.exit(2)
}

const intOption = (name: string, raw: string | undefined, fallback: number, min: number, max: number): number => {
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) return fail(`--${name} must be a whole number from ${min} to ${max}`)
  return n
}

const parseArgv = () => {
  try {
    return parseArgs({
      options: {
        duration: { type: "string" },
        runs: { type: "string" },
        warmup: { type: "string" },
        only: { type: "string" },
        json: { type: "string" },
        connections: { type: "string" },
        concurrency: { type: "string" },
        channels: { type: "string" },
        list: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    })
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`)
  }
}

const parseCli = () => {
  const { values } = parseArgv()
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const duration = intOption("duration", values.duration, 5, 1, 60)
  return {
    duration,
    runs: intOption("runs", values.runs, 3, 1, 20),
    warmup: intOption("warmup", values.warmup, Math.min(duration, 3), 0, 60),
    connections: intOption("connections", values.connections, 32, 1, 512),
    concurrency: intOption("concurrency", values.concurrency, 32, 1, 1024),
    channels: intOption("channels", values.channels, 1, 1, 16),
    only: values.only
      ?.split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
    json: values.json,
    list: values.list,
  }
}

type Options = ReturnType<typeof parseCli>

interface Target {
  readonly name: string
  readonly description: string
  /** undefined for a floor's own row; "none" for a scenario measured on its own */
  readonly baseline: BaselineName | "none" | undefined
  readonly measure: (durationSec: number) => Promise<LoadResult>
  warmup: LoadResult | undefined
  readonly runs: Array<LoadResult>
  error: string | undefined
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const withTimeout = <A>(what: string, ms: number, p: Promise<A>): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

const fmt = (r: LoadResult) =>
  `${Math.round(r.opsPerSec).toLocaleString("en-US").padStart(8)} ops/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms` +
  (r.errors > 0 ? `  (${r.errors} errors)` : "")

const gitCommit = (): string | undefined => {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 5_000,
    }).trim()
  } catch {
    return undefined
  }
}

const stopAll = async () => {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}

const main = async (options: Options) => {
  if (options.list) {
    for (const s of SCENARIOS)
      process.stdout.write(`${s.name.padEnd(24)} vs ${s.baseline.padEnd(11)} ${s.description}\n`)
    return 0
  }
  const names = new Set(SCENARIOS.map((s) => s.name))
  if (names.size !== SCENARIOS.length) fail("two scenarios share a name in bench/scenarios/index.ts")
  const unknown = (options.only ?? []).filter((n) => !names.has(n))
  if (unknown.length > 0) fail(`unknown scenario(s): ${unknown.join(", ")} (try --list)`)
  const selected = options.only ? SCENARIOS.filter((s) => options.only?.includes(s.name)) : SCENARIOS
  const baselines = [...new Set(selected.flatMap((s) => (s.baseline === "none" ? [] : [s.baseline])))]

  const startedAt = new Date()
  const loadAtStart = loadavg()
  const rounds = options.runs + (options.warmup > 0 ? 1 : 0)
  const estimate = (selected.length + baselines.length) * (options.warmup + options.runs * options.duration)
  log(
    `bench: ${selected.length} scenario(s) + ${baselines.length} floor(s), ${rounds} round(s); ` +
      `about ${estimate} s of load plus ~30 s of startup`,
  )

  const services = loadServiceDefinitions()
  const loaders = (durationSec: number): Loaders => ({
    durationSec,
    http: (o) => httpLoad({ connections: options.connections, ...o, durationSec: o.durationSec ?? durationSec }),
    grpc: (o) =>
      grpcLoad({
        concurrency: options.concurrency,
        channels: options.channels,
        ...o,
        durationSec: o.durationSec ?? durationSec,
      }),
    services,
    unary: (service, method) => unaryMethod(services, service, method),
    log,
  })

  log("bench: starting Atom and the floors…")
  const [atom, ...floors]: [RunningAtomProcess, ...Array<RunningFloor>] = await Promise.all([
    startAtom(),
    ...baselines.map((b) => startFloor(b)),
  ])
  log(`bench: Atom ready in ${(atom.startupMs / 1000).toFixed(1)} s (http ${atom.httpPort}, grpc ${atom.grpcPort})`)
  for (const f of floors) log(`bench: ${f.name} ready in ${(f.startupMs / 1000).toFixed(1)} s (port ${f.port})`)

  const ctx = (durationSec: number): BenchContext => ({ ...loaders(durationSec), atom })
  const targets: Array<Target> = []
  const scenarioTarget = async (s: Scenario): Promise<Target> => {
    let error: string | undefined
    if (s.prepare) {
      log(`bench: preparing ${s.name}…`)
      const within = s.prepareTimeoutMs ?? PREPARE_TIMEOUT_MS
      error = await withTimeout(`${s.name} prepare`, within, s.prepare(ctx(options.duration))).then(
        () => undefined,
        describe,
      )
    }
    return {
      name: s.name,
      description: s.description,
      baseline: s.baseline,
      measure: (d) => s.run(ctx(d)),
      warmup: undefined,
      runs: [],
      error,
    }
  }
  for (const floor of floors) {
    for (const s of selected.filter((x) => x.baseline === floor.name)) targets.push(await scenarioTarget(s))
    targets.push({
      name: floor.name,
      description: FLOORS[floor.name].description,
      baseline: undefined,
      measure: (d) => floor.run(loaders(d)),
      warmup: undefined,
      runs: [],
      error: undefined,
    })
  }
  for (const s of selected.filter((x) => x.baseline === "none")) targets.push(await scenarioTarget(s))

  const measure = async (t: Target, durationSec: number, label: string): Promise<LoadResult | undefined> => {
    if (t.error !== undefined) return undefined
    try {
      const r = await withTimeout(t.name, durationSec * 1000 + 60_000, t.measure(durationSec))
      log(`  [${label}] ${t.name.padEnd(22)} ${fmt(r)}`)
      return r
    } catch (e) {
      t.error = describe(e)
      log(`  [${label}] ${t.name.padEnd(22)} failed: ${t.error}`)
      return undefined
    } finally {
      await sleep(PAUSE_BETWEEN_RUNS_MS)
    }
  }

  if (options.warmup > 0) {
    for (const t of targets) t.warmup = await measure(t, options.warmup, "warm-up")
  }
  for (let i = 1; i <= options.runs; i++) {
    for (const t of targets) {
      const r = await measure(t, options.duration, `run ${i}/${options.runs}`)
      if (r) t.runs.push(r)
    }
  }

  const summaries = new Map<string, Summary>(targets.map((t) => [t.name, summarize(t.runs)]))
  const rows = targets.map((t) => {
    const summary = summaries.get(t.name)
    const base = t.baseline === undefined ? undefined : summaries.get(t.baseline)
    return {
      name: t.name,
      baseline: t.baseline,
      summary,
      ratio: ratio(summary?.medianOpsPerSec ?? Number.NaN, base?.medianOpsPerSec ?? Number.NaN),
      ...(t.error !== undefined ? { error: t.error } : {}),
    }
  })

  const table = renderTable(rows)
  process.stdout.write(
    `\nAtom bench — ${options.runs} run(s) × ${options.duration} s after a ${options.warmup} s warm-up; ` +
      `HTTP ${options.connections} connections, gRPC ${options.concurrency} in flight over ${options.channels} channel(s); ` +
      `ratio = scenario ÷ its floor (median ops/s)\n\n${table}\n`,
  )

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    loadavg: { atStart: loadAtStart, atEnd: loadavg() },
    options: { ...options, list: undefined },
    atom: {
      startupMs: Math.round(atom.startupMs),
      database: process.env.DATABASE_URL ? "postgres" : "pglite:memory://",
    },
    results: targets.map((t) => ({
      name: t.name,
      kind: t.baseline === undefined ? "floor" : "scenario",
      baseline: t.baseline ?? null,
      description: t.description,
      summary: summaries.get(t.name) ?? null,
      ratio: rows.find((r) => r.name === t.name)?.ratio ?? null,
      error: t.error ?? null,
      warmup: t.warmup ?? null,
      runs: t.runs,
    })),
  }
  const json = `${JSON.stringify(report, null, 2)}\n`
  const files = [resolve(REPO_ROOT, "bench/results/latest.json"), ...(options.json ? [resolve(options.json)] : [])]
  for (const file of files) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, json)
  }
  log(`bench: wrote ${files.join(", ")}`)
  return targets.some((t) => t.error !== undefined) ? 1 : 0
}

const options = parseCli()
let interrupted = false
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupted) return
  interrupted = true
  log(`bench: ${signal}, stopping the servers…`)
  void stopAll().finally(() => process.exit(130))
}
process.once("SIGINT", onSignal)
process.once("SIGTERM", onSignal)

let code = 1
try {
  code = await main(options)
} catch (e) {
  log(`bench: ${describe(e)}`)
} finally {
  await stopAll()
}
process.exit(code)
