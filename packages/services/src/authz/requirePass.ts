import { Forbidden } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { GateAlternative } from "@atom/engines/authz"
import { Effect } from "effect"
import type { DecisionInputs } from "./AuthzState.js"
import { decideGate, resolveRequirements } from "./decideGate.js"
import type { Requirement } from "./Gate.js"

/** Fails with `forbidden` unless the caller passes one of the alternatives, on inputs already loaded. */
export const requirePass = (
  inputs: DecisionInputs,
  caller: Caller,
  alternatives: ReadonlyArray<GateAlternative>,
  now: number,
): Effect.Effect<void, Forbidden> =>
  decideGate(inputs, caller, alternatives, now) ? Effect.void : Effect.fail(new Forbidden({ reason: "gate" }))

/** `requirePass` for requirements by reference (their targets must be among the loaded ones). */
export const requireRequirements = (
  inputs: DecisionInputs,
  caller: Caller,
  requirements: ReadonlyArray<Requirement>,
  now: number,
): Effect.Effect<void, Forbidden> => requirePass(inputs, caller, resolveRequirements(inputs, requirements), now)
