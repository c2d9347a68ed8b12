/**
 * The server's own entry point with an event-loop delay monitor: on SIGUSR2 it prints one line
 * `LOOP_DELAY {"p50":…,"p99":…,"max":…}` (milliseconds since the previous signal) and starts afresh.
 */
import { monitorEventLoopDelay } from "node:perf_hooks"
import { LOOP_DELAY_PREFIX } from "./loopDelay.js"

const histogram = monitorEventLoopDelay({ resolution: 5 })
histogram.enable()
const ms = (ns: number) => Math.round(ns / 10_000) / 100
process.on("SIGUSR2", () => {
  const line = { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }
  histogram.reset()
  process.stdout.write(`${LOOP_DELAY_PREFIX}${JSON.stringify(line)}\n`)
})
await import("../../packages/server/src/main.js")
