import { randomUUID } from "node:crypto"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { Page, Paging, TenantMember } from "@atom/domain/tenants"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { TenantMemberships, Tenants } from "@atom/repositories/tenants"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { anyOf, Gate, Tenant } from "../authz/Gate.js"
import { inTransaction } from "./inTransaction.js"

const MEMBER_ADMIN = ["manage", "role.manage", "policy.manage"]
const MIN_QUERY = 3

/** Tenant membership (identity-certs §1.5): member listings, add (with an optional role), remove. */
export class MembershipService extends Effect.Service<MembershipService>()("atom/MembershipService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const gate = yield* Gate
    const tenants = yield* Tenants
    const memberships = yield* TenantMemberships
    const transact = inTransaction(sql)
    const bump = bumpAuthzRevision.pipe(Effect.provideService(SqlClient.SqlClient, sql))

    const members = (caller: Caller, tenantId: string, q: string | null, page: Paging) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(MEMBER_ADMIN, Tenant(tenantId)))
        const query = q === null || q.trim() === "" ? null : q.trim()
        const [items, total] = yield* Effect.all(
          [memberships.members(tenantId, query, page), memberships.countMembers(tenantId, query)],
          { concurrency: 2 },
        )
        return { items, total } satisfies Page<TenantMember>
      }).pipe(Effect.withSpan("MembershipService.members"))

    const assignable = (caller: Caller, tenantId: string, q: string, page: Paging) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(MEMBER_ADMIN, Tenant(tenantId)))
        const query = q.trim()
        if (query.length < MIN_QUERY) {
          return yield* new InvalidInput({ message: `q must contain at least ${MIN_QUERY} characters` })
        }
        const [items, total] = yield* Effect.all(
          [memberships.assignable(tenantId, query, page), memberships.countAssignable(tenantId, query)],
          { concurrency: 2 },
        )
        return { items, total } satisfies Page<TenantMember>
      }).pipe(Effect.withSpan("MembershipService.assignable"))

    /** Upserts an active membership and, with a role of the tenant, its assignment if missing. */
    const add = (caller: Caller, tenantId: string, entityId: string, roleId: string | null) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(["policy.manage"], Tenant(tenantId)))
        yield* transact(
          Effect.gen(function* () {
            const tenant = yield* tenants.byId(tenantId)
            if (tenant === undefined || tenant.deletedAt !== null || tenant.status !== "active") {
              return yield* new NotFound({ message: `active tenant ${tenantId} not found` })
            }
            const subject = yield* memberships.liveSubject(entityId)
            if (subject === undefined) return yield* new NotFound({ message: `entity ${entityId} not found` })
            yield* memberships.upsertActive(tenantId, entityId)
            if (roleId !== null) {
              if (subject.status !== "active") {
                return yield* new InvalidInput({
                  message: "assignment references a deleted, disabled, or unknown subject",
                })
              }
              if (!(yield* memberships.roleOfTenant(roleId, tenantId))) {
                return yield* new NotFound({ message: `role ${roleId} not found` })
              }
              yield* memberships.ensureAssignment({ id: randomUUID(), tenantId, entityId, roleId })
            }
            yield* bump
            const target = { kind: "tenant", id: tenantId, tenantId }
            yield* recordChange(caller, "tenant_member.add", target, { entity_id: entityId, role_id: roleId })
          }),
        )
        return true
      }).pipe(Effect.withSpan("MembershipService.add"))

    /** Removes the member's principal-group memberships in the tenant, its tenant assignments and the membership. */
    const remove = (caller: Caller, tenantId: string, entityId: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(["policy.manage"], Tenant(tenantId)))
        yield* transact(
          Effect.gen(function* () {
            const groups = yield* memberships.deleteGroupMemberships(tenantId, entityId)
            const assignments = yield* memberships.deleteTenantAssignments(tenantId, entityId)
            const membership = yield* memberships.deleteMembership(tenantId, entityId)
            if (groups + assignments + membership === 0) {
              return yield* new NotFound({ message: "tenant member not found" })
            }
            yield* bump
            const target = { kind: "tenant", id: tenantId, tenantId }
            yield* recordChange(caller, "tenant_member.remove", target, { entity_id: entityId })
          }),
        )
        return true
      }).pipe(Effect.withSpan("MembershipService.remove"))

    return { members, assignable, add, remove } as const
  }),
}) {}
