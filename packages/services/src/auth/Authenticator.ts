import { Unauthenticated } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { DbFailure } from "@atom/repositories/db"
import { Context, Effect } from "effect"

/** Turns a presented token (JWT or `atom_…` access token) into the Caller it proves, or refuses it. */
export class Authenticator extends Context.Tag("atom/Authenticator")<
  Authenticator,
  {
    readonly authenticate: (token: string) => Effect.Effect<Caller, Unauthenticated | DbFailure>
    /**
     * The caller of a token verified before and still current, answered from memory at `nowMs` with no
     * effect to run; undefined whenever `authenticate` would have anything to do (verify, refuse, stamp usage).
     */
    readonly remembered: (token: string, nowMs: number) => Caller | undefined
  }
>() {}

export const MISSING_AUTHENTICATION = "missing authentication"

/** Resolvers and handlers that need a caller use this: anonymous requests get `missing authentication`. */
export const requireCaller = (caller: Caller | undefined): Effect.Effect<Caller, Unauthenticated> =>
  caller ? Effect.succeed(caller) : Effect.fail(new Unauthenticated({ message: MISSING_AUTHENTICATION }))
