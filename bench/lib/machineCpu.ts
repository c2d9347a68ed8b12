import { commandLine, processIds, readProc, taskName } from "../../packages/server/test/support/procfs.js"
import { auditBackendPids } from "./idleAuditBackends.js"
import { procCpuMs } from "./threadCpu.js"

/**
 * Where a machine's CPU went during a bench round (Linux, /proc): this bench process (the load
 * generator), the Postgres backends of the audit writers' connections, Postgres's other backends and
 * its background processes (WAL writer, checkpointer, background writer), and the machine's busy time
 * in all. On a machine where the database and the load share the server's cores, this says how much
 * of them the server had.
 */
export interface MachineCpu {
  readonly benchMs: number
  readonly auditBackendsMs: number
  readonly otherBackendsMs: number
  readonly postgresBackgroundMs: number
  readonly busyMs: number
}

/** Clock ticks per second of /proc/stat (USER_HZ). */
const TICKS_PER_SEC = 100

/** Busy CPU ms of the whole machine so far: every CPU's time but idle and I/O wait. */
const machineBusyMs = (): number => {
  const fields = (readProc("stat") ?? "").split("\n")[0]?.trim().split(/\s+/).slice(1).map(Number) ?? []
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  return ((total - idle) * 1000) / TICKS_PER_SEC
}

/** A client backend's title: `postgres: [cluster: ]<user> <database> <client> <state>`; the rest are background. */
const isClientBackend = (title: string): boolean => /^postgres: (?:\S+: )?\S+ \S+ \S+\(\d+\)/.test(title)

/** The CPU so far of each part; subtract two readings for a round. */
export const machineCpu = (databaseUrl: string | undefined): MachineCpu => {
  const audit = new Set(databaseUrl === undefined ? [] : auditBackendPids(databaseUrl))
  let auditBackendsMs = 0
  let otherBackendsMs = 0
  let postgresBackgroundMs = 0
  for (const entry of processIds()) {
    if (taskName(entry) !== "postgres") continue
    const pid = Number(entry)
    const ms = procCpuMs(pid)
    if (audit.has(pid)) auditBackendsMs += ms
    else if (isClientBackend(commandLine(pid))) otherBackendsMs += ms
    else postgresBackgroundMs += ms
  }
  return {
    benchMs: procCpuMs(process.pid),
    auditBackendsMs,
    otherBackendsMs,
    postgresBackgroundMs,
    busyMs: machineBusyMs(),
  }
}

/**
 * What each part spent between two readings. A process that ended in between takes its CPU with it, so a
 * part whose connections closed meanwhile can show a small negative figure.
 */
export const machineCpuSpent = (before: MachineCpu, after: MachineCpu): MachineCpu => ({
  benchMs: after.benchMs - before.benchMs,
  auditBackendsMs: after.auditBackendsMs - before.auditBackendsMs,
  otherBackendsMs: after.otherBackendsMs - before.otherBackendsMs,
  postgresBackgroundMs: after.postgresBackgroundMs - before.postgresBackgroundMs,
  busyMs: after.busyMs - before.busyMs,
})
