import { Console as NodeConsole } from "node:console"
import { Writable } from "node:stream"
import { NodeContext } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { atomCli, failureOfExit } from "../../src/cli/runAtom.js"
import type { CliRun } from "./runCli.js"

// Starting a real `atom` process costs seconds of module loading (many more on a loaded CI machine). Cases that
// only parse arguments, print help or refuse bad input run the same command line in the test's own process;
// test files keep a few real spawns for what only a process shows (its exit code, stdin, signals).

const collector = () => {
  let text = ""
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString()
      done()
    },
  })
  return { stream, text: () => text }
}

/** An Effect Console writing into two strings, as the process would to stdout and stderr. */
const capturingConsole = (out: Writable, err: Writable): Console.Console => {
  const c = new NodeConsole({ stdout: out, stderr: err, colorMode: false })
  const run =
    <Args extends ReadonlyArray<unknown>>(f: (...args: Args) => void) =>
    (...args: Args) =>
      Effect.sync(() => f(...args))
  return {
    [Console.TypeId]: Console.TypeId,
    assert: run((condition: boolean, ...args: ReadonlyArray<unknown>) => c.assert(condition, ...args)),
    clear: Effect.void,
    count: run((label?: string) => c.count(label)),
    countReset: run((label?: string) => c.countReset(label)),
    debug: run((...args: ReadonlyArray<unknown>) => c.debug(...args)),
    dir: run((item: unknown) => c.dir(item)),
    dirxml: run((...args: ReadonlyArray<unknown>) => c.dirxml(...args)),
    error: run((...args: ReadonlyArray<unknown>) => c.error(...args)),
    group: () => Effect.void,
    groupEnd: Effect.void,
    info: run((...args: ReadonlyArray<unknown>) => c.info(...args)),
    log: run((...args: ReadonlyArray<unknown>) => c.log(...args)),
    table: run((data: unknown) => c.table(data)),
    time: run((label?: string) => c.time(label)),
    timeEnd: run((label?: string) => c.timeEnd(label)),
    timeLog: run((label?: string, ...args: ReadonlyArray<unknown>) => c.timeLog(label, ...args)),
    trace: run((...args: ReadonlyArray<unknown>) => c.trace(...args)),
    warn: run((...args: ReadonlyArray<unknown>) => c.warn(...args)),
    unsafe: c,
  }
}

/** Replaces the whole environment with `env` (as runCli's child gets) while `run` runs, then puts it back. */
const withEnvironment = async <A>(env: Record<string, string>, run: () => Promise<A>): Promise<A> => {
  const saved = { ...process.env }
  for (const key of Object.keys(process.env)) delete process.env[key]
  Object.assign(process.env, { PATH: saved.PATH ?? "", ATOM_LOG_LEVEL: "warn", ...env })
  try {
    return await run()
  } finally {
    for (const key of Object.keys(process.env)) delete process.env[key]
    Object.assign(process.env, saved)
  }
}

// runs share process.env and process.exitCode: one at a time
let previous: Promise<unknown> = Promise.resolve()

/**
 * `atom <args>` in this process, answered like runCli: the exit code main.ts would set, and what the command
 * printed. No stdin: commands that read it need a real process.
 */
export const runCliInProcess = (args: ReadonlyArray<string>, env: Record<string, string> = {}): Promise<CliRun> => {
  const next = previous.then(() =>
    withEnvironment(env, async () => {
      const out = collector()
      const err = collector()
      const exitCodeBefore = process.exitCode
      process.exitCode = undefined
      const exit = await Effect.runPromiseExit(
        atomCli(["node", "atom", ...args]).pipe(
          Effect.withConsole(capturingConsole(out.stream, err.stream)),
          Effect.provide(NodeContext.layer),
        ),
      )
      // a handler reports a decision (check: 3 denied) or a verdict (audit verify) through process.exitCode
      const setByHandler = Number(process.exitCode ?? 0)
      process.exitCode = exitCodeBefore
      const failure = failureOfExit(exit)
      const stderr = failure?.message === undefined ? err.text() : `${err.text()}atom: ${failure.message}\n`
      return { code: failure?.exitCode ?? setByHandler, stdout: out.text(), stderr }
    }),
  )
  previous = next.catch(() => undefined)
  return next
}
