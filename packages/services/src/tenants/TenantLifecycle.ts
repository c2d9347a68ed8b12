import type { TenantStatus } from "@atom/domain/authz"
import { Conflict, InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { TenantCredentials, Tenants } from "@atom/repositories/tenants"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { recordChange } from "../audit/recordChange.js"
import { anyOf, Gate, Platform } from "../authz/Gate.js"
import { inTransaction } from "./inTransaction.js"

/** Every lifecycle step is recorded in its own transaction (api.md §6.7 `tenant.*`). */
const audited = (event: string, caller: Caller, tenantId: string, tenantName: string) =>
  recordChange(caller, event, { kind: "tenant", id: tenantId, tenantId }, { tenant_name: tenantName })

const STATUS_EVENT: Record<Exclude<TenantStatus, "deleted">, string> = {
  active: "tenant.enable",
  inactive: "tenant.disable",
  frozen: "tenant.freeze",
}

const NAME_TAKEN = "a live record already uses this name; rename the conflicting record before restoring"

/**
 * The tenant lifecycle (identity-certs §1.4, §1.7), platform `manage` only: status changes, soft delete
 * (revoking its entities' credentials and sessions), restore, purge. Every step changes decisions.
 */
export class TenantLifecycle extends Effect.Service<TenantLifecycle>()("atom/TenantLifecycle", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const gate = yield* Gate
    const tenants = yield* Tenants
    const credentials = yield* TenantCredentials
    const transact = inTransaction(sql)
    const bump = bumpAuthzRevision.pipe(Effect.provideService(SqlClient.SqlClient, sql))
    const requirePlatformManage = (caller: Caller) => gate.require(caller, anyOf(["manage"], Platform))

    /** enable / disable / freeze; a tombstoned tenant is not found. */
    const setStatus = (caller: Caller, id: string, status: TenantStatus) =>
      Effect.gen(function* () {
        yield* requirePlatformManage(caller)
        if (status === "deleted") {
          return yield* new InvalidInput({ message: "use delete tenant to apply the soft-delete lifecycle" })
        }
        return yield* transact(
          Effect.gen(function* () {
            const tenant = yield* tenants.setStatus(id, status, caller.entityId)
            if (tenant === undefined) return yield* new NotFound({ message: `tenant ${id} not found` })
            yield* bump
            yield* audited(STATUS_EVENT[status], caller, id, tenant.name)
            return tenant
          }),
        )
      }).pipe(Effect.withSpan("TenantLifecycle.setStatus", { attributes: { status } }))

    const softDelete = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* requirePlatformManage(caller)
        yield* transact(
          Effect.gen(function* () {
            const tenant = yield* tenants.softDelete(id, caller.entityId)
            if (tenant === undefined) return yield* new NotFound({ message: `tenant ${id} not found` })
            const certificates = yield* credentials.revokeForTenantDelete(id)
            if (certificates > 0) yield* credentials.markCrlDirty
            yield* credentials.revokeSessionsOfTenant(id)
            yield* bump
            yield* audited("tenant.delete", caller, id, tenant.name)
          }),
        )
        return true
      }).pipe(Effect.withSpan("TenantLifecycle.delete"))

    const restore = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* requirePlatformManage(caller)
        const restored = yield* transact(
          Effect.gen(function* () {
            const tenant = yield* tenants
              .restore(id, caller.entityId)
              .pipe(Effect.catchTag("Conflict", () => Effect.fail(new Conflict({ message: NAME_TAKEN }))))
            if (tenant === undefined) {
              return yield* new NotFound({ message: `no soft-deleted tenant ${id} to restore` })
            }
            // certificates and sessions stay revoked
            yield* credentials.restoreAfterTenantRestore(id)
            yield* bump
            yield* audited("tenant.restore", caller, id, tenant.name)
            return tenant
          }),
        )
        return restored
      }).pipe(Effect.withSpan("TenantLifecycle.restore"))

    const purge = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* requirePlatformManage(caller)
        yield* transact(
          Effect.gen(function* () {
            const tenant = yield* tenants.byId(id)
            if (tenant === undefined || tenant.deletedAt === null) {
              return yield* new NotFound({ message: `no soft-deleted tenant ${id} to purge` })
            }
            yield* tenants.deleteBlocksTargetingTenants([id])
            yield* tenants.deleteBindingsOfTenantSubjects([id])
            yield* tenants.hardDelete(id)
            yield* bump
            yield* audited("tenant.purge", caller, id, tenant.name)
            return tenant
          }),
        )
        return true
      }).pipe(Effect.withSpan("TenantLifecycle.purge"))

    return {
      enable: (caller: Caller, id: string) => setStatus(caller, id, "active"),
      disable: (caller: Caller, id: string) => setStatus(caller, id, "inactive"),
      freeze: (caller: Caller, id: string) => setStatus(caller, id, "frozen"),
      setStatus,
      delete: softDelete,
      restore,
      purge,
    } as const
  }),
}) {}
