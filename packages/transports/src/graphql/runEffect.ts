import type { AtomError } from "@atom/domain/errors"
import { Cause, type Effect, Exit, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import { GraphQLError } from "graphql"
import { INTERNAL, toWire } from "../errors/wire.js"

/** Runs a resolver's Effect; a typed failure becomes a GraphQL error with the contract's message. */
export const makeRunner =
  <R>(runtime: Runtime.Runtime<R>, onDefect: (cause: Cause.Cause<unknown>) => void) =>
  <A>(effect: Effect.Effect<A, AtomError, R>): Promise<A> =>
    EffectRuntime.runPromiseExit(runtime)(effect).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      const failure = Cause.failureOption(exit.cause)
      if (failure._tag === "Some") throw new GraphQLError(toWire(failure.value).message)
      onDefect(exit.cause)
      throw new GraphQLError(INTERNAL.message)
    })
