import { Ownership } from "@atom/domain/entities"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"

const Removed = Schema.Struct({ ownerId: Schema.String })

/** Owner → owned links between entities: informational, never read by a decision. */
export class Ownerships extends Effect.Service<Ownerships>()("atom/Ownerships", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      /** Creates the link, or sets the relation of the existing one. */
      upsert: (ownerId: string, ownedId: string, relation: string) =>
        decodeRows(Ownership)(
          sql`INSERT INTO ownerships (owner_id, owned_id, relation) VALUES (${ownerId}, ${ownedId}, ${relation})
              ON CONFLICT (owner_id, owned_id) DO UPDATE SET relation = EXCLUDED.relation
              RETURNING owner_id, owned_id, relation, created_at`,
        ).pipe(Effect.flatMap((r) => Effect.orDie(Effect.fromNullable(r[0])))),
      /** False when there was no such link. */
      remove: (ownerId: string, ownedId: string) =>
        decodeRows(Removed)(
          sql`DELETE FROM ownerships WHERE owner_id = ${ownerId} AND owned_id = ${ownedId} RETURNING owner_id`,
        ).pipe(Effect.map((r) => r.length > 0)),
    }
  }),
}) {}
