import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { CountRow } from "./rows.js"

export interface TenantAdminGrant {
  readonly tenantId: string
  readonly roleId: string
  readonly roleName: string
  readonly blockId: string
  readonly assignmentId: string
  readonly creatorId: string
}

/**
 * The rows a new tenant starts with (authz.md §1.12): its admin role with one tenant-scope allow block,
 * assigned to the creator bounded to the tenant. The service runs them in the tenant's transaction.
 */
export class TenantBootstrap extends Effect.Service<TenantBootstrap>()("atom/TenantBootstrap", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      insertRole: (g: TenantAdminGrant) =>
        execute(
          sql`INSERT INTO roles (id, name, tenant_id, description)
              VALUES (${g.roleId}, ${g.roleName}, ${g.tenantId}, 'Tenant administrator (created with the tenant)')`,
        ),
      insertBlock: (g: TenantAdminGrant) =>
        execute(
          sql`INSERT INTO permission_blocks (id, tenant_id, scope_mode, effect, conditions)
              VALUES (${g.blockId}, ${g.tenantId}, 'tenant', 'allow', '{}'::jsonb)`,
        ),
      /** Adds the named actions to the block; answers how many exist (and so were added). */
      insertBlockActions: (blockId: string, actions: ReadonlyArray<string>) =>
        decodeRows(CountRow)(
          sql`WITH added AS (
                INSERT INTO permission_block_actions (permission_block_id, action_id)
                SELECT ${blockId}, a.id FROM actions a
                WHERE a.name IN (SELECT value FROM json_array_elements_text(${JSON.stringify(actions)}::json))
                RETURNING 1)
              SELECT count(*)::int AS total FROM added`,
        ).pipe(Effect.map((r) => r[0]?.total ?? 0)),
      linkBlock: (g: TenantAdminGrant) =>
        execute(
          sql`INSERT INTO role_permission_blocks (role_id, permission_block_id) VALUES (${g.roleId}, ${g.blockId})`,
        ),
      assignToCreator: (g: TenantAdminGrant) =>
        execute(
          sql`INSERT INTO role_assignments (id, tenant_id, subject_kind, subject_id, role_id)
              VALUES (${g.assignmentId}, ${g.tenantId}, 'entity', ${g.creatorId}, ${g.roleId})`,
        ),
    }
  }),
}) {}
