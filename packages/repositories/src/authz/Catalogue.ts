import { ActionApplicability, ActionName } from "@atom/domain/authz"
import type { Statement } from "@effect/sql"
import { Schema } from "effect"
import { JsonArrayColumn } from "./jsonRow.js"

/** An action of the vocabulary: explain reports its id as the capability. */
export const ActionRecord = Schema.Struct({ id: Schema.UUID, name: ActionName })
export type ActionRecord = typeof ActionRecord.Type

/** Actions and their applicability: small, changes rarely, kept whole per authz revision. */
export const Catalogue = Schema.Struct({
  actions: Schema.Array(ActionRecord),
  applicability: Schema.Array(ActionApplicability),
})
export type Catalogue = typeof Catalogue.Type

/** The catalogue columns of a loader row: null when the caller already holds it at this revision. */
export const CatalogueColumns = {
  catalogueActions: Schema.NullOr(JsonArrayColumn(ActionRecord)),
  catalogueApplicability: Schema.NullOr(JsonArrayColumn(ActionApplicability)),
}

export const catalogueOf = (row: {
  readonly catalogueActions: ReadonlyArray<ActionRecord> | null
  readonly catalogueApplicability: ReadonlyArray<ActionApplicability> | null
}): Catalogue | null =>
  row.catalogueActions === null || row.catalogueApplicability === null
    ? null
    : { actions: row.catalogueActions, applicability: row.catalogueApplicability }

/** Which catalogue a loader should return: when stale against the revision the caller holds, or never. */
export type CatalogueWant = { readonly ifStaleAgainst: bigint | null } | "skip"

/**
 * SELECT-list fragment: the statement's revision, and the catalogue only when the caller's revision is
 * not that one (the subqueries run only then). Columns: revision, catalogue_actions, catalogue_applicability.
 */
export const revisionAndCatalogue = (sql: Statement.Constructor, want: CatalogueWant) => {
  if (want === "skip") {
    return sql`(SELECT revision::text FROM authz_revision) AS revision,
      NULL::text AS catalogue_actions, NULL::text AS catalogue_applicability`
  }
  const knownText = want.ifStaleAgainst === null ? null : want.ifStaleAgainst.toString()
  const stale = sql`${knownText}::bigint IS DISTINCT FROM (SELECT revision FROM authz_revision)`
  return sql`
    (SELECT revision::text FROM authz_revision) AS revision,
    CASE WHEN ${stale} THEN (
      SELECT COALESCE(json_agg(json_build_object('id', a.id, 'name', a.name)), '[]'::json) FROM actions a
    )::text END AS catalogue_actions,
    CASE WHEN ${stale} THEN (
      SELECT COALESCE(json_agg(json_build_object(
        'action', a.name, 'objectKind', aa.object_kind, 'objectType', aa.object_type)), '[]'::json)
      FROM action_applicability aa JOIN actions a ON a.id = aa.action_id
    )::text END AS catalogue_applicability`
}
