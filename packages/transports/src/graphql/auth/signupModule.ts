import { InvalidInput } from "@atom/domain/errors"
import { Signup } from "@atom/services/auth"
import { Effect, Redacted, Schema } from "effect"
import { decodeArgs } from "../decodeArgs.js"
import { OptionalJsonObjectArg } from "../entities/graphqlArgs.js"
import type { GraphqlModule } from "../GraphqlContext.js"

const SignupArgs = Schema.Struct({
  input: Schema.Struct({
    name: Schema.String,
    email: Schema.String,
    password: Schema.String,
    attributes: OptionalJsonObjectArg("attributes"),
  }),
})

/** The public `signup` mutation (api.md §3.5): REST's signup, with its own text when signup is closed. */
export const signupModule: GraphqlModule<Signup> = {
  typeDefs: "",
  resolvers: {
    Mutation: {
      signup: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const { input } = yield* decodeArgs(SignupArgs, args)
            const result = yield* Effect.flatMap(Signup, (s) =>
              s.create({ ...input, password: Redacted.make(input.password) }),
            ).pipe(
              Effect.catchTag("Forbidden", () => Effect.fail(new InvalidInput({ message: "sign up is not enabled" }))),
            )
            return {
              entityId: result.entityId,
              email: result.email,
              verificationRequired: result.verificationRequired,
            }
          }),
        ),
    },
  },
}
