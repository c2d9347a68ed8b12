import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"

const Id = Schema.Struct({ id: Schema.String })

/** Direct members of principal groups. */
export class GroupMembers extends Effect.Service<GroupMembers>()("atom/GroupMembers", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      /** Idempotent; a group that does not exist (any more) is skipped. */
      add: (groupId: string, entityId: string) =>
        execute(
          sql`INSERT INTO principal_group_members (group_id, entity_id)
              SELECT id, ${entityId} FROM principal_groups WHERE id = ${groupId}
              ON CONFLICT DO NOTHING`,
        ),
      /** False when the entity was not a direct member. */
      remove: (groupId: string, entityId: string) =>
        decodeRows(Id)(
          sql`DELETE FROM principal_group_members WHERE group_id = ${groupId} AND entity_id = ${entityId}
              RETURNING group_id AS id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      /** Live principal groups the entity is a direct member of, oldest membership first. */
      groupsOf: (entityId: string) =>
        decodeRows(Id)(
          sql`SELECT g.id FROM principal_group_members m JOIN principal_groups g ON g.id = m.group_id
              WHERE m.entity_id = ${entityId} AND g.deleted_at IS NULL ORDER BY m.created_at, g.id`,
        ).pipe(Effect.map((r) => r.map((g) => g.id))),
    }
  }),
}) {}
