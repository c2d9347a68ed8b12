import type { GroupType } from "@atom/domain/groups"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { groupTables } from "./GroupRow.js"

const Id = Schema.Struct({ id: Schema.String })

/** Single-parent group trees (one per group type); the service refuses cycles under `lock`. */
export class GroupHierarchy extends Effect.Service<GroupHierarchy>()("atom/GroupHierarchy", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const table = (type: GroupType) => sql.unsafe(groupTables(type).hierarchy)
    return {
      /** Serialises hierarchy writes of one type until the transaction ends (cycle checks stay true). */
      lock: (type: GroupType) => execute(sql`LOCK TABLE ${table(type)} IN SHARE ROW EXCLUSIVE MODE`),
      /** The group and every group above it, cycle-safe. */
      selfAndAncestors: (type: GroupType, id: string) =>
        decodeRows(Id)(
          sql`WITH RECURSIVE up(id) AS (
                SELECT ${id}::uuid
                UNION
                SELECT h.parent_id FROM ${table(type)} h JOIN up ON h.child_id = up.id)
              SELECT id FROM up`,
        ).pipe(Effect.map((r) => r.map((g) => g.id))),
      /** Sets (or replaces) the child's one parent. */
      setParent: (type: GroupType, childId: string, parentId: string, tenantId: string | null) =>
        execute(
          sql`INSERT INTO ${table(type)} (child_id, parent_id, tenant_id) VALUES (${childId}, ${parentId}, ${tenantId})
              ON CONFLICT (child_id) DO UPDATE
              SET parent_id = EXCLUDED.parent_id, tenant_id = EXCLUDED.tenant_id, updated_at = now()`,
        ),
      /** False when the group had no parent. */
      removeParent: (type: GroupType, childId: string) =>
        decodeRows(Id)(sql`DELETE FROM ${table(type)} WHERE child_id = ${childId} RETURNING child_id AS id`).pipe(
          Effect.map((r) => r.length > 0),
        ),
    }
  }),
}) {}
