/**
 * The server's own entry point under the V8 CPU profiler (NODE_OPTIONS may not carry --cpu-prof): the
 * profile is written to `$ATOM_BENCH_PROFILE_DIR/atom-<pid>.cpuprofile` when the process exits.
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector"
import { join } from "node:path"

const dir = process.env.ATOM_BENCH_PROFILE_DIR ?? "."
const session = new Session()
session.connect()
session.post("Profiler.enable")
session.post("Profiler.start")
process.on("exit", () => {
  // an in-thread inspector session answers synchronously, so this runs to the end before exit
  session.post("Profiler.stop", (err, result) => {
    if (err === null) writeFileSync(join(dir, `atom-${process.pid}.cpuprofile`), JSON.stringify(result.profile))
  })
})
await import("../packages/server/src/main.js")
