import { readdirSync, readFileSync } from "node:fs"

/**
 * Linux /proc readers shared by the tests and the bench (process trees, thread priorities, CPU times).
 * Every reader answers `undefined` (or nothing) once the process or thread is gone, never throws.
 */

/** The text of `/proc/<path>`, or undefined once it is gone. */
export const readProc = (path: string): string | undefined => {
  try {
    return readFileSync(`/proc/${path}`, "utf8")
  } catch {
    return undefined
  }
}

/**
 * The fields of `/proc/<entry>/stat` (`<pid>` or `<pid>/task/<tid>`) after the command name, which is in
 * parentheses and may hold spaces, so they are counted from the last `)`: index 0 is the state (field 3),
 * 1 the parent's pid, 11 and 12 user and system time in clock ticks, 16 the nice value.
 */
export const statFields = (entry: number | string): ReadonlyArray<string> | undefined => {
  const stat = readProc(`${entry}/stat`)
  return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(")") + 2).split(" ")
}

/** A `Key: value` figure of `/proc/<pid>/status` (`VmRSS`, `RssAnon`, `Threads` …; sizes in kB), or NaN. */
export const statusFigure = (pid: number | string, key: string): number =>
  Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(readProc(`${pid}/status`) ?? "")?.[1] ?? Number.NaN)

/** Whether a process (or thread) runs: it exists and is no zombie. */
export const isLive = (entry: number | string): boolean => {
  const state = statFields(entry)?.[0]
  return state !== undefined && state !== "Z"
}

/** The command line of a process, arguments separated by spaces ("" once it is gone). */
export const commandLine = (pid: number | string): string => (readProc(`${pid}/cmdline`) ?? "").replaceAll("\0", " ")

/** The name of a process or thread (`comm`: the executable's, or the name the thread gave itself), or undefined. */
export const taskName = (entry: number | string): string | undefined => readProc(`${entry}/comm`)?.trimEnd()

/** The ids of every process on the machine. */
export const processIds = (): Array<string> => readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))

/** The live child processes of `pid` (zombies left out). */
export const childPids = (pid: number): Array<number> =>
  processIds()
    .filter((entry) => {
      const fields = statFields(entry)
      return fields !== undefined && fields[0] !== "Z" && Number(fields[1]) === pid
    })
    .map(Number)

/** The thread ids of a process (none once it is gone). */
export const threadIds = (pid: number | string): Array<string> => {
  try {
    return readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
}

/** Linux's number for the SCHED_IDLE scheduling policy (0 is SCHED_OTHER, the normal one). */
export const SCHED_IDLE = 5

/** A thread's scheduling policy, `policy` in `/proc/<pid>/task/<tid>/sched`. */
export const schedPolicy = (pid: number | string, tid: string): number | undefined => {
  const policy = /^policy\s*:\s*(\d+)/m.exec(readProc(`${pid}/task/${tid}/sched`) ?? "")?.[1]
  return policy === undefined ? undefined : Number(policy)
}
