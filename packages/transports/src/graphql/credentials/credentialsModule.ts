import type { AtomError } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { requireCaller } from "@atom/services/auth"
import { AccessTokenService, CredentialService, rfc3339Argument, SharedKeyService } from "@atom/services/credentials"
import { Effect, Redacted, Schema } from "effect"
import { decodeArgs } from "../decodeArgs.js"
import type { GraphqlModule, Resolver } from "../GraphqlContext.js"
import {
  OptionalInt,
  OptionalKind,
  OptionalString,
  optionalUuid,
  PermissionInput,
  permissionEntries,
  uuid,
} from "./credentialArgs.js"
import { encodeAccessToken, encodeCredential, encodeIssuedAccessToken, encodeSharedKey } from "./encodeCredential.js"

type CredentialServices = AccessTokenService | CredentialService | SharedKeyService

/** An authenticated field: `missing authentication` first, then the arguments, then the use case. */
const field =
  <A, I, B>(
    schema: Schema.Schema<A, I>,
    run: (caller: Caller, args: A) => Effect.Effect<B, AtomError, CredentialServices>,
  ): Resolver<CredentialServices> =>
  (_parent, args, ctx) =>
    ctx.run(
      Effect.gen(function* () {
        const caller = yield* requireCaller(ctx.caller)
        return yield* run(caller, yield* decodeArgs(schema, args))
      }),
    )

const EntityArgs = Schema.Struct({ entityId: Schema.String })
const EntityCredentialArgs = Schema.Struct({ entityId: Schema.String, credentialId: Schema.String })
const CredentialArgs = Schema.Struct({ credentialId: Schema.String })

const AccessTokensArgs = Schema.Struct({
  subjectId: OptionalString,
  status: OptionalString,
  limit: OptionalInt,
  offset: OptionalInt,
})

const ExpiringArgs = Schema.Struct({
  days: OptionalInt,
  entityId: OptionalString,
  kind: OptionalKind,
  limit: OptionalInt,
  offset: OptionalInt,
})

const CreatePasswordArgs = Schema.Struct({ entityId: Schema.String, password: Schema.String })

const CreateAccessTokenArgs = Schema.Struct({
  input: Schema.Struct({
    name: Schema.String,
    description: OptionalString,
    expiresAt: OptionalString,
    permissions: Schema.Array(PermissionInput),
    subjectId: OptionalString,
    scoped: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { default: () => null }),
  }),
})

const ReplacePermissionsArgs = Schema.Struct({
  credentialId: Schema.String,
  permissions: Schema.Array(PermissionInput),
})

const CreateSharedKeyArgs = Schema.Struct({
  entityId: Schema.String,
  input: Schema.Struct({ expiresAt: OptionalString, description: OptionalString, key: OptionalString }),
})

/**
 * Credentials (identity-certs §2.5–2.7, api.md §3.5): listings, passwords, access tokens, shared
 * keys, revocation. Secrets are shown once (tokens) or on an audited reveal (shared keys) only.
 */
export const credentialsModule: GraphqlModule<CredentialServices> = {
  typeDefs: "",
  resolvers: {
    Query: {
      credentials: field(EntityArgs, (caller, args) =>
        Effect.gen(function* () {
          const entityId = yield* uuid("entityId", args.entityId)
          const items = yield* Effect.flatMap(CredentialService, (s) => s.list(caller, entityId))
          // the reference's total is the page length
          return { items: items.map(encodeCredential), total: items.length }
        }),
      ),
      accessTokens: field(AccessTokensArgs, (caller, args) =>
        Effect.gen(function* () {
          const subjectId = yield* optionalUuid("subjectId", args.subjectId)
          const page = yield* Effect.flatMap(AccessTokenService, (s) => s.list(caller, { ...args, subjectId }))
          return { items: page.items.map(encodeAccessToken), total: page.total }
        }),
      ),
      expiringCredentials: field(ExpiringArgs, (caller, args) =>
        Effect.gen(function* () {
          const entityId = yield* optionalUuid("entityId", args.entityId)
          const items = yield* Effect.flatMap(CredentialService, (s) => s.expiring(caller, { ...args, entityId }))
          return items.map(encodeCredential)
        }),
      ),
    },
    Mutation: {
      createPassword: field(CreatePasswordArgs, (caller, args) =>
        Effect.gen(function* () {
          const entityId = yield* uuid("entityId", args.entityId)
          yield* Effect.flatMap(CredentialService, (s) =>
            s.createPassword(caller, entityId, Redacted.make(args.password)),
          )
          return true
        }),
      ),
      createAccessToken: field(CreateAccessTokenArgs, (caller, { input }) =>
        Effect.gen(function* () {
          const subjectId = yield* optionalUuid("subjectId", input.subjectId)
          const permissions = yield* permissionEntries(input.permissions)
          const expiresAt = yield* rfc3339Argument("expiresAt", input.expiresAt)
          const issued = yield* Effect.flatMap(AccessTokenService, (s) =>
            s.create(caller, {
              name: input.name,
              description: input.description,
              expiresAt,
              permissions,
              subjectId,
              scoped: input.scoped ?? true,
            }),
          )
          return encodeIssuedAccessToken(issued)
        }),
      ),
      replaceAccessTokenPermissions: field(ReplacePermissionsArgs, (caller, args) =>
        Effect.gen(function* () {
          const credentialId = yield* uuid("credentialId", args.credentialId)
          const permissions = yield* permissionEntries(args.permissions)
          yield* Effect.flatMap(AccessTokenService, (s) => s.replacePermissions(caller, credentialId, permissions))
          return true
        }),
      ),
      revokeAccessToken: field(CredentialArgs, (caller, args) =>
        Effect.gen(function* () {
          const credentialId = yield* uuid("credentialId", args.credentialId)
          yield* Effect.flatMap(AccessTokenService, (s) => s.revoke(caller, credentialId))
          return true
        }),
      ),
      createSharedKey: field(CreateSharedKeyArgs, (caller, { entityId, input }) =>
        Effect.gen(function* () {
          const id = yield* uuid("entityId", entityId)
          const expiresAt = yield* rfc3339Argument("expiresAt", input.expiresAt)
          const created = yield* Effect.flatMap(SharedKeyService, (s) =>
            s.create(caller, id, {
              expiresAt,
              description: input.description,
              key: input.key === null ? null : Redacted.make(input.key),
            }),
          )
          return encodeSharedKey(created)
        }),
      ),
      revealSharedKey: field(EntityCredentialArgs, (caller, args) =>
        Effect.gen(function* () {
          const entityId = yield* uuid("entityId", args.entityId)
          const credentialId = yield* uuid("credentialId", args.credentialId)
          return encodeSharedKey(
            yield* Effect.flatMap(SharedKeyService, (s) => s.reveal(caller, entityId, credentialId)),
          )
        }),
      ),
      revokeCredential: field(EntityCredentialArgs, (caller, args) =>
        Effect.gen(function* () {
          const entityId = yield* uuid("entityId", args.entityId)
          const credentialId = yield* uuid("credentialId", args.credentialId)
          yield* Effect.flatMap(CredentialService, (s) => s.revoke(caller, entityId, credentialId))
          return true
        }),
      ),
    },
  },
}
