import { Unauthenticated } from "@atom/domain/errors"
import { Authenticator } from "@atom/services/auth"
import type * as grpc from "@grpc/grpc-js"
import { Effect } from "effect"

// gRPC-only authentication texts (api.md §6.4)
const MISSING = "missing authorization metadata"
const INVALID = "invalid authorization metadata"
const NOT_BEARER = "expected Bearer token"

const refuse = (message: string) => Effect.fail(new Unauthenticated({ message }))

const PRINTABLE = /^[\x20-\x7e\t]*$/
const PREFIX = "Bearer "

/** Why the `authorization` value carries no bearer token, or the token (api.md §2.6). */
const headerToken = (header: unknown): { readonly refused: string } | { readonly token: string } => {
  if (header === undefined) return { refused: MISSING }
  if (typeof header !== "string" || !PRINTABLE.test(header)) return { refused: INVALID }
  if (!header.startsWith(PREFIX)) return { refused: NOT_BEARER }
  return { token: header.slice(PREFIX.length) }
}

/** The bearer token of well-formed metadata; undefined when `callerFromMetadata` would refuse it. */
export const bearerToken = (metadata: grpc.Metadata): string | undefined => {
  const read = headerToken(metadata.get("authorization")[0])
  return "token" in read ? read.token : undefined
}

/**
 * The gRPC caller (api.md §2.6): metadata `authorization` must be present, ASCII text, and start
 * with the exact prefix `Bearer `; the rest is a JWT or an `atom_…` access token.
 */
export const callerFromMetadata = (metadata: grpc.Metadata) =>
  Effect.gen(function* () {
    const read = headerToken(metadata.get("authorization")[0])
    if ("refused" in read) return yield* refuse(read.refused)
    const authenticator = yield* Authenticator
    return yield* authenticator.authenticate(read.token)
  })
