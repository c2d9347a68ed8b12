import { commandLine, processIds, statFields, threadIds } from "../../packages/server/test/support/procfs.js"

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SEC = 100

/** user + system CPU ms of a `/proc` entry (`<pid>` or `<pid>/task/<tid>`) so far; throws once it is gone (Linux). */
export const statCpuMs = (entry: number | string): number => {
  const fields = statFields(entry)
  if (fields === undefined) throw new Error(`/proc/${entry} is gone`)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SEC
}

/** `statCpuMs`, but 0 once the entry is gone. */
export const procCpuMs = (entry: number | string): number => {
  try {
    return statCpuMs(entry)
  } catch {
    return 0
  }
}

/** CPU ms of each thread of this process so far, by thread id. */
export const threadCpu = (): Map<string, number> => {
  const out = new Map<string, number>()
  for (const tid of threadIds(process.pid)) out.set(tid, procCpuMs(`${process.pid}/task/${tid}`))
  return out
}

/**
 * This process's CPU between two `threadCpu` readings split by thread: the main thread (event loop), the
 * busiest other thread (a worker thread that works, when there is one) and the rest (V8's GC and
 * compiler helpers, libuv).
 */
export const threadSplit = (before: Map<string, number>, after: Map<string, number>) => {
  const main = String(process.pid)
  const deltas = [...after].map(([tid, ms]) => [tid, ms - (before.get(tid) ?? 0)] as const)
  const mainMs = deltas.find(([tid]) => tid === main)?.[1] ?? 0
  const others = deltas.filter(([tid]) => tid !== main).map(([, ms]) => ms)
  const busiest = Math.max(0, ...others)
  return { mainMs, busiestMs: busiest, restMs: others.reduce((a, b) => a + b, 0) - busiest }
}

/** A backend's process title: `postgres: [cluster: ]<user> <database> <client> <state>`. */
const BACKEND_TITLE = /^postgres: (?:\S+: )?\S+ (\S+) /

/** CPU ms so far of every Postgres backend serving `database` on this machine, by pid. */
export const backendCpu = (database: string): Map<number, number> => {
  const cpu = new Map<number, number>()
  for (const pid of processIds().map(Number)) {
    if (BACKEND_TITLE.exec(commandLine(pid))?.[1] === database) cpu.set(pid, procCpuMs(pid))
  }
  return cpu
}

/** CPU ms spent between two `backendCpu` readings (backends that started meanwhile count from 0). */
export const cpuSpent = (before: Map<number, number>, after: Map<number, number>): number => {
  let ms = 0
  for (const [pid, now] of after) ms += now - (before.get(pid) ?? 0)
  return ms
}
