import { execFileSync } from "node:child_process"
import { runOnProcess } from "./cpuPinning.js"

/**
 * Emulates, on one machine, a database whose audit inserts run on CPUs of their own (Linux, `chrt`, as
 * root): the Postgres backends of the audit writers' connections (`application_name = 'atom-audit'`)
 * are put under SCHED_IDLE, so the rows they insert take only CPU time nothing else wants. The request
 * path's own queries, Postgres's other processes and every other backend keep their priority.
 * A backend started later (a writer that reconnects) is caught by the next `apply`.
 */
export interface IdleAuditBackends {
  /** Puts every current audit writer backend under SCHED_IDLE; answers how many it holds. */
  readonly apply: () => number
  /** Puts them back under SCHED_OTHER. */
  readonly restore: () => void
  readonly description: string
}

/** The pids of the Postgres backends serving the audit writers' connections to this database. */
export const auditBackendPids = (databaseUrl: string): Array<number> =>
  execFileSync(
    "psql",
    [
      databaseUrl,
      "-Atc",
      "select pid from pg_stat_activity where application_name = 'atom-audit' and datname = current_database()",
    ],
    { encoding: "utf8" },
  )
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map(Number)

/** Sets a backend's scheduling policy. */
const setPolicy = (pid: number, policy: "--idle" | "--other"): void => runOnProcess(pid, "chrt", [policy, "--pid", "0"])

export const idleAuditBackends = (databaseUrl: string | undefined): IdleAuditBackends => {
  if (databaseUrl === undefined) throw new Error("--idle-audit-db needs DATABASE_URL (Postgres)")
  execFileSync("chrt", ["--version"], { stdio: "ignore" })
  const held = new Set<number>()
  return {
    apply: () => {
      for (const pid of auditBackendPids(databaseUrl)) {
        if (held.has(pid)) continue
        setPolicy(pid, "--idle")
        held.add(pid)
      }
      return held.size
    },
    restore: () => {
      for (const pid of held) setPolicy(pid, "--other")
      held.clear()
    },
    description: "the audit writers' Postgres backends under SCHED_IDLE",
  }
}
