/**
 * CPU time per call of the server process, Atom's gRPC Check against the bare grpc-js floor:
 * `npx tsx bench/cpuPerCall.ts [--duration 5] [--runs 3]` (DATABASE_URL selects Postgres).
 *
 * On a machine shared with other work, throughput swings with whatever else runs; the CPU a server process
 * spends per answered call (from /proc/<pid>/stat, user + system) hardly does. The ratio of the floor's cost
 * to Atom's is what `pnpm bench`'s ratio tends to when both get the same CPU. Linux only.
 * `--profile <dir>` writes a V8 CPU profile of the Atom process there (bench/profiledEntry.ts) when it stops.
 */
import { parseArgs } from "node:util"
import { runningChildren } from "./lib/child.js"
import { startFloor } from "./lib/floors.js"
import { unaryMethod } from "./lib/grpc.js"
import { cpuMs, defaultLoaders } from "./lib/processCpu.js"
import { startAtom } from "./lib/startAtom.js"
import { median } from "./lib/stats.js"
import { adminSession } from "./scenarios/benchSession.js"

const { values } = parseArgs({
  options: { duration: { type: "string" }, runs: { type: "string" }, profile: { type: "string" } },
})
const duration = Number(values.duration ?? 5)
const runs = Number(values.runs ?? 3)
const SERVICE_ENTITY = "00000000-0000-0000-0000-000000000003"

const log = (message: string) => process.stderr.write(`${message}\n`)

const main = async () => {
  const loaders = defaultLoaders(duration, log)
  const services = loaders.services
  const [atom, floor] = await Promise.all([
    startAtom({
      env: {
        ...(process.env.DATABASE_URL ? { ATOM_CERTS_ENABLED: "false" } : {}),
        ...(values.profile ? { ATOM_BENCH_PROFILE_DIR: values.profile } : {}),
      },
      ...(values.profile ? { entry: "bench/profiledEntry.ts" } : {}),
    }),
    startFloor("grpc-floor"),
  ])
  const session = await adminSession(atom.httpUrl)
  const check = () =>
    loaders.grpc({
      address: atom.grpcAddress,
      method: unaryMethod(services, "atom.v1.AuthzService", "Check"),
      request: { subject_id: session.entityId, action: "read", object_kind: "entity", object_id: SERVICE_ENTITY },
      metadata: { authorization: `Bearer ${session.token}` },
      check: (r: unknown) => typeof r === "object" && r !== null && "allowed" in r && r.allowed === true,
    })
  const measure = async (pid: number, load: () => Promise<{ ok: number; opsPerSec: number }>) => {
    const before = cpuMs(pid)
    const result = await load()
    return { perCallMs: (cpuMs(pid) - before) / Math.max(1, result.ok), opsPerSec: result.opsPerSec }
  }
  await check()
  await floor.run(loaders)
  const atomRuns: Array<{ perCallMs: number; opsPerSec: number }> = []
  const floorRuns: Array<{ perCallMs: number; opsPerSec: number }> = []
  for (let i = 0; i < runs; i++) {
    atomRuns.push(await measure(atom.child.pid, check))
    floorRuns.push(await measure(floor.child.pid, () => floor.run(loaders)))
    log(
      `run ${i + 1}: atom ${atomRuns[i]?.perCallMs.toFixed(3)} ms/call (${Math.round(atomRuns[i]?.opsPerSec ?? 0)}/s), ` +
        `floor ${floorRuns[i]?.perCallMs.toFixed(3)} ms/call (${Math.round(floorRuns[i]?.opsPerSec ?? 0)}/s)`,
    )
  }
  const atomMs = median(atomRuns.map((r) => r.perCallMs))
  const floorMs = median(floorRuns.map((r) => r.perCallMs))
  process.stdout.write(
    `grpc-authz-check: ${atomMs.toFixed(3)} CPU ms/call; grpc-floor: ${floorMs.toFixed(3)} CPU ms/call; ` +
      `CPU ratio (floor ÷ atom) ${(floorMs / atomMs).toFixed(2)}  [${process.env.DATABASE_URL ? "postgres" : "pglite"}]\n`,
  )
}

try {
  await main()
} finally {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}
