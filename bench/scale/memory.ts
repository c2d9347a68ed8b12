/**
 * Atom's resident set on a scale dataset already generated (issue 9: < 400 MB at 10×):
 * `npx tsx bench/scale/memory.ts --database perf_scale10 --scale 10 [--built] [--heap-snapshot dir] [--duration 5]`
 * `--node-flags="--trace-gc --max-semi-space-size=8"` passes V8 flags (with --trace-gc the last full collection's
 * heap sizes are printed). (The dataset: `DATABASE_URL=… npx tsx bench/dataset/cli.ts --scale 10 --database perf_scale10`; `--built`
 * runs `dist/atom.mjs` from `pnpm build` with plain node instead of the sources under tsx).
 *
 * RSS idle (before any request), after the scale bench's warm-up (its mix of 500 subjects' checks over gRPC and
 * GraphQL, closed loop) and at the end of three more rounds of both; `--heap-snapshot` has Atom write a V8 heap
 * snapshot there at the end (`--heapsnapshot-signal`), for the retainers.
 */
import { readdirSync, readFileSync } from "node:fs"
import { loadavg } from "node:os"
import { setTimeout as sleep } from "node:timers/promises"
import { parseArgs } from "node:util"
import { statusFigure } from "../../packages/server/test/support/procfs.js"
import { datasetSizes } from "../dataset/sizes.js"
import { runningChildren } from "../lib/child.js"
import { GRAPHQL_HEADERS } from "../lib/floors.js"
import { loadServiceDefinitions, unaryMethod } from "../lib/grpc.js"
import { BENCH_ADMIN_SECRET, startAtom } from "../lib/startAtom.js"
import { bulkCheck, checkInput, isAnswer, login } from "./atomApi.js"
import { checkFor, subjectOrder } from "./checks.js"
import { grpcMixed, httpMixed } from "./load.js"

const { values } = parseArgs({
  options: {
    database: { type: "string" },
    scale: { type: "string" },
    seed: { type: "string" },
    built: { type: "boolean" },
    "heap-snapshot": { type: "string" },
    duration: { type: "string" },
    "node-flags": { type: "string" },
  },
})
const log = (message: string) => process.stderr.write(`${message}\n`)
const duration = Number(values.duration ?? 5)
const scale = Number(values.scale ?? 10)
const seed = Number(values.seed ?? 1)

const status = (pid: number): string => {
  const kb = (key: string) => statusFigure(pid, key)
  return `RSS ${Math.round(kb("VmRSS") / 1024)} MB (anon ${Math.round(kb("RssAnon") / 1024)}, file ${Math.round(kb("RssFile") / 1024)}), ${kb("Threads")} threads`
}

const main = async () => {
  if (values.database === undefined) throw new Error("--database <name of a generated scale dataset> is required")
  const server = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test")
  server.pathname = `/${values.database}`
  const snapshotDir = values["heap-snapshot"]
  const atom = await startAtom({
    built: values.built === true,
    nodeFlags: [
      ...(values["node-flags"] ?? "").split(" ").filter((f) => f !== ""),
      ...(snapshotDir ? ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapshotDir}`] : []),
    ],
    env: { DATABASE_URL: server.href, ATOM_CERTS_ENABLED: "false" },
  })
  const pid = atom.child.pid
  const label = values.built ? "built (node dist/atom.mjs)" : "sources (tsx)"
  log(`${label}, scale ${scale}, load ${loadavg()[0]?.toFixed(1)}`)
  await sleep(3_000)
  log(`  idle:            ${status(pid)}`)

  const sizes = datasetSizes(scale)
  const token = await login(atom.httpUrl, BENCH_ADMIN_SECRET)
  const subjects = subjectOrder(sizes.entities).slice(0, Math.min(500, Math.floor(sizes.entities / 2)))
  const checks = subjects.flatMap((s) => [0, 1, 2, 3].map((n) => checkFor(seed, sizes, s, n)))
  const answers = await bulkCheck(atom.httpUrl, token, checks)
  const method = unaryMethod(loadServiceDefinitions(), "atom.v1.AuthzService", "Check")
  const grpcRequests = checks.map((c, i) => ({
    request: { subject_id: c.subjectId, action: c.action, object_kind: c.objectKind, object_id: c.objectId },
    expect: (reply: unknown) => isAnswer(reply) && reply.allowed === answers[i]?.allowed,
  }))
  const bodies = checks.map((c) => ({
    request: JSON.stringify({ query: `mutation { authzCheck(input: ${checkInput(c)}) { allowed reason } }` }),
    expect: (reply: unknown) => typeof reply === "string" && reply.includes('"authzCheck"'),
  }))
  const round = async (sec: number) => {
    const pace = { durationSec: sec, concurrency: 32 }
    const g = await grpcMixed({
      address: atom.grpcAddress,
      method,
      requests: grpcRequests,
      metadata: { authorization: `Bearer ${token}` },
      pace,
    })
    const q = await httpMixed({
      url: `${atom.httpUrl}/graphql`,
      headers: { ...GRAPHQL_HEADERS, authorization: `Bearer ${token}` },
      bodies,
      pace,
    })
    return `grpc ${Math.round(g.opsPerSec)}/s (${g.errors} errors), graphql ${Math.round(q.opsPerSec)}/s (${q.errors} errors)`
  }
  log(`  warm-up: ${await round(Math.min(3, duration))}`)
  log(`  after warm-up:   ${status(pid)}`)
  for (let i = 1; i <= 3; i++) log(`  round ${i}: ${await round(duration)}`)
  log(`  end:             ${status(pid)}`)
  // with --node-flags=--trace-gc: the V8 heap at the last full collection (used before -> after, MB)
  const lastFull = atom.child
    .tail()
    .split("\n")
    .filter((l) => l.includes("Mark-Compact"))
    .pop()
  if (lastFull !== undefined) log(`  last full GC: ${lastFull.replace(/^.*Mark-Compact/, "Mark-Compact").slice(0, 60)}`)
  if (snapshotDir) {
    process.kill(pid, "SIGUSR2")
    const deadline = Date.now() + 300_000
    const written = () => readdirSync(snapshotDir).filter((f) => f.endsWith(".heapsnapshot"))
    while (written().length === 0 && Date.now() < deadline) await sleep(1_000)
    // the file appears when the write starts; wait for its size to settle
    let last = -1
    for (;;) {
      await sleep(2_000)
      const size = written().reduce((n, f) => n + readFileSync(`${snapshotDir}/${f}`).length, 0)
      if (size === last || Date.now() > deadline) break
      last = size
    }
    log(`  heap snapshot in ${snapshotDir}: ${written().join(", ")}`)
  }
  await atom.stop()
}

try {
  await main()
} finally {
  await Promise.allSettled(runningChildren().map((c) => c.stop(10_000)))
}
