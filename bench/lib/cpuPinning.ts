import { execFileSync } from "node:child_process"
import { availableParallelism } from "node:os"
import { childPids, processIds, taskName } from "../../packages/server/test/support/procfs.js"

/**
 * CPU affinity for a bench that emulates a database on its own host on one machine (Linux, `taskset`):
 * the database's processes on the last CPU, the servers and the load on the others. A process started
 * later inherits its parent's set, so pinning the bench first pins the servers it starts; Postgres
 * forks each new connection from its postmaster, so pinning every `postgres` process covers new ones.
 */

const lastCpu = (): number => availableParallelism() - 1

/** Runs a command on a live process; a process that ended meanwhile is skipped rather than failing. */
export const runOnProcess = (pid: number | string, command: string, args: ReadonlyArray<string>): void => {
  try {
    execFileSync(command, [...args, String(pid)], { stdio: "ignore" })
  } catch (e) {
    if (taskName(pid) !== undefined) throw e
  }
}

/** Sets the CPUs of every thread of a process. */
const setAffinity = (pid: number | string, cpus: string): void =>
  runOnProcess(pid, "taskset", ["--all-tasks", "--pid", "--cpu-list", cpus])

const postgresPids = (): Array<string> => processIds().filter((pid) => taskName(pid) === "postgres")

/** A process's live descendants, nearest first. */
const descendants = (pid: number): Array<number> => childPids(pid).flatMap((child) => [child, ...descendants(child)])

export interface CpuPinning {
  /** A server's child processes (its audit writer process) onto the database's CPU. */
  readonly childrenToDatabaseSide: (serverPid: number) => void
  /** Puts every process back on every CPU. */
  readonly restore: () => void
  readonly description: string
}

/** Pins this process (and so what it starts later) to every CPU but the last, and Postgres to the last. */
export const pinDatabaseApart = (): CpuPinning => {
  const last = lastCpu()
  if (last < 1) throw new Error("--pin needs at least 2 CPUs")
  execFileSync("taskset", ["--version"], { stdio: "ignore" })
  const all = `0-${last}`
  const appSide = last === 1 ? "0" : `0-${last - 1}`
  setAffinity(process.pid, appSide)
  for (const pid of postgresPids()) setAffinity(pid, String(last))
  const moved = new Set<number>()
  return {
    childrenToDatabaseSide: (serverPid) => {
      for (const p of descendants(serverPid)) {
        setAffinity(p, String(last))
        moved.add(p)
      }
    },
    restore: () => {
      for (const pid of postgresPids()) setAffinity(pid, all)
      for (const pid of moved) setAffinity(pid, all)
      setAffinity(process.pid, all)
    },
    description: `servers and load on CPU ${appSide}, Postgres and audit writer processes on CPU ${last}`,
  }
}
