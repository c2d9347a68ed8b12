/**
 * CPU per login split by thread of the Atom process: `npx tsx bench/threadCpu.ts [--duration 5] [--connections 16]`
 * (DATABASE_URL selects Postgres). Reads /proc/<pid>/task/<tid>/stat before and after a login load, so the event
 * loop's share (main thread, PGlite included) is told apart from the hashing workers' and libuv's. Linux only.
 * `--profile <dir>` writes a V8 CPU profile of the Atom process there (bench/profiledEntry.ts).
 */

import { parseArgs } from "node:util"
import { statFields, taskName, threadIds } from "../packages/server/test/support/procfs.js"
import { httpLoad } from "./lib/httpLoad.js"
import { BENCH_ADMIN_SECRET, startAtom } from "./lib/startAtom.js"

const { values } = parseArgs({
  options: {
    duration: { type: "string" },
    connections: { type: "string" },
    built: { type: "boolean" },
    profile: { type: "string" },
  },
})
const duration = Number(values.duration ?? 5)
const connections = Number(values.connections ?? 16)

const threads = (pid: number): Map<string, number> => {
  const out = new Map<string, number>()
  for (const tid of threadIds(pid)) {
    const fields = statFields(`${pid}/task/${tid}`)
    if (fields === undefined) continue
    const label = tid === String(pid) ? "main" : (taskName(`${pid}/task/${tid}`) ?? "?")
    out.set(`${label}#${tid}`, (Number(fields[11]) + Number(fields[12])) * 10)
    out.set(`${label} (system)#${tid}`, Number(fields[12]) * 10)
  }
  return out
}

const atom = await startAtom({
  built: values.built === true,
  ...(values.profile ? { env: { ATOM_BENCH_PROFILE_DIR: values.profile }, entry: "bench/profiledEntry.ts" } : {}),
})
try {
  const body = JSON.stringify({ identifier: "admin", secret: BENCH_ADMIN_SECRET })
  const load = () =>
    httpLoad({
      url: `${atom.httpUrl}/auth/login`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      connections,
      durationSec: duration,
    })
  await load()
  const before = threads(atom.child.pid)
  const result = await load()
  const after = threads(atom.child.pid)
  const groups = new Map<string, number>()
  for (const [key, ms] of after) {
    const name = key.slice(0, key.indexOf("#"))
    groups.set(name, (groups.get(name) ?? 0) + ms - (before.get(key) ?? 0))
  }
  process.stdout.write(`${result.ok} logins, ${result.opsPerSec.toFixed(0)}/s, errors ${result.errors}\n`)
  for (const [name, ms] of [...groups].sort((a, b) => b[1] - a[1])) {
    if (ms > 0) process.stdout.write(`${name.padEnd(20)} ${(ms / result.ok).toFixed(3)} ms/login  ${ms} ms\n`)
  }
} finally {
  await atom.stop()
}
