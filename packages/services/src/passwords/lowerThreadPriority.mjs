// Lowers the calling thread's scheduling priority (nice +10) so password hashing yields the CPU
// to the event loop whenever both want it: a login storm then slows logins, never every other
// request. Linux names the thread in /proc/thread-self; setpriority(PRIO_PROCESS, tid) changes
// that thread only. Elsewhere, or where it is refused, hashing simply keeps normal priority.
import { readlinkSync } from "node:fs"
import { getPriority, setPriority } from "node:os"

export const HASHING_NICENESS = 10

/** The niceness now in force for this thread, or undefined where threads cannot be named. */
export const lowerThreadPriority = () => {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").at(-1))
    if (!Number.isInteger(tid) || tid <= 0) return undefined
    if (getPriority(tid) < HASHING_NICENESS) setPriority(tid, HASHING_NICENESS)
    return getPriority(tid)
  } catch {
    return undefined
  }
}
