import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { execute } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"

/**
 * Authorization rows that would dangle after a purge (identity-certs §1.7): blocks whose target is a
 * purged id (policies and role links on them cascade), and grants held by purged subjects.
 */
export class AuthzReferences extends Effect.Service<AuthzReferences>()("atom/AuthzReferences", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      removeBlocksTargeting: (objectIds: ReadonlyArray<string>) =>
        execute(sql`DELETE FROM permission_blocks WHERE object_id IN ${uuidSet(sql, objectIds)}`),
      removeGrantsOf: (subjectKind: "entity" | "group", subjectIds: ReadonlyArray<string>) =>
        execute(
          sql`WITH policies AS (
                DELETE FROM direct_policies
                WHERE subject_kind = ${subjectKind} AND subject_id IN ${uuidSet(sql, subjectIds)} RETURNING id)
              DELETE FROM role_assignments
              WHERE subject_kind = ${subjectKind} AND subject_id IN ${uuidSet(sql, subjectIds)}`,
        ),
    }
  }),
}) {}
