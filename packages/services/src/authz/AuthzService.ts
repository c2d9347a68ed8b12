// Runtime authorization use cases: check, explain, bulk check and authorized-id listings, each gated
// as api.md §3.5 says and decided by the one engine on live state.
//
// Decisions are only as live as the authz revision: EVERY write that can change a decision must call
// `bumpAuthzRevision` (repositories/authz/revision.ts) inside its own transaction — grants (blocks,
// block actions, roles, role links, assignments, direct policies), principal group membership and
// hierarchy, object group containment and hierarchy, statuses and tombstones of entities, groups,
// tenants, roles and memberships, attributes read by conditions (entities, resources, groups,
// tenants, credential metadata), actions and applicability, token ceilings. A write that skips the
// bump leaves other replicas and this one's cache deciding on the old state until the next bump.
import type { LifecycleDetails } from "@atom/domain/authz"
import { Forbidden, InvalidInput } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { type GateAlternative, isListable, listingGrants } from "@atom/engines/authz"
import { listObjectCandidates } from "@atom/repositories/authz"
import type { DbFailure } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Clock, Context, Effect, Either, Layer } from "effect"
import { observeBulkDecisions, observeDecision, observeExplain } from "../audit/observeDecision.js"
import { AuthzState, type DecisionInputs, type DecisionInputsRequest } from "./AuthzState.js"
import {
  type AuthorizedObjectIdsFields,
  type AuthorizedObjectsRequest,
  parseAuthorizedObjectsRequest,
} from "./authorizedObjectsRequest.js"
import { type CheckRequestFields, checkQuestionOf, parseCheckRequest, type RequestDialect } from "./checkRequest.js"
import { type CheckAnswer, type CheckQuestion, decideCheck, targetsOf } from "./decideCheck.js"
import { decideGate, gateCredentialOf, requirementTargets } from "./decideGate.js"
import { DELEGATED_CHECK_ACTIONS, delegatedCheckAlternatives, explainAlternatives } from "./delegatedCheckGate.js"
import { anyOf, Platform, Tenant } from "./Gate.js"
import { listingReach } from "./listingReach.js"
import { paginate } from "./pagination.js"
import { requireRequirements } from "./requirePass.js"

/** What `authzCheck` and gRPC `Check` answer. */
export interface AuthzDecision {
  readonly allowed: boolean
  readonly reason: string
  /** only a tenant lifecycle denial carries details */
  readonly details: LifecycleDetails | null
}

export interface AuthorizedObjectIds {
  readonly ids: ReadonlyArray<string>
  readonly total: number
}

export const BULK_CHECK_LIMIT = 20

export type AuthzFailure = InvalidInput | Forbidden | DbFailure

export class AuthzService extends Context.Tag("atom/AuthzService")<
  AuthzService,
  {
    /** Self-checks are free; asking about another subject needs a delegated-check grant. */
    readonly check: (
      caller: Caller,
      request: CheckRequestFields,
      dialect?: RequestDialect,
    ) => Effect.Effect<AuthzDecision, AuthzFailure>
    /**
     * `check` with no effect to run, when everything it needs is remembered (AuthzState.remembered) and
     * the request is well formed and passes its gates; undefined whenever `check` would do anything more.
     * The caller observes the decision (observeDecision's `decisionObserver`).
     */
    readonly checkRemembered: (
      caller: Caller,
      request: CheckRequestFields,
      dialect: RequestDialect,
      now: number,
    ) => AuthzDecision | undefined
    /** The decision with every evaluated grant; platform `policy.manage`/`manage` only, even for self. */
    readonly explain: (caller: Caller, request: CheckRequestFields) => Effect.Effect<CheckAnswer, AuthzFailure>
    /** At most 20 checks, each gated and decided as alone; one failed gate fails the call. */
    readonly bulkCheck: (
      caller: Caller,
      requests: ReadonlyArray<CheckRequestFields>,
    ) => Effect.Effect<ReadonlyArray<AuthzDecision>, AuthzFailure>
    /** The ids a subject may act on (listing semantics: unconditional allows, any deny hides). */
    readonly authorizedObjectIds: (
      caller: Caller,
      request: AuthorizedObjectIdsFields,
    ) => Effect.Effect<AuthorizedObjectIds, AuthzFailure>
  }
>() {
  static readonly Live = Layer.effect(
    AuthzService,
    Effect.gen(function* () {
      const state = yield* AuthzState
      const sql = yield* SqlClient.SqlClient
      return makeAuthzService(state, sql)
    }),
  ).pipe(Layer.provide(AuthzState.Live))
}

const toDecision = (answer: CheckAnswer): AuthzDecision => ({
  allowed: answer.decision.allowed,
  reason: answer.decision.reason,
  details: answer.decision.details,
})

