import type { AccessTokenPermission } from "@atom/domain/credentials"
import { CredentialMessages } from "@atom/domain/credentials"
import { InvalidInput } from "@atom/domain/errors"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { NameRow } from "./rows.js"

/**
 * The ceiling of a scoped access token: `credential_permission_limits` (one row per entry, `ordinal`
 * keeping the caller's order) and `credential_permission_limit_actions` (its actions), the shape
 * the PDP's ceiling loader reads.
 */
export class PermissionLimits extends Effect.Service<PermissionLimits>()("atom/PermissionLimits", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      /** Which of `names` are actions of the catalogue. */
      knownActions: (names: ReadonlyArray<string>) =>
        decodeRows(NameRow)(
          sql`SELECT name FROM actions
              WHERE name IN (SELECT jsonb_array_elements_text(${JSON.stringify(names)}::jsonb))`,
        ).pipe(Effect.map((rows) => new Set(rows.map((r) => r.name)))),

      /** Writes a whole ceiling in one statement; a shape the table refuses is the caller's error. */
      insert: (credentialId: string, permissions: ReadonlyArray<AccessTokenPermission>) => {
        const input = JSON.stringify(
          permissions.map((p, ordinal) => ({
            ordinal,
            scope_mode: p.scopeMode,
            tenant_id: p.tenantId,
            object_kind: p.objectKind,
            object_type: p.objectType,
            object_id: p.objectId,
            conditions: p.conditions,
            actions: p.actions,
          })),
        )
        return execute(
          sql`WITH input AS (
                SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS x(
                  ordinal int, scope_mode text, tenant_id uuid, object_kind text, object_type text,
                  object_id uuid, conditions jsonb, actions jsonb)
              ), limits AS (
                INSERT INTO credential_permission_limits
                  (credential_id, ordinal, scope_mode, tenant_id, object_kind, object_type, object_id, conditions)
                SELECT ${credentialId}, ordinal, scope_mode, tenant_id, object_kind, object_type, object_id, conditions
                FROM input
                RETURNING id, ordinal
              )
              INSERT INTO credential_permission_limit_actions (limit_id, action_id)
              SELECT DISTINCT limits.id, a.id
              FROM limits
              JOIN input ON input.ordinal = limits.ordinal
              CROSS JOIN LATERAL jsonb_array_elements_text(input.actions) AS n(name)
              JOIN actions a ON a.name = n.name`,
        ).pipe(
          Effect.mapError((e) =>
            e._tag === "InvalidInput" && e.message === "invalid value"
              ? new InvalidInput({ message: CredentialMessages.invalidPermissionScope })
              : e,
          ),
        )
      },

      /** Drops a token's ceiling (its actions go with it). */
      clear: (credentialId: string) =>
        execute(sql`DELETE FROM credential_permission_limits WHERE credential_id = ${credentialId}`),
    }
  }),
}) {}
