import type { Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import type { DbFailure } from "../db/sqlErrors.js"

/** Runs a statement that answers exactly one row and decodes it; a missing row is a defect. */
export const decodeOne =
  <A, I>(schema: Schema.Schema<A, I>) =>
  <R>(statement: Effect.Effect<ReadonlyArray<unknown>, SqlError, R>): Effect.Effect<A, DbFailure, R> =>
    decodeRows(schema)(statement).pipe(
      Effect.flatMap((rows) =>
        rows[0] === undefined ? Effect.dieMessage("statement returned no row") : Effect.succeed(rows[0]),
      ),
    )

/** A statement that answers zero or one row. */
export const decodeOptional =
  <A, I>(schema: Schema.Schema<A, I>) =>
  <R>(statement: Effect.Effect<ReadonlyArray<unknown>, SqlError, R>): Effect.Effect<A | undefined, DbFailure, R> =>
    decodeRows(schema)(statement).pipe(Effect.map((rows) => rows[0]))

/** `RETURNING 1 AS found` statements: whether a row was written. */
export const touched = <R>(statement: Effect.Effect<ReadonlyArray<unknown>, SqlError, R>) =>
  decodeRows(Schema.Struct({ found: Schema.Int }))(statement).pipe(Effect.map((rows) => rows.length > 0))

// JSON objects of each row kind, keyed as the domain schemas are (see policyJson.ts).

/** An action (alias `a`) with its applicability. */
export const actionObject = (sql: Statement.Constructor) => sql`json_build_object(
  'id', a.id, 'name', a.name, 'description', a.description, 'createdAt', a.created_at, 'updatedAt', a.updated_at,
  'applicability', (
    SELECT COALESCE(json_agg(json_build_object('objectKind', aa.object_kind, 'objectType', aa.object_type)
                             ORDER BY aa.object_kind, aa.object_type NULLS FIRST), '[]'::json)
    FROM action_applicability aa WHERE aa.action_id = a.id))`

/** An applicability row (alias `aa`) with its action (alias `a`). */
export const applicabilityEntryObject = (sql: Statement.Constructor) => sql`json_build_object(
  'id', aa.id, 'actionId', a.id, 'actionName', a.name, 'description', a.description,
  'objectKind', aa.object_kind, 'objectType', aa.object_type, 'createdAt', aa.created_at)`

/** A guardrail rule (alias `ar`). */
export const ruleObject = (sql: Statement.Constructor) => sql`json_build_object(
  'id', ar.id, 'tenantId', ar.tenant_id, 'entityKind', ar.entity_kind, 'actionName', ar.action_name,
  'objectKind', ar.object_kind, 'objectType', ar.object_type, 'decision', ar.decision,
  'isAbsolute', ar.is_absolute, 'createdAt', ar.created_at)`

/** A permission block (alias `pb`) with its action ids, ordered by action name. */
export const blockObject = (sql: Statement.Constructor) => sql`json_build_object(
  'id', pb.id, 'tenantId', pb.tenant_id, 'scopeMode', pb.scope_mode, 'objectKind', pb.object_kind,
  'objectType', pb.object_type, 'objectId', pb.object_id, 'groupId', pb.group_id, 'effect', pb.effect,
  'conditions', pb.conditions, 'createdAt', pb.created_at, 'updatedAt', pb.updated_at,
  'actionIds', (
    SELECT COALESCE(json_agg(pba.action_id ORDER BY act.name), '[]'::json)
    FROM permission_block_actions pba JOIN actions act ON act.id = pba.action_id
    WHERE pba.permission_block_id = pb.id))`

/** A role (alias `r`) with its linked block ids, oldest block first. */
export const roleObject = (sql: Statement.Constructor) => sql`json_build_object(
  'id', r.id, 'name', r.name, 'tenantId', r.tenant_id, 'description', r.description,
  'deletedAt', r.deleted_at, 'deletedBy', r.deleted_by, 'createdAt', r.created_at, 'updatedAt', r.updated_at,
  'permissionBlockIds', (
    SELECT COALESCE(json_agg(lb.id ORDER BY lb.created_at, lb.id), '[]'::json)
    FROM role_permission_blocks rpb JOIN permission_blocks lb ON lb.id = rpb.permission_block_id
    WHERE rpb.role_id = r.id))`

/** A role assignment (alias `ra`). */
export const assignmentObject = (sql: Statement.Constructor) => sql`json_build_object(
  'id', ra.id, 'tenantId', ra.tenant_id, 'subjectKind', ra.subject_kind, 'subjectId', ra.subject_id,
  'roleId', ra.role_id, 'createdAt', ra.created_at)`

/** A direct policy (alias `dp`). */
export const directPolicyObject = (sql: Statement.Constructor) => sql`json_build_object(
  'id', dp.id, 'tenantId', dp.tenant_id, 'subjectKind', dp.subject_kind, 'subjectId', dp.subject_id,
  'permissionBlockId', dp.permission_block_id, 'createdAt', dp.created_at)`

/**
 * A block (alias `pb`) as guardrails see it: scope, the real kind/type of an exact-object target
 * (resource, entity, either group, tenant; else null), its action names and, for platform and tenant
 * blocks, where each action applies (they cover every object of those kinds).
 */
export const guardrailBlockObject = (sql: Statement.Constructor) => sql`json_build_object(
  'scopeMode', pb.scope_mode, 'objectKind', pb.object_kind, 'objectType', pb.object_type,
  'target', CASE WHEN pb.scope_mode <> 'object' THEN NULL
    WHEN EXISTS (SELECT 1 FROM resources x WHERE x.id = pb.object_id) THEN
      (SELECT json_build_object('kind', 'resource', 'type', 'resource:' || x.kind) FROM resources x WHERE x.id = pb.object_id)
    WHEN EXISTS (SELECT 1 FROM entities x WHERE x.id = pb.object_id) THEN
      (SELECT json_build_object('kind', 'entity', 'type', 'entity:' || x.kind) FROM entities x WHERE x.id = pb.object_id)
    WHEN EXISTS (SELECT 1 FROM object_groups x WHERE x.id = pb.object_id)
      OR EXISTS (SELECT 1 FROM principal_groups x WHERE x.id = pb.object_id) THEN
      json_build_object('kind', 'group', 'type', NULL)
    WHEN EXISTS (SELECT 1 FROM tenants x WHERE x.id = pb.object_id) THEN json_build_object('kind', 'tenant', 'type', NULL)
  END,
  'actions', (
    SELECT COALESCE(json_agg(act.name ORDER BY act.name), '[]'::json)
    FROM permission_block_actions pba JOIN actions act ON act.id = pba.action_id
    WHERE pba.permission_block_id = pb.id),
  'covers', CASE WHEN pb.scope_mode NOT IN ('platform', 'tenant') THEN '[]'::json ELSE (
    SELECT COALESCE(json_agg(json_build_object('action', act.name, 'objectKind', aa.object_kind,
                                               'objectType', aa.object_type)
                             ORDER BY act.name, aa.object_kind, aa.object_type NULLS FIRST), '[]'::json)
    FROM permission_block_actions pba JOIN actions act ON act.id = pba.action_id
    JOIN action_applicability aa ON aa.action_id = act.id
    WHERE pba.permission_block_id = pb.id) END)`
