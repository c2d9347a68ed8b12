import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"

const Id = Schema.Struct({ id: Schema.String })

/** Which object group directly contains an entity or a resource (at most one; setting replaces). */
export class Containment extends Effect.Service<Containment>()("atom/Containment", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      placeEntity: (entityId: string, groupId: string, tenantId: string) =>
        execute(
          sql`INSERT INTO object_group_entities (entity_id, group_id, tenant_id) VALUES (${entityId}, ${groupId}, ${tenantId})
              ON CONFLICT (entity_id) DO UPDATE
              SET group_id = EXCLUDED.group_id, tenant_id = EXCLUDED.tenant_id, updated_at = now()`,
        ),
      /** False when the entity was in no group. */
      clearEntity: (entityId: string) =>
        decodeRows(Id)(
          sql`DELETE FROM object_group_entities WHERE entity_id = ${entityId} RETURNING entity_id AS id`,
        ).pipe(Effect.map((r) => r.length > 0)),
      placeResource: (resourceId: string, groupId: string, tenantId: string) =>
        execute(
          sql`INSERT INTO object_group_resources (resource_id, group_id, tenant_id)
              VALUES (${resourceId}, ${groupId}, ${tenantId})
              ON CONFLICT (resource_id) DO UPDATE
              SET group_id = EXCLUDED.group_id, tenant_id = EXCLUDED.tenant_id, updated_at = now()`,
        ),
      clearResource: (resourceId: string) =>
        decodeRows(Id)(
          sql`DELETE FROM object_group_resources WHERE resource_id = ${resourceId} RETURNING resource_id AS id`,
        ).pipe(Effect.map((r) => r.length > 0)),
    }
  }),
}) {}