const makeAuthzService = (state: AuthzState["Type"], sql: SqlClient.SqlClient) => {
  /** What one load needs: the caller, every subject, every target and the caller's ceiling. */
  const inputsRequestFor = (caller: Caller, questions: ReadonlyArray<CheckQuestion>): DecisionInputsRequest => ({
    subjectIds: [...new Set([caller.entityId, ...questions.map((q) => q.subjectId)])],
    targets: targetsOf(questions),
    credentialId: gateCredentialOf(caller),
  })

  const loadFor = (caller: Caller, questions: ReadonlyArray<CheckQuestion>) =>
    state.load(inputsRequestFor(caller, questions))

  /** Whether the caller passes `extraGate` (if any) and, for each question about someone else, the delegated-check gate. */
  const gatesPass = (
    inputs: DecisionInputs,
    caller: Caller,
    questions: ReadonlyArray<CheckQuestion>,
    extraGate: ReadonlyArray<GateAlternative> | null,
    now: number,
  ): boolean =>
    (extraGate === null || decideGate(inputs, caller, extraGate, now)) &&
    questions.every(
      (question) =>
        question.subjectId === caller.entityId ||
        decideGate(inputs, caller, delegatedCheckAlternatives(inputs, question), now),
    )

  const requireGates = (...args: Parameters<typeof gatesPass>): Effect.Effect<void, Forbidden> =>
    gatesPass(...args) ? Effect.void : Effect.fail(new Forbidden({ reason: "gate" }))

  /** Gates and decides questions on one load, in runtime mode with the caller's ceiling. */
  const gatedAnswers = (caller: Caller, questions: ReadonlyArray<CheckQuestion>) =>
    Effect.gen(function* () {
      const inputs = yield* loadFor(caller, questions)
      const now = yield* Clock.currentTimeMillis
      yield* requireGates(inputs, caller, questions, null, now)
      return questions.map((q) => decideCheck(inputs, q, { ceilingFor: caller }, now))
    })

  const gatedAnswer = (
    caller: Caller,
    question: CheckQuestion,
    extraGate: ReadonlyArray<GateAlternative> | null,
    explain: boolean,
  ) =>
    Effect.gen(function* () {
      const inputs = yield* loadFor(caller, [question])
      const now = yield* Clock.currentTimeMillis
      yield* requireGates(inputs, caller, [question], extraGate, now)
      return decideCheck(inputs, question, { explain, ceilingFor: caller }, now)
    })

  const check = (caller: Caller, request: CheckRequestFields, dialect: RequestDialect = "graphql") =>
    Effect.gen(function* () {
      const question = yield* parseCheckRequest(request, dialect)
      return toDecision(yield* gatedAnswer(caller, question, null, false))
    }).pipe(
      observeDecision(caller, request, dialect),
      Effect.withSpan("AuthzService.check", { attributes: { dialect }, captureStackTrace: false }),
    )

  const checkRemembered = (
    caller: Caller,
    request: CheckRequestFields,
    dialect: RequestDialect,
    now: number,
  ): AuthzDecision | undefined => {
    const parsed = checkQuestionOf(request, dialect)
    if (Either.isLeft(parsed)) return undefined
    const questions = [parsed.right]
    const inputs = state.remembered(inputsRequestFor(caller, questions), now)
    if (inputs === undefined || !gatesPass(inputs, caller, questions, null, now)) return undefined
    return toDecision(decideCheck(inputs, parsed.right, { ceilingFor: caller }, now))
  }

  const explain = (caller: Caller, request: CheckRequestFields) =>
    Effect.gen(function* () {
      const question = yield* parseCheckRequest(request, "graphql")
      return yield* gatedAnswer(caller, question, explainAlternatives, true)
    }).pipe(observeExplain(caller, request), Effect.withSpan("AuthzService.explain"))

  const bulkCheck = (caller: Caller, requests: ReadonlyArray<CheckRequestFields>) =>
    Effect.gen(function* () {
      if (requests.length > BULK_CHECK_LIMIT) {
        return yield* Effect.fail(new InvalidInput({ message: `input must contain at most ${BULK_CHECK_LIMIT} items` }))
      }
      const questions = yield* Effect.forEach(requests, (r) => parseCheckRequest(r, "graphql"))
      const answers = yield* gatedAnswers(caller, questions)
      return answers.map(toDecision)
    }).pipe(
      observeBulkDecisions(caller, requests),
      Effect.withSpan("AuthzService.bulkCheck", { attributes: { count: requests.length } }),
    )

  const listIds = (request: AuthorizedObjectsRequest, inputs: DecisionInputs, caller: Caller, now: number) =>
    Effect.gen(function* () {
      const subject = inputs.subject(request.subjectId)
      if (subject === null || request.matchesNothing) return []
      const allows = listingGrants(subject.grants, request.action, now).allows
      if (allows.length === 0) return []
      const candidates = yield* listObjectCandidates({
        kind: request.kind,
        subKind: request.subKind,
        tenantId: request.tenantId,
        q: request.q,
        reach: listingReach(allows),
      }).pipe(Effect.provideService(SqlClient.SqlClient, sql))
      const self = caller.scoped && caller.entityId === request.subjectId
      const listing = {
        subject: subject.record.subject,
        action: request.action,
        applicability: inputs.catalogue.applicability,
        grants: subject.grants,
        ceiling: self ? inputs.ceiling : null,
        now,
      }
      return candidates.flatMap((c) => (c.object.id !== null && isListable(listing, c.object) ? [c.object.id] : []))
    })

  const authorizedObjectIds = (caller: Caller, fields: AuthorizedObjectIdsFields) =>
    Effect.gen(function* () {
      const request = yield* parseAuthorizedObjectsRequest(fields)
      const requirements = anyOf(DELEGATED_CHECK_ACTIONS, Tenant(request.tenantId), Platform)
      const inputs = yield* state.load({
        subjectIds: [...new Set([caller.entityId, request.subjectId])],
        targets: requirementTargets(requirements),
        credentialId: gateCredentialOf(caller),
      })
      const now = yield* Clock.currentTimeMillis
      if (request.subjectId !== caller.entityId) yield* requireRequirements(inputs, caller, requirements, now)
      const ids = yield* listIds(request, inputs, caller, now)
      const page = paginate(ids, request.page)
      return { ids: page.items, total: page.total }
    }).pipe(Effect.withSpan("AuthzService.authorizedObjectIds"))

  return { check, checkRemembered, explain, bulkCheck, authorizedObjectIds }
}
