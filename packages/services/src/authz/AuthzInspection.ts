// The operator questions the reference documents but never served (authz.md §4, §6.12): what can this
// entity access, who can access this object, who holds this role, what does this group grant, which
// actions may this subject take here. Read-only; gated like the closest contract operations (policy
// read at the tenant or platform; effective actions like authzCheck). "Can" means what authzCheck
// would answer without ABAC context.
import { type ActionApplicability, EntityId, type Grant } from "@atom/domain/authz"
import { type Forbidden, type InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { expandGrants, isActionApplicable } from "@atom/engines/authz"
import {
  listRoleHolders,
  loadGroupGrants,
  type ObjectRecord,
  type PrincipalGroupSummary,
  type RoleHolder,
  type RoleSummary,
  type SubjectRecord,
  subjectsWithCoveringAllows,
} from "@atom/repositories/authz"
import type { DbFailure } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Clock, Context, Effect, Layer } from "effect"
import { AuthzState } from "./AuthzState.js"
import { parseCheckRequest } from "./checkRequest.js"
import { decideCheck, targetRecord, targetsOf } from "./decideCheck.js"
import { gateCredentialOf, requirementTargets } from "./decideGate.js"
import { delegatedCheckAlternatives } from "./delegatedCheckGate.js"
import { anyOf, type Requirement, Tenant } from "./Gate.js"
import { type Page, pageOf, paginate } from "./pagination.js"
import { requirePass, requireRequirements } from "./requirePass.js"
import { uuidArgument } from "./uuidArgument.js"

export interface PageFields {
  readonly limit?: number | null | undefined
  readonly offset?: number | null | undefined
}

export interface Paged<A> {
  readonly items: ReadonlyArray<A>
  readonly total: number
}

/** One subject allowed one action on the inspected object, and the grant that decided it. */
export interface ObjectAccess {
  readonly subject: SubjectRecord
  readonly action: string
  readonly grant: Grant
}

/** One action's decision for a subject on an object, with the grant that decided it (if any). */
export interface EffectiveAction {
  readonly action: string
  readonly allowed: boolean
  readonly reason: string
  readonly grant: Grant | null
}

export type InspectionFailure = InvalidInput | Forbidden | NotFound | DbFailure

/** Policy read (api.md §3.5): `policy.manage`, `read` or `manage` at the tenant, or platform when global. */
const policyRead = (tenantId: string | null): Array<Requirement> =>
  anyOf(["policy.manage", "read", "manage"], Tenant(tenantId))

export class AuthzInspection extends Context.Tag("atom/AuthzInspection")<
  AuthzInspection,
  {
    /** The entity's effective grants (optionally those that can apply in one tenant), expansion order. */
    readonly entityAccess: (
      caller: Caller,
      input: { readonly entityId: string; readonly tenantId?: string | null | undefined } & PageFields,
    ) => Effect.Effect<Paged<Grant>, InspectionFailure>
    /** Who may act on the object, per action, and through which grant. */
    readonly resourceAccess: (
      caller: Caller,
      input: {
        readonly objectKind: string
        readonly objectId: string
        readonly action?: string | null | undefined
      } & PageFields,
    ) => Effect.Effect<Paged<ObjectAccess>, InspectionFailure>
    /** The live entities and principal groups a live role is assigned to. */
    readonly roleHolders: (
      caller: Caller,
      input: { readonly roleId: string } & PageFields,
    ) => Effect.Effect<Paged<RoleHolder> & { readonly role: RoleSummary }, InspectionFailure>
    /** What a member of the principal group inherits through it (its own and its ancestors' grants). */
    readonly groupAccess: (
      caller: Caller,
      input: { readonly groupId: string } & PageFields,
    ) => Effect.Effect<Paged<Grant> & { readonly group: PrincipalGroupSummary }, InspectionFailure>
    /** Every action applicable to the object, decided for the subject. */
    readonly effectiveActions: (
      caller: Caller,
      input: { readonly subjectId: string; readonly objectKind: string; readonly objectId: string },
    ) => Effect.Effect<Paged<EffectiveAction>, InspectionFailure>
  }
