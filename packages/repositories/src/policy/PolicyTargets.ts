import { CatalogueObjectKind } from "@atom/domain/authz"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeOptional } from "./policySql.js"

const Target = Schema.Struct({
  objectKind: CatalogueObjectKind,
  objectType: Schema.NullOr(Schema.String),
  /** the tenant the object belongs to (a tenant is its own; a credential its entity's); null = global */
  tenantId: Schema.NullOr(Schema.UUID),
})
export type ObjectTarget = typeof Target.Type

const ObjectGroup = Schema.Struct({ tenantId: Schema.NullOr(Schema.UUID) })

/** What a permission block can point at: any object by id, or an object group. */
export class PolicyTargets extends Effect.Service<PolicyTargets>()("atom/PolicyTargets", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient

    /**
     * The real kind, namespaced type and tenant of an exact-object target (authz.md §3.3): a live entity,
     * resource, group or tenant, a live role, a direct policy or role assignment (`policy`), or a credential.
     */
    const resolve = (id: string) =>
      sql`
        SELECT object_kind, object_type, tenant_id FROM (
          SELECT 1 AS ord, 'entity' AS object_kind, 'entity:' || kind AS object_type, tenant_id
            FROM entities WHERE id = ${id} AND deleted_at IS NULL
          UNION ALL SELECT 2, 'resource', 'resource:' || kind, tenant_id
            FROM resources WHERE id = ${id} AND deleted_at IS NULL
          UNION ALL SELECT 3, 'group', NULL, tenant_id FROM object_groups WHERE id = ${id} AND deleted_at IS NULL
          UNION ALL SELECT 4, 'group', NULL, tenant_id FROM principal_groups WHERE id = ${id} AND deleted_at IS NULL
          UNION ALL SELECT 5, 'tenant', NULL, id FROM tenants WHERE id = ${id} AND deleted_at IS NULL
          UNION ALL SELECT 6, 'role', NULL, tenant_id FROM roles WHERE id = ${id} AND deleted_at IS NULL
          UNION ALL SELECT 7, 'policy', NULL, tenant_id FROM direct_policies WHERE id = ${id}
          UNION ALL SELECT 8, 'policy', NULL, tenant_id FROM role_assignments WHERE id = ${id}
          UNION ALL SELECT 9, 'credential', 'credential:' || c.kind, e.tenant_id
            FROM credentials c JOIN entities e ON e.id = c.entity_id WHERE c.id = ${id}
        ) found ORDER BY ord LIMIT 1
      `.pipe(decodeOptional(Target), Effect.withSpan("PolicyTargets.resolve"))

    /** A live object group, locked against deletion for the transaction. */
    const objectGroup = (id: string) =>
      sql`SELECT tenant_id FROM object_groups WHERE id = ${id} AND deleted_at IS NULL FOR SHARE`.pipe(
        decodeOptional(ObjectGroup),
      )

    return { resolve, objectGroup } as const
  }),
}) {}
