import { beforeAll, expect } from "vitest"
import { type BlockedLoopWatchdog, startBlockedLoopWatchdog } from "./blockedLoopWatchdog.js"

declare global {
  // one watchdog per test process, however many files it runs
  var atomBlockedLoopWatchdog: BlockedLoopWatchdog | undefined
}

// A main thread blocked this long is stuck, not slow: the longest synchronous stretch of any test is well
// under a second. vitest's own timeouts (60 s a test, 120 s a hook) cover a stuck test whose loop still runs.
const LIMIT_MS = 90_000

globalThis.atomBlockedLoopWatchdog ??= startBlockedLoopWatchdog(LIMIT_MS)
const watchdog = globalThis.atomBlockedLoopWatchdog
beforeAll(() => {
  watchdog.setFile(expect.getState().testPath ?? "(unknown file)")
})
