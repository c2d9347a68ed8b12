import type { ActionFilter, ApplicabilityFilter, ApplicabilityTarget } from "@atom/domain/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { execute } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"
import { ActionJson, ApplicabilityEntryJson, JsonList, PageRow } from "./policyJson.js"
import { actionObject, applicabilityEntryObject, decodeOne, touched } from "./policySql.js"

const Items = Schema.Struct({ items: JsonList(ActionJson) })
const Entry = Schema.Struct({ entry: Schema.parseJson(ApplicabilityEntryJson) })

/** The action vocabulary and where each action applies (authz.md §1 actions, action_applicability). */
export class PolicyActions extends Effect.Service<PolicyActions>()("atom/PolicyActions", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const action = actionObject(sql)

    /** Actions applicable to a kind (and type: rows for that type or for every type), by name. */
    const list = (filter: ActionFilter) =>
      sql`
        WITH filtered AS (
          SELECT a.* FROM actions a
          WHERE ${filter.objectKind}::text IS NULL OR EXISTS (
            SELECT 1 FROM action_applicability aa
            WHERE aa.action_id = a.id AND aa.object_kind = ${filter.objectKind}::text
              AND (${filter.objectType}::text IS NULL OR aa.object_type IS NULL OR aa.object_type = ${filter.objectType}::text))
        ),
        page AS (SELECT * FROM filtered ORDER BY name, id LIMIT ${filter.page.limit} OFFSET ${filter.page.offset})
        SELECT (SELECT COALESCE(json_agg(${action} ORDER BY a.name, a.id), '[]'::json) FROM page a)::text AS items,
               (SELECT count(*) FROM filtered)::int AS total
      `.pipe(decodeOne(PageRow(ActionJson)), Effect.withSpan("PolicyActions.list"))

    const byIds = (ids: ReadonlyArray<string>) =>
      (ids.length === 0
        ? Effect.succeed([])
        : sql`SELECT COALESCE(json_agg(${action} ORDER BY a.name, a.id), '[]'::json)::text AS items
              FROM actions a WHERE a.id IN ${uuidSet(sql, ids)}`.pipe(
            decodeOne(Items),
            Effect.map((r) => r.items),
          )
      ).pipe(Effect.withSpan("PolicyActions.byIds"))

    const byId = (id: string) => Effect.map(byIds([id]), (rows) => rows[0])

    /** Whether an action of that exact name exists. */
    const nameExists = (name: string) => touched(sql`SELECT 1 AS found FROM actions WHERE name = ${name}`)

    const insert = (row: { readonly id: string; readonly name: string; readonly description: string | null }) =>
      execute(sql`INSERT INTO actions (id, name, description) VALUES (${row.id}, ${row.name}, ${row.description})`)

    /** Renames / redescribes; false when the action does not exist. */
    const update = (
      id: string,
      patch: { readonly name?: string | undefined; readonly description?: string | undefined },
    ) =>
      touched(
        sql`UPDATE actions SET name = COALESCE(${patch.name ?? null}::text, name),
                               description = COALESCE(${patch.description ?? null}::text, description),
                               updated_at = now()
            WHERE id = ${id} RETURNING 1 AS found`,
      )

    /** Deletes an action (its applicability and block links cascade); false when missing. */
    const remove = (id: string) => touched(sql`DELETE FROM actions WHERE id = ${id} RETURNING 1 AS found`)

    const clearApplicability = (actionId: string) =>
      execute(sql`DELETE FROM action_applicability WHERE action_id = ${actionId}`)

    /** Adds rows; ones already present are kept as they are. */
    const addApplicability = (actionId: string, targets: ReadonlyArray<ApplicabilityTarget>) =>
      targets.length === 0
        ? Effect.void
        : execute(
            sql`INSERT INTO action_applicability (id, action_id, object_kind, object_type)
                SELECT gen_random_uuid(), ${actionId}::uuid, t->>'objectKind', t->>'objectType'
                FROM json_array_elements(${JSON.stringify(targets)}::json) t
                ON CONFLICT DO NOTHING`,
          )

    /** The applicability row of (action, kind, type), with its action. */
    const applicabilityEntry = (actionId: string, target: ApplicabilityTarget) =>
      sql`SELECT ${applicabilityEntryObject(sql)}::text AS entry
          FROM action_applicability aa JOIN actions a ON a.id = aa.action_id
          WHERE aa.action_id = ${actionId} AND aa.object_kind = ${target.objectKind}
            AND aa.object_type IS NOT DISTINCT FROM ${target.objectType}::text`.pipe(
        decodeOne(Entry),
        Effect.map((r) => r.entry),
      )

    /** Removes one row; false when there was none. */
    const removeApplicability = (actionId: string, target: ApplicabilityTarget) =>
      touched(
        sql`DELETE FROM action_applicability
            WHERE action_id = ${actionId} AND object_kind = ${target.objectKind}
              AND object_type IS NOT DISTINCT FROM ${target.objectType}::text
            RETURNING 1 AS found`,
      )

    /** Applicability rows by action name (substring), kind and exact type. */
    const listApplicability = (filter: ApplicabilityFilter) =>
      sql`
        WITH filtered AS (
          SELECT aa.*, a.name AS action_name FROM action_applicability aa JOIN actions a ON a.id = aa.action_id
          WHERE (${filter.actionName}::text IS NULL OR a.name ILIKE '%' || ${filter.actionName}::text || '%')
            AND (${filter.objectKind}::text IS NULL OR aa.object_kind = ${filter.objectKind}::text)
            AND (${filter.objectType}::text IS NULL OR aa.object_type = ${filter.objectType}::text)
        ),
        page AS (
          SELECT * FROM filtered ORDER BY action_name, object_kind, object_type NULLS FIRST, id
          LIMIT ${filter.page.limit} OFFSET ${filter.page.offset}
        )
        SELECT (
          SELECT COALESCE(json_agg(${applicabilityEntryObject(sql)}
                                   ORDER BY a.name, aa.object_kind, aa.object_type NULLS FIRST, aa.id), '[]'::json)
          FROM page aa JOIN actions a ON a.id = aa.action_id)::text AS items,
          (SELECT count(*) FROM filtered)::int AS total
      `.pipe(decodeOne(PageRow(ApplicabilityEntryJson)), Effect.withSpan("PolicyActions.listApplicability"))

    return {
      list,
      byIds,
      byId,
      nameExists,
      insert,
      update,
      remove,
      clearApplicability,
      addApplicability,
      applicabilityEntry,
      removeApplicability,
      listApplicability,
    } as const
  }),
}) {}
