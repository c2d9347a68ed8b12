import { Cause, Effect } from "effect"
import { describeError } from "../describeError.js"
import { type CliFailure, failedWith } from "./CliFailure.js"

/** A command body written as a promise; a rejection is a failure of the command (exit 1), described on one line. */
export const fromPromise = <A>(run: () => Promise<A>, prefix = ""): Effect.Effect<A, CliFailure> =>
  Effect.tryPromise({ try: run, catch: (e) => failedWith(`${prefix}${describeError(e)}`) })

/** A command body written as an Effect: any failure or defect fails the command (exit 1), described on one line. */
export const failingCommand = <A, E, R>(body: Effect.Effect<A, E, R>): Effect.Effect<A, CliFailure, R> =>
  Effect.catchAllCause(body, (cause) => Effect.fail(failedWith(describeError(Cause.squash(cause)))))
