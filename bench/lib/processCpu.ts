import { loadServiceDefinitions, unaryMethod } from "./grpc.js"
import { grpcLoad } from "./grpcLoad.js"
import { httpLoad } from "./httpLoad.js"
import type { Loaders } from "./scenario.js"
import { statCpuMs } from "./threadCpu.js"

/** user + system CPU milliseconds of a process so far (Linux: /proc/<pid>/stat). */
export const cpuMs = (pid: number): number => statCpuMs(pid)

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
