import type { AtomError } from "@atom/domain/errors"
import { Cause, type Effect, Exit, type FiberId, type FiberRefs, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import { GraphQLError } from "graphql"
import { INTERNAL, toWire } from "../errors/wire.js"

/** Fiber refs a request's work starts with (its audit facts, log annotations), set as its fiber is forked. */
export type UpdateRefs = (refs: FiberRefs.FiberRefs, fiberId: FiberId.Runtime) => FiberRefs.FiberRefs

/**
 * Runs a resolver's Effect; a typed failure becomes a GraphQL error with the contract's message. Work that
 * finishes without waiting (answers from memory) is answered synchronously, so graphql-js goes on without a
 * promise; the rest settles a promise when its fiber ends.
 */
export const makeRunner = <R>(runtime: Runtime.Runtime<R>, onDefect: (cause: Cause.Cause<unknown>) => void) => {
  const runFork = EffectRuntime.runFork(runtime)
  const settle = <A>(exit: Exit.Exit<A, AtomError>): A => {
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    if (failure._tag === "Some") throw new GraphQLError(toWire(failure.value).message)
    onDefect(exit.cause)
    throw new GraphQLError(INTERNAL.message)
  }
  return <A>(effect: Effect.Effect<A, AtomError, R>, updateRefs?: UpdateRefs): A | Promise<A> => {
    const fiber = runFork(effect, updateRefs === undefined ? undefined : { updateRefs })
    const done = fiber.unsafePoll()
    if (done !== null) return settle(done)
    return new Promise<A>((resolve, reject) =>
      fiber.addObserver((exit) => {
        try {
          resolve(settle(exit))
        } catch (e) {
          reject(e)
        }
      }),
    )
  }
}
