import type { AtomError } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { requireCaller } from "@atom/services/auth"
import { Effect, type Schema } from "effect"
import type { Resolver } from "../GraphqlContext.js"
import { decodeFieldArgs } from "./decodeFieldArgs.js"

/** A resolver for authenticated callers: authenticate, decode the arguments, run the use case. */
export const authenticatedField =
  <A, I, B, R>(
    schema: Schema.Schema<A, I>,
    handle: (caller: Caller, args: A) => Effect.Effect<B, AtomError, R>,
  ): Resolver<R> =>
  (_, args, ctx) =>
    ctx.run(
      Effect.gen(function* () {
        const caller = yield* requireCaller(ctx.caller)
        const decoded = yield* decodeFieldArgs(schema, args)
        return yield* handle(caller, decoded)
      }),
    )