>() {
  static readonly Live = Layer.effect(
    AuthzInspection,
    Effect.gen(function* () {
      const state = yield* AuthzState
      const sql = yield* SqlClient.SqlClient
      return makeInspection(state, sql)
    }),
  ).pipe(Layer.provide(AuthzState.Live))
}

// A grant can apply in tenant T when its boundary allows T and a tenant scope names T.
const appliesIn = (grant: Grant, tenantId: string): boolean =>
  (grant.tenantId === null || grant.tenantId === tenantId) &&
  (grant.scopeMode !== "tenant" || grant.scopeTenantId === tenantId)

const STAND_IN_MEMBER = EntityId.make("00000000-0000-0000-0000-000000000000")

const notFound = (kind: string) => new NotFound({ message: `${kind} not found` })

const makeInspection = (state: AuthzState["Type"], sql: SqlClient.SqlClient) => {
  const withSql = Effect.provideService(SqlClient.SqlClient, sql)

  /** Loads the caller (and `targets`), then requires one of the requirements. */
  const gated = (caller: Caller, requirements: ReadonlyArray<Requirement>) =>
    Effect.gen(function* () {
      const inputs = yield* state.load({
        subjectIds: [caller.entityId],
        targets: requirementTargets(requirements),
        credentialId: gateCredentialOf(caller),
      })
      yield* requireRequirements(inputs, caller, requirements, yield* Clock.currentTimeMillis)
    })

  /** Resolves a check target for the inspection queries (validated like a check's target). */
  const objectOf = (subjectId: string, objectKind: string, objectId: string) =>
    Effect.gen(function* () {
      const question = yield* parseCheckRequest({ subjectId, action: "", objectKind, objectId }, "graphql")
      const inputs = yield* state.load({ subjectIds: [subjectId], targets: targetsOf([question]), credentialId: null })
      return { question, inputs, record: targetRecord(inputs, question.target) }
    })

  const entityAccess = (
    caller: Caller,
    input: { readonly entityId: string; readonly tenantId?: string | null | undefined } & PageFields,
  ) =>
    Effect.gen(function* () {
      const entityId = yield* uuidArgument("entityId", input.entityId)
      const tenantId = input.tenantId ? yield* uuidArgument("tenantId", input.tenantId) : null
      yield* gated(caller, policyRead(tenantId))
      const inputs = yield* state.load({ subjectIds: [entityId], targets: [], credentialId: null })
      const subject = inputs.subject(entityId)
      if (subject === null) return yield* Effect.fail(notFound("entity"))
      const grants = tenantId === null ? subject.expanded : subject.expanded.filter((g) => appliesIn(g, tenantId))
      return paginate(grants, pageOf(input.limit, input.offset))
    }).pipe(Effect.withSpan("AuthzInspection.entityAccess"))

  const resourceAccess = (
    caller: Caller,
    input: {
      readonly objectKind: string
      readonly objectId: string
      readonly action?: string | null | undefined
    } & PageFields,
  ) =>
    Effect.gen(function* () {
      const objectId = yield* uuidArgument("objectId", input.objectId)
      const { question, record } = yield* objectOf(caller.entityId, input.objectKind, objectId)
      yield* gated(caller, policyRead(record?.object.tenant?.id ?? null))
      if (record === null) return yield* Effect.fail(notFound(input.objectKind))
      const holders = yield* withSql(subjectsWithCoveringAllows(record.object))
      const inputs = yield* state.load({ subjectIds: holders, targets: targetsOf([question]), credentialId: null })
      const now = yield* Clock.currentTimeMillis
      const actions = actionsFor(inputs.catalogue.actions, inputs.catalogue.applicability, record, input.action)
      const items = holders.flatMap((subjectId) =>
        actions.flatMap((action): Array<ObjectAccess> => {
          const answer = decideCheck(inputs, { subjectId, action, target: question.target }, {}, now)
          const grant = answer.decision.decidingGrant
          return answer.decision.allowed && answer.subject !== null && grant !== null
            ? [{ subject: answer.subject, action, grant }]
            : []
        }),
      )
      return paginate(items, pageOf(input.limit, input.offset))
    }).pipe(Effect.withSpan("AuthzInspection.resourceAccess"))

  const roleHolders = (caller: Caller, input: { readonly roleId: string } & PageFields) =>
    Effect.gen(function* () {
      const roleId = yield* uuidArgument("roleId", input.roleId)
      const page: Page = pageOf(input.limit, input.offset)
      const holders = yield* withSql(listRoleHolders(roleId, page))
      yield* gated(caller, policyRead(holders.role?.tenantId ?? null))
      if (holders.role === null) return yield* Effect.fail(notFound("role"))
      return { role: holders.role, items: holders.items, total: holders.total }
    }).pipe(Effect.withSpan("AuthzInspection.roleHolders"))

  const groupAccess = (caller: Caller, input: { readonly groupId: string } & PageFields) =>
    Effect.gen(function* () {
      const groupId = yield* uuidArgument("groupId", input.groupId)
      const loaded = yield* withSql(loadGroupGrants(groupId))
      yield* gated(caller, policyRead(loaded.group?.tenantId ?? null))
      const group = loaded.group
      if (group === null) return yield* Effect.fail(notFound("group"))
      // expansion as seen by a direct member of the group: only group bindings were loaded, so the
      // stand-in member contributes nothing of its own (no entity bindings, no memberships)
      const grants = expandGrants({
        subject: { id: STAND_IN_MEMBER, kind: "service", tenantId: group.tenantId, status: "active", attributes: {} },
        principalGroups: loaded.principalGroups,
        bindings: loaded.bindings,
        memberships: [],
      })
      return { group, ...paginate(grants, pageOf(input.limit, input.offset)) }
    }).pipe(Effect.withSpan("AuthzInspection.groupAccess"))

  const effectiveActions = (
    caller: Caller,
    input: { readonly subjectId: string; readonly objectKind: string; readonly objectId: string },
  ) =>
    Effect.gen(function* () {
      const { question } = yield* objectOf(input.subjectId, input.objectKind, input.objectId)
      const inputs = yield* state.load({
        subjectIds: [...new Set([caller.entityId, question.subjectId])],
        targets: targetsOf([question]),
        credentialId: gateCredentialOf(caller),
      })
      const now = yield* Clock.currentTimeMillis
      if (question.subjectId !== caller.entityId) {
        yield* requirePass(inputs, caller, delegatedCheckAlternatives(inputs, question), now)
      }
      const record = targetRecord(inputs, question.target)
      if (record === null) return yield* Effect.fail(notFound(question.target.kind))
      const actions = actionsFor(inputs.catalogue.actions, inputs.catalogue.applicability, record, null)
      const items = actions.map((action): EffectiveAction => {
        const { decision } = decideCheck(inputs, { ...question, action }, { ceilingFor: caller }, now)
        return { action, allowed: decision.allowed, reason: decision.reason, grant: decision.decidingGrant }
      })
      return { items, total: items.length }
    }).pipe(Effect.withSpan("AuthzInspection.effectiveActions"))

  return { entityAccess, resourceAccess, roleHolders, groupAccess, effectiveActions }
}

/** The actions to report on an object: the one asked for, else every action applicable to it, by name. */
const actionsFor = (
  actions: ReadonlyArray<{ readonly name: string }>,
  applicability: ReadonlyArray<ActionApplicability>,
  record: ObjectRecord,
  only: string | null | undefined,
): Array<string> =>
  (only ? [only] : actions.map((a) => a.name))
    .filter((name) => isActionApplicable(applicability, name, record.object))
    .sort()
