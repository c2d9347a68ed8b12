import { Unauthenticated } from "@atom/domain/errors"
import { Authenticator } from "@atom/services/auth"
import type * as grpc from "@grpc/grpc-js"
import { Effect } from "effect"

// gRPC-only authentication texts (api.md §6.4)
const MISSING = "missing authorization metadata"
const INVALID = "invalid authorization metadata"
const NOT_BEARER = "expected Bearer token"

const refuse = (message: string) => Effect.fail(new Unauthenticated({ message }))

/**
 * The gRPC caller (api.md §2.6): metadata `authorization` must be present, ASCII text, and start
 * with the exact prefix `Bearer `; the rest is a JWT or an `atom_…` access token.
 */
export const callerFromMetadata = (metadata: grpc.Metadata) =>
  Effect.gen(function* () {
    const header = metadata.get("authorization")[0]
    if (header === undefined) return yield* refuse(MISSING)
    if (typeof header !== "string" || !/^[\x20-\x7e\t]*$/.test(header)) return yield* refuse(INVALID)
    if (!header.startsWith("Bearer ")) return yield* refuse(NOT_BEARER)
    const authenticator = yield* Authenticator
    return yield* authenticator.authenticate(header.slice("Bearer ".length))
  })
