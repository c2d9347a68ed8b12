import { Worker } from "node:worker_threads"

export interface BlockedLoopWatchdog {
  /** Names the test file in the report. */
  readonly setFile: (file: string) => void
}

/**
 * Starts a thread that watches this process's main thread: a heartbeat every second, and when none comes
 * for `limitMs` the thread writes the main thread's kernel state (system call, the file it waits on,
 * kernel stack) and every other thread's to stderr and kills the process. A test whose main thread is
 * stuck in a system call cannot reach vitest's own timeouts; this turns such a hang into a failed file
 * with a description instead of a CI run that never ends. Neither the timer nor the thread keeps the
 * process alive.
 */
export const startBlockedLoopWatchdog = (limitMs: number): BlockedLoopWatchdog => {
  const beat = new Int32Array(new SharedArrayBuffer(4))
  setInterval(() => Atomics.add(beat, 0, 1), 1_000).unref()
  const worker = new Worker(new URL("./blockedLoopWatchdogThread.mjs", import.meta.url), {
    workerData: { beat, limitMs },
    // plain JavaScript: none of the process's flags (a loader, --input-type) apply to it
    execArgv: [],
    stdout: false,
    stderr: false,
  })
  worker.unref()
  worker.on("error", (e) => console.error(`blocked-loop watchdog stopped: ${e.message}`))
  return { setFile: (file) => worker.postMessage(file) }
}
