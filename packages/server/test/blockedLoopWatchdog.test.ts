import { spawn } from "node:child_process"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"

const WATCHDOG = pathToFileURL(fileURLToPath(new URL("./support/blockedLoopWatchdog.ts", import.meta.url))).href

interface Ended {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stderr: string
  readonly ms: number
}

/** Runs `body` in a fresh Node process (under tsx) that started the watchdog with a 1.5 s limit. */
const runWithWatchdog = (body: string): Promise<Ended> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const script = [
      `import { startBlockedLoopWatchdog } from ${JSON.stringify(WATCHDOG)}`,
      "startBlockedLoopWatchdog(1500).setFile('the-stuck-file.test.ts')",
      body,
    ].join("\n")
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "ignore", "pipe"],
    })
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.on("error", reject)
    child.on("close", (code, signal) => resolve({ code, signal, stderr, ms: Date.now() - started }))
  })

describe("blocked-loop watchdog of the test processes", () => {
  it("reports a main thread stuck in a system call and kills its process", async () => {
    // blocks the main thread in a futex wait for a minute, as a stuck synchronous call would
    const ended = await runWithWatchdog(
      "setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000), 300)",
    )
    expect(ended.signal).toBe("SIGKILL")
    expect(ended.ms).toBeLessThan(30_000)
    expect(ended.stderr).toMatch(/main thread of test process \d+ \(the-stuck-file\.test\.ts\) has not run for \d+ s/)
    // the main thread's kernel state: sleeping in a system call
    expect(ended.stderr).toMatch(/thread \d+ \([^)]*\): state S, wchan \S+, syscall \d+/)
  })

  it("leaves a process whose event loop runs alone, however long it waits", async () => {
    const ended = await runWithWatchdog("setTimeout(() => process.exit(0), 4_000)")
    expect(ended).toMatchObject({ code: 0, signal: null })
    expect(ended.stderr).not.toContain("watchdog")
  })

  it("does not keep a process alive that has nothing left to do", async () => {
    const ended = await runWithWatchdog("")
    expect(ended).toMatchObject({ code: 0, signal: null })
    expect(ended.ms).toBeLessThan(10_000)
  })
})
