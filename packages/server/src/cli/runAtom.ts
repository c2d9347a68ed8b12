import { Command } from "@effect/cli"
import { isValidationError } from "@effect/cli/ValidationError"
import { Cause, Exit, Option } from "effect"
import { describeError } from "../describeError.js"
import { CliFailure } from "./CliFailure.js"
import { atomCommand } from "./commands.js"

/** `atom <argv>`: parsing and help by @effect/cli; each command loads only what it runs (commands.ts). */
export const atomCli = Command.run(atomCommand, { name: "atom", version: "0.1.0" })

/** How a failed run ends: the process exit code, and the one line for stderr (none when @effect/cli printed it). */
export interface AtomFailure {
  readonly exitCode: number
  readonly message: string | undefined
}

/**
 * A command line @effect/cli refused has been explained (with its help) already: exit 2. A CliFailure carries its
 * own message and code; anything else is described on one line, exit 1.
 */
export const failureOf = (cause: Cause.Cause<unknown>): AtomFailure => {
  const failure = Option.getOrUndefined(Cause.failureOption(cause))
  if (failure !== undefined && isValidationError(failure)) return { exitCode: 2, message: undefined }
  if (failure instanceof CliFailure) {
    return { exitCode: failure.exitCode, message: failure.message }
  }
  return { exitCode: 1, message: describeError(Cause.squash(cause)) }
}

/** The failure of an exit, or undefined when the command succeeded (its handler may still set process.exitCode). */
export const failureOfExit = <A>(exit: Exit.Exit<A, unknown>): AtomFailure | undefined =>
  Exit.isSuccess(exit) ? undefined : failureOf(exit.cause)
