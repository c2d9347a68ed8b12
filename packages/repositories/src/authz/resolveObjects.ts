import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import type { DbFailure } from "../db/sqlErrors.js"
import { type Catalogue, CatalogueColumns, type CatalogueWant, catalogueOf, revisionAndCatalogue } from "./Catalogue.js"
import { decodeOneRow, JsonArrayColumn, RevisionColumn } from "./jsonRow.js"
import { ObjectJson, type ObjectRecord, type ObjectRef, objectRecord } from "./ObjectRecord.js"
import { foundObjectJson, foundObjects } from "./objectTargets.js"

export interface ResolvedObjects {
  readonly revision: bigint
  readonly catalogue: Catalogue | null
  /** per requested target, in order: the record, or null when it does not resolve */
  readonly objects: ReadonlyArray<ObjectRecord | null>
}

const Row = Schema.Struct({ revision: RevisionColumn, objects: JsonArrayColumn(ObjectJson), ...CatalogueColumns })

/**
 * Resolves any number of check targets of any kinds (authz.md §2.3) with their tenant state, direct
 * container and ancestor groups: one round trip.
 */
export const resolveObjects = (
  targets: ReadonlyArray<ObjectRef>,
  catalogue: CatalogueWant,
): Effect.Effect<ResolvedObjects, DbFailure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`
      WITH RECURSIVE
      targets AS (
        SELECT t.ord, t.kind, t.id::uuid AS id
        FROM json_to_recordset(${JSON.stringify(targets.map((t, ord) => ({ ord, kind: t.kind, id: t.id })))}::json)
          AS t(ord int, kind text, id text)
      ),
      ${foundObjects(sql, { includeInactive: false })}
      SELECT
        ${revisionAndCatalogue(sql, catalogue)},
        (SELECT COALESCE(json_agg(${foundObjectJson(sql)}), '[]'::json)
         FROM found f LEFT JOIN tenants tn ON tn.id = f.tenant_id)::text AS objects
    `.pipe(
      decodeOneRow(Row),
      Effect.map((row): ResolvedObjects => {
        const objects: Array<ObjectRecord | null> = targets.map(() => null)
        for (const found of row.objects) objects[found.ord] = objectRecord(found)
        return { revision: row.revision, catalogue: catalogueOf(row), objects }
      }),
    ),
  ).pipe(Effect.withSpan("AuthzRepository.resolveObjects"))

/** The current revision, and the catalogue when `knownRevision` is stale: validates cached state. */
export const probeRevision = (
  knownRevision: bigint | null,
): Effect.Effect<{ readonly revision: bigint; readonly catalogue: Catalogue | null }, DbFailure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    sql`SELECT ${revisionAndCatalogue(sql, { ifStaleAgainst: knownRevision })}`.pipe(
      decodeOneRow(Schema.Struct({ revision: RevisionColumn, ...CatalogueColumns })),
      Effect.map((row) => ({ revision: row.revision, catalogue: catalogueOf(row) })),
    ),
  ).pipe(Effect.withSpan("AuthzRepository.probeRevision"))
