import type { ScopeMode } from "@atom/domain/authz"
import type { BlockFilter } from "@atom/domain/policy"
import { SqlClient, type Statement } from "@effect/sql"
import { Effect, Schema } from "effect"
import { execute } from "../db/decodeRows.js"
import { uuidSet } from "../db/uuidSet.js"
import { BoundBlocksJson, GuardrailBlockJson, JsonList, PageRow, PermissionBlockJson } from "./policyJson.js"
import { blockObject, decodeOne, decodeOptional, guardrailBlockObject, touched } from "./policySql.js"

const Items = Schema.Struct({ items: JsonList(PermissionBlockJson) })
const GuardrailItems = Schema.Struct({ items: JsonList(GuardrailBlockJson) })
const BoundItems = Schema.Struct({ items: JsonList(BoundBlocksJson) })
const Locked = Schema.Struct({ tenantId: Schema.NullOr(Schema.UUID), referenced: Schema.Boolean })

/** A block to write, already validated. */
export interface NewPermissionBlock {
  readonly id: string
  readonly tenantId: string | null
  readonly scopeMode: ScopeMode
  readonly objectKind: string | null
  readonly objectType: string | null
  readonly objectId: string | null
  readonly groupId: string | null
  readonly effect: "allow" | "deny"
  readonly conditions: Readonly<Record<string, unknown>>
  readonly actionIds: ReadonlyArray<string>
}

