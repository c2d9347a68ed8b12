import { childPids, SCHED_IDLE, schedPolicy, threadIds } from "../../packages/server/test/support/procfs.js"
import { loadServiceDefinitions, unaryMethod } from "./grpc.js"
import { grpcLoad } from "./grpcLoad.js"
import { httpLoad } from "./httpLoad.js"
import type { Loaders } from "./scenario.js"
import { procCpuMs, statCpuMs } from "./threadCpu.js"

/**
 * user + system CPU milliseconds of a process so far, with its live child processes' (Atom's audit writer
 * process on Postgres): Linux, /proc/<pid>/stat.
 */
export const cpuMs = (pid: number): number => statCpuMs(pid) + childProcessesCpuMs(pid)

/** user + system CPU milliseconds so far of the live child processes of `pid` and theirs. */
export const childProcessesCpuMs = (pid: number): number =>
  childPids(pid).reduce((sum, child) => sum + procCpuMs(child) + childProcessesCpuMs(child), 0)

/** CPU ms of the threads of `pid` not under SCHED_IDLE, so far. */
const normalThreadsCpuMs = (pid: number): number =>
  threadIds(pid)
    .filter((tid) => schedPolicy(pid, tid) !== SCHED_IDLE)
    .reduce((sum, tid) => sum + procCpuMs(`${pid}/task/${tid}`), 0)

/**
 * CPU ms so far of the threads of a process and its live child processes that run at normal priority
 * (not SCHED_IDLE): the CPU time that competes with the event loop for a core. Threads that ended are
 * not counted, so compare figures of threads that live through the measurement.
 */
export const normalPriorityCpuMs = (pid: number): number =>
  normalThreadsCpuMs(pid) + childPids(pid).reduce((sum, child) => sum + normalPriorityCpuMs(child), 0)

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
