import type { DbFailure } from "@atom/repositories/db"
import { Clock, Context, Effect, Layer } from "effect"
import { AuthzState } from "./AuthzState.js"
import {
  type CheckAnswer,
  type CheckOptions,
  type CheckQuestion,
  ceilingCredentialOf,
  decideCheck,
  targetsOf,
} from "./decideCheck.js"

/**
 * The policy decision point in runtime mode: answers checks from live state through the one engine,
 * loading what a decision needs in batched statements and caching it per authz revision (AuthzState).
 */
export class Pdp extends Context.Tag("atom/Pdp")<
  Pdp,
  {
    readonly check: (question: CheckQuestion, options?: CheckOptions) => Effect.Effect<CheckAnswer, DbFailure>
    /** Many questions with one load: answers in order, each equal to its own `check`. */
    readonly checkAll: (
      questions: ReadonlyArray<CheckQuestion>,
      options?: CheckOptions,
    ) => Effect.Effect<ReadonlyArray<CheckAnswer>, DbFailure>
  }
>() {
  static readonly Live = Layer.effect(
    Pdp,
    Effect.map(AuthzState, (state) => {
      const checkAll = (questions: ReadonlyArray<CheckQuestion>, options: CheckOptions = {}) =>
        Effect.gen(function* () {
          const inputs = yield* state.load({
            subjectIds: [...new Set(questions.map((q) => q.subjectId))],
            targets: targetsOf(questions),
            credentialId: ceilingCredentialOf(questions, options.ceilingFor),
          })
          const now = yield* Clock.currentTimeMillis
          return questions.map((question) => decideCheck(inputs, question, options, now))
        }).pipe(Effect.withSpan("Pdp.checkAll", { attributes: { count: questions.length } }))

      const check = (question: CheckQuestion, options: CheckOptions = {}) =>
        checkAll([question], options).pipe(
          Effect.flatMap((answers) => Effect.fromNullable(answers[0])),
          Effect.orDie,
          Effect.withSpan("Pdp.check", { attributes: { action: question.action } }),
        )

      return { check, checkAll }
    }),
  ).pipe(Layer.provide(AuthzState.Live))
}
