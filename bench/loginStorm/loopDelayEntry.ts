/**
 * The server's own entry point with an event-loop delay monitor: on SIGUSR2 it prints one line
 * `LOOP_DELAY {"p50":…,"p99":…,"max":…,"blockedP99":…,"blockedMax":…}` (milliseconds since the previous signal)
 * and starts afresh.
 *
 * A timer due every 5 ms is watched. Per tick, `lag` is how late it fired; `blocked` is that lag less the main
 * thread's run-queue wait meanwhile (Linux schedstat: time it was ready but other threads held the CPUs). `lag`
 * is what a request feels; `blocked` is the part the event loop itself caused (work that ran without yielding),
 * which other processes' load on a shared machine does not inflate.
 */
import { readFileSync } from "node:fs"
import { LOOP_DELAY_PREFIX } from "./loopDelay.js"

const TICK_MS = 5
const SCHEDSTAT = `/proc/${process.pid}/task/${process.pid}/schedstat`

/** The main thread's run-queue wait so far, in ms (0 where /proc does not say). */
const runQueueWaitMs = (): number => {
  try {
    return Number(readFileSync(SCHEDSTAT, "utf8").trim().split(" ")[1] ?? 0) / 1e6
  } catch {
    return 0
  }
}

let lags: Array<number> = []
let blocked: Array<number> = []
let last = performance.now()
let lastWait = runQueueWaitMs()
setInterval(() => {
  const now = performance.now()
  const wait = runQueueWaitMs()
  const lag = Math.max(0, now - last - TICK_MS)
  lags.push(lag)
  blocked.push(Math.max(0, lag - (wait - lastWait)))
  last = now
  lastWait = wait
}, TICK_MS)

const round = (ms: number) => Math.round(ms * 100) / 100
const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0)

process.on("SIGUSR2", () => {
  const l = lags.sort((a, b) => a - b)
  const b = blocked.sort((a, b) => a - b)
  const line = {
    p50: round(percentile(l, 50)),
    p99: round(percentile(l, 99)),
    max: round(l.at(-1) ?? 0),
    blockedP99: round(percentile(b, 99)),
    blockedMax: round(b.at(-1) ?? 0),
  }
  lags = []
  blocked = []
  process.stdout.write(`${LOOP_DELAY_PREFIX}${JSON.stringify(line)}\n`)
})
await import("../../packages/server/src/main.js")
