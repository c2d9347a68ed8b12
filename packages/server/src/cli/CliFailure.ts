import { Data } from "effect"

/** A command that cannot do what it was asked: one line for stderr and the process exit code (2 = bad input). */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly message: string
  readonly exitCode: number
}> {}

export const badInput = (message: string): CliFailure => new CliFailure({ message, exitCode: 2 })

export const failedWith = (message: string): CliFailure => new CliFailure({ message, exitCode: 1 })
