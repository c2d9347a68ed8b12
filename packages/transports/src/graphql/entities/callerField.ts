import type { AtomError } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { requireCaller } from "@atom/services/auth"
import { Effect, type Schema } from "effect"
import type { Resolver } from "../GraphqlContext.js"
import { decodeGraphqlArgs } from "./graphqlArgs.js"

/** A resolver for an authenticated field: `missing authentication` first, then the arguments, then the use case. */
export const callerField =
  <R, A, I, B>(
    schema: Schema.Schema<A, I>,
    run: (caller: Caller, args: A) => Effect.Effect<B, AtomError, R>,
  ): Resolver<R> =>
  (_parent, args, ctx) =>
    ctx.run(
      Effect.gen(function* () {
        const caller = yield* requireCaller(ctx.caller)
        const decoded = yield* decodeGraphqlArgs(schema, args)
        return yield* run(caller, decoded)
      }),
    )
