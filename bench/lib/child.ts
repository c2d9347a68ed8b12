import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

/** The repository root: every child runs from here so `--import tsx` and `.env` resolve as with `pnpm start`. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url))

const TAIL_CHARS = 8_000

export interface Child {
  readonly name: string
  readonly pid: number
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<string>
  readonly alive: () => boolean
  /** The last few kilobytes of stdout and stderr, for error messages. */
  readonly tail: () => string
  /** Calls `onLine` for every stdout line until it returns true or `timeoutMs` passes. */
  readonly waitForLine: <A>(parse: (line: string) => A | undefined, timeoutMs: number) => Promise<A>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  readonly stop: (graceMs?: number) => Promise<void>
}

const running = new Set<Child>()

/** Every child still running (for cleanup on Ctrl-C or a crash of the runner). */
export const runningChildren = (): ReadonlyArray<Child> => [...running]

/** Runs a TypeScript entry point with `node --import tsx` (no npm/npx wrapper, so signals reach it directly). */
export const spawnTsx = (
  name: string,
  script: string,
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = process.env,
): Child => spawnNode(name, ["--import", "tsx", script, ...args], env)

/** Runs node with `nodeArgs` (e.g. a built `dist/atom.mjs` with no loader) from the repository root. */
export const spawnNode = (
  name: string,
  nodeArgs: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = process.env,
): Child => {
  const proc: ChildProcess = spawn(process.execPath, nodeArgs, {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  })
  if (proc.pid === undefined) throw new Error(`${name}: could not spawn ${nodeArgs.join(" ")}`)
  const pid = proc.pid

  let tail = ""
  const keep = (chunk: string) => {
    tail = (tail + chunk).slice(-TAIL_CHARS)
  }
  const lineListeners = new Set<(line: string) => void>()
  if (proc.stdout) {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      keep(`${line}\n`)
      for (const l of lineListeners) l(line)
    })
  }
  proc.stderr?.setEncoding("utf8").on("data", (chunk: string) => keep(chunk))

  let isAlive = true
  const exited = new Promise<string>((resolve) => {
    proc.once("exit", (code, signal) => {
      isAlive = false
      running.delete(child)
      resolve(code !== null ? String(code) : (signal ?? "unknown"))
    })
    proc.once("error", (e) => {
      isAlive = false
      running.delete(child)
      keep(`spawn error: ${e.message}\n`)
      resolve("spawn-error")
    })
  })

  const waitForLine = <A>(parse: (line: string) => A | undefined, timeoutMs: number): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        lineListeners.delete(onLine)
      }
      const onLine = (line: string) => {
        const a = parse(line)
        if (a === undefined) return
        done()
        resolve(a)
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`${name}: not ready after ${timeoutMs} ms\n${tail}`))
      }, timeoutMs)
      lineListeners.add(onLine)
      void exited.then((code) => {
        done()
        reject(new Error(`${name} exited (${code}) before it was ready\n${tail}`))
      })
    })

  let stopping: Promise<void> | undefined
  const stop = (graceMs = 15_000): Promise<void> => {
    stopping ??= (async () => {
      if (!isAlive) return
      proc.kill("SIGTERM")
      const killer = setTimeout(() => proc.kill("SIGKILL"), graceMs)
      await exited
      clearTimeout(killer)
    })()
    return stopping
  }

  const child: Child = { name, pid, exited, alive: () => isAlive, tail: () => tail, waitForLine, stop }
  running.add(child)
  return child
}
