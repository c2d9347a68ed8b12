import { type Authenticator, Login, requireCaller, SessionService, SigningKeyAdmin } from "@atom/services/auth"
import { Effect, Redacted, Schema } from "effect"
import { decodeArgs } from "../decodeArgs.js"
import type { GraphqlModule } from "../GraphqlContext.js"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

const LoginArgs = Schema.Struct({
  input: Schema.Struct({
    identifier: Schema.String,
    secret: Schema.String,
    tenantId: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
    tenantAlias: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
    kind: Schema.optionalWith(Schema.String, { default: () => "password" }),
  }),
})
const IdArgs = Schema.Struct({ id: Schema.String })

type AuthServices = Login | SessionService | SigningKeyAdmin | Authenticator

/** login, logout, refreshSession, session, signing keys (api.md §3.5). GraphQL login sets no cookie. */
export const authModule: GraphqlModule<AuthServices> = {
  typeDefs: "",
  resolvers: {
    Query: {
      session: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const { id } = yield* decodeArgs(IdArgs, args)
            const s = yield* Effect.flatMap(SessionService, (svc) => svc.get(caller, id.toLowerCase()))
            return {
              id: s.id,
              entityId: s.entityId,
              expiresAt: graphqlTime(s.expiresAt),
              revokedAt: graphqlTimeOrNull(s.revokedAt),
              createdAt: graphqlTime(s.createdAt),
            }
          }),
        ),
      signingKeys: (_, _args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const keys = yield* Effect.flatMap(SigningKeyAdmin, (s) => s.list(caller))
            return keys.map((k) => ({ ...k, createdAt: graphqlTime(k.createdAt) }))
          }),
        ),
    },
    Mutation: {
      login: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const { input } = yield* decodeArgs(LoginArgs, args)
            const result = yield* Effect.flatMap(Login, (l) =>
              l.login({ ...input, secret: Redacted.make(input.secret) }),
            )
            return {
              token: result.token,
              entityId: result.entityId,
              sessionId: result.sessionId,
              expiresAt: graphqlTime(result.expiresAt),
              emailVerified: result.emailVerified ?? null,
              verificationRequired: result.verificationRequired,
            }
          }),
        ),
      logout: (_, _args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            yield* Effect.flatMap(SessionService, (s) => s.logout(caller))
            return true
          }),
        ),
      refreshSession: (_, _args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const r = yield* Effect.flatMap(SessionService, (s) => s.refresh(caller))
            return { ...r, expiresAt: graphqlTime(r.expiresAt), emailVerified: null, verificationRequired: false }
          }),
        ),
      rotateSigningKeys: (_, _args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            return yield* Effect.flatMap(SigningKeyAdmin, (s) => s.rotate(caller))
          }),
        ),
    },
  },
}