/** Permission blocks: shared immutable rules with their actions (authz.md §1 permission_blocks). */
export class PermissionBlocks extends Effect.Service<PermissionBlocks>()("atom/PermissionBlocks", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const block = blockObject(sql)

    /** Blocks of a tenant (or all), newest first. */
    const list = (filter: BlockFilter) =>
      sql`
        WITH filtered AS (
          SELECT * FROM permission_blocks
          WHERE (${filter.tenantId}::uuid IS NULL OR tenant_id = ${filter.tenantId}::uuid)
            AND (${filter.scopeMode}::text IS NULL OR scope_mode = ${filter.scopeMode}::text)
        ),
        page AS (SELECT * FROM filtered ORDER BY created_at DESC, id LIMIT ${filter.page.limit} OFFSET ${filter.page.offset})
        SELECT (SELECT COALESCE(json_agg(${block} ORDER BY pb.created_at DESC, pb.id), '[]'::json) FROM page pb)::text AS items,
               (SELECT count(*) FROM filtered)::int AS total
      `.pipe(decodeOne(PageRow(PermissionBlockJson)), Effect.withSpan("PermissionBlocks.list"))

    const byIds = (ids: ReadonlyArray<string>) =>
      (ids.length === 0
        ? Effect.succeed([])
        : sql`SELECT COALESCE(json_agg(${block} ORDER BY pb.created_at, pb.id), '[]'::json)::text AS items
              FROM permission_blocks pb WHERE pb.id IN ${uuidSet(sql, ids)}`.pipe(
            decodeOne(Items),
            Effect.map((r) => r.items),
          )
      ).pipe(Effect.withSpan("PermissionBlocks.byIds"))

    const byId = (id: string) => Effect.map(byIds([id]), (rows) => rows[0])

    /** The block and its actions in one statement. */
    const insert = (b: NewPermissionBlock) =>
      execute(
        sql`
          WITH ins AS (
            INSERT INTO permission_blocks
              (id, tenant_id, scope_mode, object_kind, object_type, object_id, group_id, effect, conditions)
            VALUES (${b.id}, ${b.tenantId}, ${b.scopeMode}, ${b.objectKind}, ${b.objectType}, ${b.objectId},
                    ${b.groupId}, ${b.effect}, ${JSON.stringify(b.conditions)}::jsonb)
            RETURNING id
          )
          INSERT INTO permission_block_actions (permission_block_id, action_id)
          SELECT ins.id, x.id FROM ins, ${uuidSet(sql, b.actionIds)} AS x (id)
          ON CONFLICT DO NOTHING
        `,
      ).pipe(Effect.withSpan("PermissionBlocks.insert"))

    /**
     * Locks a block against new links (their foreign keys take a key-share lock that FOR UPDATE blocks)
     * and says whether any role link or direct policy references it; undefined when it does not exist.
     */
    const lockForDelete = (id: string) =>
      sql`SELECT pb.tenant_id,
                 (EXISTS (SELECT 1 FROM role_permission_blocks WHERE permission_block_id = pb.id)
                  OR EXISTS (SELECT 1 FROM direct_policies WHERE permission_block_id = pb.id)) AS referenced
          FROM permission_blocks pb WHERE pb.id = ${id} FOR UPDATE`.pipe(decodeOptional(Locked))

    const remove = (id: string) => touched(sql`DELETE FROM permission_blocks WHERE id = ${id} RETURNING 1 AS found`)

    /** Garbage collection: deletes those of `ids` that no role link and no direct policy references. */
    const deleteUnreferenced = (ids: ReadonlyArray<string>) =>
      ids.length === 0
        ? Effect.void
        : execute(
            sql`DELETE FROM permission_blocks pb
                WHERE pb.id IN ${uuidSet(sql, ids)}
                  AND NOT EXISTS (SELECT 1 FROM role_permission_blocks WHERE permission_block_id = pb.id)
                  AND NOT EXISTS (SELECT 1 FROM direct_policies WHERE permission_block_id = pb.id)`,
          ).pipe(Effect.withSpan("PermissionBlocks.deleteUnreferenced"))

    /** Blocks as guardrails judge them. */
    const forGuardrails = (ids: ReadonlyArray<string>) =>
      (ids.length === 0
        ? Effect.succeed([])
        : sql`SELECT COALESCE(json_agg(${guardrailBlockObject(sql)}), '[]'::json)::text AS items
              FROM permission_blocks pb WHERE pb.id IN ${uuidSet(sql, ids)}`.pipe(
            decodeOne(GuardrailItems),
            Effect.map((r) => r.items),
          )
      ).pipe(Effect.withSpan("PermissionBlocks.forGuardrails"))

    /** The blocks of a role, as guardrails judge them. */
    const ofRoleForGuardrails = (roleId: string) =>
      sql`SELECT COALESCE(json_agg(${guardrailBlockObject(sql)}), '[]'::json)::text AS items
          FROM role_permission_blocks rpb JOIN permission_blocks pb ON pb.id = rpb.permission_block_id
          WHERE rpb.role_id = ${roleId}`.pipe(
        decodeOne(GuardrailItems),
        Effect.map((r) => r.items),
        Effect.withSpan("PermissionBlocks.ofRoleForGuardrails"),
      )

    /**
     * The blocks bound to the holders `start` reaches — the principal groups it selects (`id`), their
     * ancestors and, when given, one entity itself — through direct policies and role assignments, each
     * under its binding's tenant boundary, as guardrails judge them (real scopes for both, §6.3 fixed).
     */
    const boundBlocks = (start: Statement.Fragment, entityId: string | null) =>
      sql`
        WITH RECURSIVE up AS (
          ${start}
          UNION
          SELECT h.parent_id FROM principal_group_hierarchy h JOIN up ON h.child_id = up.id
        ),
        holders AS (
          SELECT 'group'::text AS kind, id FROM up
          UNION ALL
          SELECT 'entity', ${entityId}::uuid WHERE ${entityId}::uuid IS NOT NULL
        ),
        bound AS (
          SELECT dp.tenant_id, dp.permission_block_id AS block_id
          FROM direct_policies dp JOIN holders x ON dp.subject_kind = x.kind AND dp.subject_id = x.id
          UNION
          SELECT ra.tenant_id, rpb.permission_block_id
          FROM role_assignments ra JOIN holders x ON ra.subject_kind = x.kind AND ra.subject_id = x.id
          JOIN role_permission_blocks rpb ON rpb.role_id = ra.role_id
        )
        SELECT COALESCE(json_agg(json_build_object('tenantId', b.tenant_id, 'block', ${guardrailBlockObject(sql)})),
                        '[]'::json)::text AS items
        FROM bound b JOIN permission_blocks pb ON pb.id = b.block_id
      `.pipe(
        decodeOne(BoundItems),
        Effect.map((r) => r.items),
      )

    /** Everything a member of the principal group inherits from it and its ancestors. */
    const reachingGroupForGuardrails = (groupId: string) =>
      boundBlocks(sql`SELECT ${groupId}::uuid AS id`, null).pipe(
        Effect.withSpan("PermissionBlocks.reachingGroupForGuardrails"),
      )

    /** Everything an entity holds: its own grants and those of its principal groups and their ancestors. */
    const heldByEntityForGuardrails = (entityId: string) =>
      boundBlocks(
        sql`SELECT m.group_id AS id FROM principal_group_members m WHERE m.entity_id = ${entityId}`,
        entityId,
      ).pipe(Effect.withSpan("PermissionBlocks.heldByEntityForGuardrails"))

    return {
      list,
      byIds,
      byId,
      insert,
      lockForDelete,
      remove,
      deleteUnreferenced,
      forGuardrails,
      ofRoleForGuardrails,
      reachingGroupForGuardrails,
      heldByEntityForGuardrails,
    } as const
  }),
}) {}
