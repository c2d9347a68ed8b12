/**
 * The server's entry point with a stall timeline (bench/tail/timeline.ts), written to
 * `$ATOM_TAIL_DIR/atom-<pid>.json` when the process exits; with `ATOM_TAIL_PROFILE=1` also a V8 CPU profile
 * sampled every 100 µs (`atom-<pid>.cpuprofile`, for bench/tail/slices.ts).
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { join } from "node:path"
import { getHeapSpaceStatistics } from "node:v8"
import { recordStalls } from "./timeline.js"

const dir = process.env.ATOM_TAIL_DIR ?? "."
const recorder = recordStalls()
const session = process.env.ATOM_TAIL_PROFILE === "1" ? new Session() : undefined
if (session) {
  session.connect()
  session.post("Profiler.enable")
  session.post("Profiler.setSamplingInterval", { interval: 100 })
  session.post("Profiler.start")
}
process.on("exit", () => {
  writeFileSync(join(dir, `atom-${process.pid}.json`), JSON.stringify(recorder.stalls()))
  writeFileSync(join(dir, `atom-${process.pid}.heap.json`), JSON.stringify(getHeapSpaceStatistics()))
  // an in-thread inspector session answers synchronously, so this runs to the end before exit
  session?.post("Profiler.stop", (err, result) => {
    if (err === null) writeFileSync(join(dir, `atom-${process.pid}.cpuprofile`), JSON.stringify(result.profile))
  })
})
await import("../../packages/server/src/main.js")
