import { Forbidden } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { Clock, Effect, Layer } from "effect"
import { AuthzState } from "./AuthzState.js"
import { decideGate, gateCredentialOf, requirementTargets, resolveRequirements } from "./decideGate.js"
import { Gate, type Requirement } from "./Gate.js"

/**
 * The admin gate (authz.md §3.1) in the one engine's fail-closed gate mode, on live state: the caller
 * must be active and live in an active tenant; scopes are resolved to tenants and objects; a scoped
 * token's ceiling must pass the same test. Grants come from AuthzState, whose cache is revision-checked
 * on every call, so a revocation earlier in the same GraphQL document already counts. AuthzState.Live
 * is one value, so every layer providing it shares one cache (layers are memoised by reference).
 */
export const GateLive = Layer.effect(
  Gate,
  Effect.map(AuthzState, (state) => {
    const allows = (caller: Caller, requirements: ReadonlyArray<Requirement>) =>
      Effect.gen(function* () {
        const inputs = yield* state.load({
          subjectIds: [caller.entityId],
          targets: requirementTargets(requirements),
          credentialId: gateCredentialOf(caller),
        })
        const now = yield* Clock.currentTimeMillis
        return decideGate(inputs, caller, resolveRequirements(inputs, requirements), now)
      }).pipe(Effect.withSpan("Gate.allows", { attributes: { alternatives: requirements.length } }))

    const require = (caller: Caller, requirements: ReadonlyArray<Requirement>) =>
      Effect.flatMap(allows(caller, requirements), (ok) =>
        ok ? Effect.void : Effect.fail(new Forbidden({ reason: "gate" })),
      ).pipe(Effect.withSpan("Gate.require"))

    return { allows, require }
  }),
).pipe(Layer.provide(AuthzState.Live))
