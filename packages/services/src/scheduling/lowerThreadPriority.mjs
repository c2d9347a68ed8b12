// Lowers the calling thread's scheduling priority so background work (password hashing, the audit
// writer) yields the CPU to the event loop whenever both want it: a login storm or an audit burst then
// slows itself, never every other request.
//
// First nice +10 (setpriority(PRIO_PROCESS, tid): Linux names the thread in /proc/thread-self).
// Then, where util-linux's `chrt` is installed, the SCHED_IDLE policy: a thread of that policy
// runs only on CPU time no normal thread wants, and a waking normal thread (the event loop with a
// request) takes its CPU at once. Under Linux's EEVDF scheduler a nice-10 thread may finish its
// time slice first, which measured as milliseconds of event-loop lag under a login storm.
// Lowering one's own priority needs no privilege. Where either step is refused or unavailable,
// the thread keeps the priority it has.
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { getPriority, setPriority } from "node:os"

export const BACKGROUND_NICENESS = 10

/** Linux's number for the SCHED_IDLE policy (`policy` in /proc/<pid>/task/<tid>/sched). */
const SCHED_IDLE = 5

const threadId = () => {
  const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1))
  return Number.isInteger(tid) && tid > 0 ? tid : undefined
}

/** This thread's scheduling policy (0 normal, 5 idle), or undefined where /proc does not say. */
const threadPolicy = (tid) => {
  try {
    const line = readFileSync(`/proc/self/task/${tid}/sched`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("policy"))
    const policy = Number(line?.split(":")[1])
    return Number.isInteger(policy) ? policy : undefined
  } catch {
    return undefined
  }
}

/** Lowers this thread's priority; answers the niceness now in force, or undefined where threads cannot be named. */
export const lowerThreadPriority = () => {
  let tid
  try {
    tid = threadId()
    if (tid === undefined) return undefined
    if (getPriority(tid) < BACKGROUND_NICENESS) setPriority(tid, BACKGROUND_NICENESS)
  } catch {
    return undefined
  }
  try {
    if (threadPolicy(tid) !== SCHED_IDLE) {
      execFileSync("chrt", ["--idle", "--pid", "0", String(tid)], { stdio: "ignore", timeout: 5_000 })
    }
  } catch {
    // no chrt, or refused: nice alone
  }
  return getPriority(tid)
}

/**
 * Lowers every thread of this process (a background process: the audit writer). Threads started later
 * (libuv's pool) inherit the priority of the thread that starts them. Answers the main thread's niceness
 * now in force, or undefined where /proc does not list the threads.
 */
export const lowerProcessPriority = () => {
  let tids
  try {
    tids = readdirSync("/proc/self/task").map(Number)
  } catch {
    return undefined
  }
  for (const tid of tids) {
    try {
      if (getPriority(tid) < BACKGROUND_NICENESS) setPriority(tid, BACKGROUND_NICENESS)
    } catch {
      // a thread that ended meanwhile, or refused: it keeps its priority
    }
  }
  try {
    execFileSync("chrt", ["--idle", "--all-tasks", "--pid", "0", String(process.pid)], {
      stdio: "ignore",
      timeout: 5_000,
    })
  } catch {
    // no chrt, or refused: nice alone
  }
  return getPriority(process.pid)
}
