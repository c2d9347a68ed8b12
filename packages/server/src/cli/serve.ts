import type { AtomConfigShape } from "@atom/domain/config"
import { describeError } from "../describeError.js"
import { startAtom } from "../startAtom.js"

const SHUTDOWN_BUDGET_MS = 10_000

const die = (message: string): never => {
  process.stderr.write(`atom: ${message}\n`)
  process.exit(1)
}

/**
 * `atom serve`: starts the listeners and returns; the process then lives until SIGTERM/SIGINT, which stop
 * it within the shutdown budget (exit 0) or force it out (exit 1).
 */
export const runServeCommand = async (config: AtomConfigShape): Promise<void> => {
  const atom = await startAtom(config)
  const shutdown = (signal: string) => {
    const force = setTimeout(
      () => die(`shutdown after ${signal} took longer than ${SHUTDOWN_BUDGET_MS} ms`),
      SHUTDOWN_BUDGET_MS,
    )
    force.unref()
    atom
      .stop(SHUTDOWN_BUDGET_MS - 2000)
      .then(() => process.exit(0))
      .catch((e: unknown) => die(`shutdown failed: ${describeError(e)}`))
  }
  process.once("SIGTERM", () => shutdown("SIGTERM"))
  process.once("SIGINT", () => shutdown("SIGINT"))
}
