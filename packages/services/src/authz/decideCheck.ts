import type { CheckTarget, Decision, ObjectNotFound, ResolvedObject } from "@atom/domain/authz"
import type { Caller } from "@atom/domain/identity"
import { emptyGrantSet, evaluate, type GrantSet, isActionApplicable, platformObject } from "@atom/engines/authz"
import type { ActionRecord, ObjectRecord, SubjectRecord } from "@atom/repositories/authz"
import type { DecisionInputs } from "./AuthzState.js"

/** One runtime question (authz.md §2.1), its target already normalised. */
export interface CheckQuestion {
  readonly subjectId: string
  readonly action: string
  readonly target: CheckTarget
  /** the caller's ABAC `context`; absent or null means `{}` */
  readonly context?: unknown
}

export interface CheckOptions {
  /** keep every grant's outcome (explain) */
  readonly explain?: boolean
  /** the caller: a scoped token checking itself is bounded by its ceiling (§2.2 step 10) */
  readonly ceilingFor?: Caller | undefined
}

/** A decision with what explain reports of its subject, object and capability. */
export interface CheckAnswer {
  readonly decision: Decision
  /** null when the subject is missing or tombstoned */
  readonly subject: SubjectRecord | null
  /** null when the object does not resolve */
  readonly object: ObjectRecord | null
  /** the action when it exists in the vocabulary */
  readonly capability: ActionRecord | null
  /** the vocabulary the decision was made with (explain names each grant's action by id) */
  readonly actions: ReadonlyArray<ActionRecord>
}

/** The ceiling applies only to a scoped token asking about itself; delegated checks ignore it. */
const selfCeiling = (question: CheckQuestion, caller: Caller | undefined): boolean =>
  caller?.scoped === true && caller.entityId === question.subjectId

/** The credential whose ceiling a batch of questions needs loaded, if any. */
export const ceilingCredentialOf = (
  questions: ReadonlyArray<CheckQuestion>,
  caller: Caller | undefined,
): string | null =>
  caller !== undefined && caller.credentialId !== null && questions.some((q) => selfCeiling(q, caller))
    ? caller.credentialId
    : null

// A scoped token whose ceiling cannot be read permits nothing (fail closed).
const ceilingOf = (inputs: DecisionInputs, question: CheckQuestion, caller: Caller | undefined): GrantSet | null =>
  selfCeiling(question, caller) ? (inputs.ceiling ?? emptyGrantSet) : null

const platformRecord: ObjectRecord = { object: platformObject, name: null, groupType: null }

/** The loaded record of a target; the platform always resolves. */
export const targetRecord = (inputs: DecisionInputs, target: CheckTarget): ObjectRecord | null =>
  target.kind === "platform" ? platformRecord : inputs.object(target)

/** The objects a batch of questions needs loaded. */
export const targetsOf = (questions: ReadonlyArray<CheckQuestion>) =>
  questions.flatMap((q) => (q.target.kind === "platform" ? [] : [q.target]))

/** Decides one question on loaded inputs through the engine, in runtime mode. */
export const decideCheck = (
  inputs: DecisionInputs,
  question: CheckQuestion,
  options: CheckOptions,
  now: number,
): CheckAnswer => {
  const subject = inputs.subject(question.subjectId)
  const object = targetRecord(inputs, question.target)
  const resolved: ResolvedObject | ObjectNotFound =
    object?.object ?? (question.target.kind === "platform" ? platformObject : { notFound: question.target.kind })
  const decision = evaluate({
    subject: subject?.record.subject ?? null,
    object: resolved,
    action: question.action,
    actionApplicable:
      object !== null && isActionApplicable(inputs.catalogue.applicability, question.action, object.object),
    grants: subject?.grants ?? emptyGrantSet,
    ceiling: ceilingOf(inputs, question, options.ceilingFor),
    context: question.context,
    mode: "runtime",
    now,
    explain: options.explain === true,
  })
  return {
    decision,
    subject: subject?.record ?? null,
    object,
    capability: inputs.catalogue.actions.find((a) => a.name === question.action) ?? null,
    actions: inputs.catalogue.actions,
  }
}
