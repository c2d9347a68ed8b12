/**
 * CPU time per answered request of the server process, for any bench scenario against its floor:
 * `npx tsx bench/cpuPerRequest.ts --only http-health-live,graphql-authz-check [--duration 5] [--runs 3] [--profile dir]`
 * (DATABASE_URL selects Postgres).
 *
 * Throughput on a shared machine follows whatever else runs; the CPU a server process spends per answer (user +
 * system from /proc/<pid>/stat) hardly does. The CPU ratio (floor ÷ scenario) is what the throughput ratio of
 * `bench/run.ts` tends to when both servers get the same CPU. Linux only. `--profile <dir>` writes a V8 CPU profile
 * of the Atom process there (bench/profiledEntry.ts) when it stops.
 */
import { loadavg } from "node:os"
import { parseArgs } from "node:util"
import { runningChildren } from "./lib/child.js"
import { type RunningFloor, startFloor } from "./lib/floors.js"
import { cpuMs, defaultLoaders } from "./lib/processCpu.js"
import type { BaselineName, BenchContext } from "./lib/scenario.js"
import { startAtom } from "./lib/startAtom.js"
import { median } from "./lib/stats.js"
import { SCENARIOS } from "./scenarios/index.js"

const { values } = parseArgs({
  options: {
    only: { type: "string" },
    duration: { type: "string" },
    runs: { type: "string" },
    profile: { type: "string" },
  },
})
const duration = Number(values.duration ?? 5)
const runs = Number(values.runs ?? 3)
const log = (message: string) => process.stderr.write(`${message}\n`)

interface Sample {
  readonly perCallMs: number
  readonly opsPerSec: number
}

const measure = async (pid: number, load: () => Promise<{ ok: number; opsPerSec: number }>): Promise<Sample> => {
  const before = cpuMs(pid)
  const result = await load()
  return { perCallMs: (cpuMs(pid) - before) / Math.max(1, result.ok), opsPerSec: result.opsPerSec }
}

const main = async () => {
  const names = (values.only ?? "").split(",").filter((n) => n !== "")
  const selected = SCENARIOS.filter((s) => names.includes(s.name) && s.baseline !== "none")
  if (selected.length === 0) throw new Error("--only names no scenario with a floor (see bench/run.ts --list)")
  const loaders = defaultLoaders(duration, log)
  const baselines = [...new Set(selected.map((s) => s.baseline))].filter((b): b is BaselineName => b !== "none")
  const [atom, ...floorList] = await Promise.all([
    startAtom({
      env: values.profile ? { ATOM_BENCH_PROFILE_DIR: values.profile } : {},
      ...(values.profile ? { entry: "bench/profiledEntry.ts" } : {}),
    }),
    ...baselines.map((b) => startFloor(b)),
  ])
  const floors = new Map<string, RunningFloor>(floorList.map((f) => [f.name, f]))
  const ctx: BenchContext = { ...loaders, atom }
  const lines: Array<string> = []
  for (const scenario of selected) {
    const floor = floors.get(scenario.baseline)
    if (!floor) continue
    await scenario.prepare?.(ctx)
    await scenario.run({ ...ctx, durationSec: Math.min(3, duration) })
    await floor.run({ ...loaders, durationSec: Math.min(3, duration) })
    const atomRuns: Array<Sample> = []
    const floorRuns: Array<Sample> = []
    for (let i = 0; i < runs; i++) {
      atomRuns.push(await measure(atom.child.pid, () => scenario.run(ctx)))
      floorRuns.push(await measure(floor.child.pid, () => floor.run(loaders)))
      log(
        `${scenario.name} run ${i + 1}: atom ${atomRuns[i]?.perCallMs.toFixed(3)} ms (${Math.round(atomRuns[i]?.opsPerSec ?? 0)}/s), ` +
          `${floor.name} ${floorRuns[i]?.perCallMs.toFixed(3)} ms (${Math.round(floorRuns[i]?.opsPerSec ?? 0)}/s)`,
      )
    }
    const atomMs = median(atomRuns.map((r) => r.perCallMs))
    const floorMs = median(floorRuns.map((r) => r.perCallMs))
    const opsRatio = median(atomRuns.map((r) => r.opsPerSec)) / median(floorRuns.map((r) => r.opsPerSec))
    lines.push(
      `${scenario.name}: ${atomMs.toFixed(3)} CPU ms/request; ${floor.name}: ${floorMs.toFixed(3)} CPU ms/request; ` +
        `CPU ratio (floor ÷ atom) ${(floorMs / atomMs).toFixed(2)}; throughput ratio ${opsRatio.toFixed(2)}`,
    )
  }
  process.stdout.write(
    `${lines.join("\n")}\n[${process.env.DATABASE_URL ? "postgres" : "pglite"}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}]\n`,
  )
}

try {
  await main()
} finally {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}
