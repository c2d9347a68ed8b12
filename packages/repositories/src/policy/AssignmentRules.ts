import type { EntityKind } from "@atom/domain/authz"
import { Conflict } from "@atom/domain/errors"
import type { AssignmentRuleFilter, CreateAssignmentRuleInput } from "@atom/domain/policy"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { AssignmentRuleJson, JsonList, PageRow } from "./policyJson.js"
import { decodeOne, decodeOptional, ruleObject } from "./policySql.js"

const One = Schema.Struct({ rule: Schema.parseJson(AssignmentRuleJson) })
const Items = Schema.Struct({ items: JsonList(AssignmentRuleJson) })

/** Guardrail rules (authz.md §1 action_assignment_rules). */
export class AssignmentRules extends Effect.Service<AssignmentRules>()("atom/AssignmentRules", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rule = ruleObject(sql)

    /** Rules of exactly one tenant (or the global ones), filtered, in a stable order. */
    const list = (filter: AssignmentRuleFilter) =>
      sql`
        WITH filtered AS (
          SELECT * FROM action_assignment_rules
          WHERE tenant_id IS NOT DISTINCT FROM ${filter.tenantId}::uuid
            AND (${filter.entityKind}::text IS NULL OR entity_kind = ${filter.entityKind}::text)
            AND (${filter.actionName}::text IS NULL OR action_name ILIKE '%' || ${filter.actionName}::text || '%')
            AND (${filter.objectKind}::text IS NULL OR object_kind = ${filter.objectKind}::text)
            AND (${filter.objectType}::text IS NULL OR object_type = ${filter.objectType}::text)
            AND (${filter.decision}::text IS NULL OR decision = ${filter.decision}::text)
        ),
        page AS (
          SELECT * FROM filtered
          ORDER BY entity_kind, action_name, object_kind, object_type NULLS FIRST, decision, id
          LIMIT ${filter.page.limit} OFFSET ${filter.page.offset}
        )
        SELECT (
          SELECT COALESCE(json_agg(${rule}
            ORDER BY ar.entity_kind, ar.action_name, ar.object_kind, ar.object_type NULLS FIRST, ar.decision, ar.id),
            '[]'::json) FROM page ar)::text AS items,
          (SELECT count(*) FROM filtered)::int AS total
      `.pipe(decodeOne(PageRow(AssignmentRuleJson)), Effect.withSpan("AssignmentRules.list"))

    const byId = (id: string) =>
      sql`SELECT ${rule}::text AS rule FROM action_assignment_rules ar WHERE ar.id = ${id}`.pipe(
        decodeOptional(One),
        Effect.map((r) => r?.rule),
      )

    /** A second rule with the same key is a conflict (unique index). */
    const insert = (id: string, input: CreateAssignmentRuleInput) =>
      sql`
        WITH ins AS (
          INSERT INTO action_assignment_rules
            (id, tenant_id, entity_kind, action_name, object_kind, object_type, decision, is_absolute)
          VALUES (${id}, ${input.tenantId}, ${input.entityKind}, ${input.actionName}, ${input.objectKind},
                  ${input.objectType}, ${input.decision}, ${input.isAbsolute})
          RETURNING *
        )
        SELECT ${rule}::text AS rule FROM ins ar
      `.pipe(
        decodeOne(One),
        Effect.map((r) => r.rule),
        Effect.catchTag("Conflict", () =>
          Effect.fail(new Conflict({ message: "action assignment rule already exists" })),
        ),
      )

    const remove = (id: string) =>
      sql`WITH del AS (DELETE FROM action_assignment_rules WHERE id = ${id} RETURNING *)
          SELECT ${rule}::text AS rule FROM del ar`.pipe(
        decodeOptional(One),
        Effect.map((r) => r?.rule),
      )

    /** Every rule that could match an assignment of these entity kinds and actions. */
    const relevant = (entityKinds: ReadonlyArray<EntityKind>, actions: ReadonlyArray<string>) =>
      (entityKinds.length === 0 || actions.length === 0
        ? Effect.succeed([])
        : sql`SELECT COALESCE(json_agg(${rule}), '[]'::json)::text AS items FROM action_assignment_rules ar
              WHERE ar.entity_kind IN (SELECT value FROM json_array_elements_text(${JSON.stringify(entityKinds)}::json))
                AND ar.action_name IN (SELECT value FROM json_array_elements_text(${JSON.stringify(actions)}::json))`.pipe(
            decodeOne(Items),
            Effect.map((r) => r.items),
          )
      ).pipe(Effect.withSpan("AssignmentRules.relevant"))

    return { list, byId, insert, remove, relevant } as const
  }),
}) {}
