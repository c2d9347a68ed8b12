import type { AtomError } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { requireCaller } from "@atom/services/auth"
import { Effect, type Schema } from "effect"
import { decodeArgs } from "../decodeArgs.js"
import type { Resolver } from "../GraphqlContext.js"

/** A resolver that needs a caller: authenticate, decode the arguments, run the use case on the runtime. */
export const handle =
  <R, A, I>(
    args: Schema.Schema<A, I>,
    body: (caller: Caller, args: A) => Effect.Effect<unknown, AtomError, R>,
  ): Resolver<R> =>
  (_parent, raw, ctx) =>
    ctx.run(
      Effect.gen(function* () {
        const caller = yield* requireCaller(ctx.caller)
        return yield* body(caller, yield* decodeArgs(args, raw))
      }),
    )
