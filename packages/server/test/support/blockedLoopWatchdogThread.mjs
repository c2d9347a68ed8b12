// The watchdog thread of blockedLoopWatchdog.ts: it runs beside a test process's main thread and, when
// that thread's heartbeat stops for `limitMs`, writes what the kernel says the thread is doing (state,
// wait channel, system call and the file it waits on) to stderr and kills the process, so vitest reports
// the file as failed instead of waiting on it until CI's time runs out.
import { readdirSync, readFileSync, readlinkSync, writeSync } from "node:fs"
import { parentPort, workerData } from "node:worker_threads"

const { beat, limitMs } = workerData
const pid = process.pid
let file = "(unknown file)"
parentPort.on("message", (m) => {
  if (typeof m === "string") file = m
})

const read = (path) => {
  try {
    return readFileSync(path, "utf8").trim()
  } catch (e) {
    return `(${e.code ?? "unreadable"})`
  }
}
const link = (path) => {
  try {
    return readlinkSync(path)
  } catch {
    return "?"
  }
}

const self = link("/proc/thread-self").split("/").at(-1)

/** One line of a thread's kernel state; with `stack`, the first lines of its kernel stack below it. */
const describeThread = (tid, stack) => {
  const dir = `/proc/${pid}/task/${tid}`
  const stat = read(`${dir}/stat`)
  const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]
  const syscall = read(`${dir}/syscall`).split(" ")
  // for read, write, poll and most waits the first argument is a file descriptor
  const fd = Number.parseInt(syscall[1] ?? "", 16)
  const target = Number.isSafeInteger(fd) && fd >= 0 && fd < 65536 ? ` fd ${fd} → ${link(`/proc/${pid}/fd/${fd}`)}` : ""
  return [
    `  thread ${tid} (${read(`${dir}/comm`)}): state ${state}, wchan ${read(`${dir}/wchan`)}, syscall ${syscall.slice(0, 3).join(" ")}${target}`,
    ...(stack ? read(`${dir}/stack`) : "")
      .split("\n")
      .filter((l) => l.length > 0)
      .slice(0, 8)
      .map((l) => `      ${l}`),
  ].join("\n")
}

let last = Atomics.load(beat, 0)
let since = Date.now()
setInterval(
  () => {
    const now = Atomics.load(beat, 0)
    if (now !== last) {
      last = now
      since = Date.now()
      return
    }
    if (Date.now() - since < limitMs) return
    const threads = readdirSync(`/proc/${pid}/task`)
    const children = read(`/proc/${pid}/task/${pid}/children`)
    writeSync(
      2,
      [
        `\nblocked-loop watchdog: the main thread of test process ${pid} (${file}) has not run for ${Math.round((Date.now() - since) / 1000)} s; killing it`,
        describeThread(pid, true),
        ...threads.filter((t) => t !== String(pid) && t !== self).map((t) => describeThread(t, false)),
        `  child processes: ${children || "none"}`,
        "",
      ].join("\n"),
    )
    process.kill(pid, "SIGKILL")
  },
  Math.min(5_000, Math.max(100, limitMs / 4)),
)
