import { type AtomError, Internal } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { AtomRpcError, RpcCaller } from "@atom/domain/rpc"
import { Cause, Effect } from "effect"
import { toWire } from "../errors/wire.js"

/** Atom's typed error as RPC sends it: the wire message of `errors/wire.ts`, its tag and HTTP status. */
export const toRpcError = (error: AtomError): AtomRpcError => {
  const wire = toWire(error)
  return new AtomRpcError({
    code: error._tag,
    message: wire.message,
    status: wire.http,
    ...(wire.retryAfterSecs !== undefined ? { retryAfterSecs: wire.retryAfterSecs } : {}),
  })
}

/**
 * Runs a use case for the authenticated caller; its typed failures become `AtomRpcError`. A defect is
 * logged and answered as `internal error`, so no internal detail reaches the caller.
 */
export const asCaller = <A, R>(
  run: (caller: Caller) => Effect.Effect<A, AtomError, R>,
): Effect.Effect<A, AtomRpcError, R | RpcCaller> =>
  Effect.flatMap(RpcCaller, run).pipe(
    Effect.mapError(toRpcError),
    Effect.catchAllDefect((defect) =>
      Effect.zipRight(
        Effect.logError("unexpected failure", Cause.pretty(Cause.die(defect))),
        Effect.fail(toRpcError(new Internal())),
      ),
    ),
  )
