import { readdirSync, readFileSync } from "node:fs"
import { loadServiceDefinitions, unaryMethod } from "./grpc.js"
import { grpcLoad } from "./grpcLoad.js"
import { httpLoad } from "./httpLoad.js"
import type { Loaders } from "./scenario.js"
import { procCpuMs, statCpuMs } from "./threadCpu.js"

/** The live child processes of `pid` (Linux: the parent's pid is field 4 of /proc/<n>/stat). */
const childrenOf = (pid: number): Array<number> =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid
      } catch {
        return false
      }
    })
    .map(Number)

/**
 * user + system CPU milliseconds of a process so far, with its live child processes' (Atom's audit writer
 * process on Postgres): Linux, /proc/<pid>/stat.
 */
export const cpuMs = (pid: number): number => statCpuMs(pid) + childProcessesCpuMs(pid)

/** user + system CPU milliseconds so far of the live child processes of `pid` and theirs. */
export const childProcessesCpuMs = (pid: number): number =>
  childrenOf(pid).reduce((sum, child) => sum + procCpuMs(child) + childProcessesCpuMs(child), 0)

/** Linux's number for the SCHED_IDLE policy (`policy` in /proc/<pid>/task/<tid>/sched). */
const SCHED_IDLE = 5

const isIdle = (task: string): boolean => {
  try {
    return /^policy\s*:\s*(\d+)/m.exec(readFileSync(`/proc/${task}/sched`, "utf8"))?.[1] === String(SCHED_IDLE)
  } catch {
    return false
  }
}

/** CPU ms of the threads of `pid` not under SCHED_IDLE, so far. */
const normalThreadsCpuMs = (pid: number): number => {
  try {
    return readdirSync(`/proc/${pid}/task`)
      .map((tid) => `${pid}/task/${tid}`)
      .filter((task) => !isIdle(task))
      .reduce((sum, task) => sum + procCpuMs(task), 0)
  } catch {
    return 0
  }
}

/**
 * CPU ms so far of the threads of a process and its live child processes that run at normal priority
 * (not SCHED_IDLE): the CPU time that competes with the event loop for a core. Threads that ended are
 * not counted, so compare figures of threads that live through the measurement.
 */
export const normalPriorityCpuMs = (pid: number): number =>
  normalThreadsCpuMs(pid) + childrenOf(pid).reduce((sum, child) => sum + normalPriorityCpuMs(child), 0)

/** user + system CPU milliseconds of a process's main thread (its event loop) so far (Linux). */
export const mainThreadCpuMs = (pid: number): number => statCpuMs(`${pid}/task/${pid}`)

/** The load drivers with the bench's defaults (32 HTTP connections, 32 gRPC calls in flight). */
export const defaultLoaders = (duration: number, log: (message: string) => void): Loaders => {
  const services = loadServiceDefinitions()
  return {
    durationSec: duration,
    http: (o) => httpLoad({ connections: 32, ...o, durationSec: o.durationSec ?? duration }),
    grpc: (o) => grpcLoad({ concurrency: 32, ...o, durationSec: o.durationSec ?? duration }),
    services,
    unary: (service, method) => unaryMethod(services, service, method),
    log,
  }
}
