import { randomUUID } from "node:crypto"
import type { Caller } from "@atom/domain/identity"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

// Catalogue seeding by plain SQL, as the admin use cases would write it: every write that can change
// a decision bumps the authz revision in the same transaction.

type Write = Effect.Effect<void, unknown, SqlClient.SqlClient>

const write = <A>(f: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.withTransaction(Effect.zipLeft(f(sql), bumpAuthzRevision))).pipe(
    Effect.orDie,
  )

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`
const json = (value: unknown) => JSON.stringify(value ?? {})

export const ADMIN = "00000000-0000-0000-0000-000000000001"

export interface TenantSpec {
  readonly status?: "active" | "inactive" | "frozen"
  readonly attributes?: Record<string, unknown>
}

export const tenant = (spec: TenantSpec = {}) =>
  write((sql) => {
    const id = randomUUID()
    return Effect.as(
      sql`INSERT INTO tenants (id, name, status, attributes)
          VALUES (${id}, ${unique("tenant")}, ${spec.status ?? "active"}, ${json(spec.attributes)}::jsonb)`,
      id,
    )
  })

export interface EntitySpec {
  readonly tenantId?: string | null
  readonly status?: "active" | "inactive" | "suspended"
  readonly attributes?: Record<string, unknown>
  readonly name?: string
}

export const entity = (kind: "human" | "device" | "service" | "workload" | "application", spec: EntitySpec = {}) =>
  write((sql) => {
    const id = randomUUID()
    return Effect.as(
      sql`INSERT INTO entities (id, kind, name, tenant_id, status, attributes)
          VALUES (${id}, ${kind}, ${spec.name ?? unique(kind)}, ${spec.tenantId ?? null}, ${spec.status ?? "active"},
                  ${json(spec.attributes)}::jsonb)`,
      id,
    )
  })

export const resource = (
  kind: string,
  spec: { readonly tenantId?: string | null; readonly attributes?: Record<string, unknown> } = {},
) =>
  write((sql) => {
    const id = randomUUID()
    return Effect.as(
      sql`INSERT INTO resources (id, kind, name, tenant_id, attributes)
          VALUES (${id}, ${kind}, ${unique(kind)}, ${spec.tenantId ?? null}, ${json(spec.attributes)}::jsonb)`,
      id,
    )
  })

const group = (table: "object_groups" | "principal_groups", tenantId: string | null, parentId?: string) =>
  write((sql) => {
    const id = randomUUID()
    const hierarchy = table === "object_groups" ? "object_group_hierarchy" : "principal_group_hierarchy"
    return sql`INSERT INTO ${sql(table)} (id, name, tenant_id) VALUES (${id}, ${unique("group")}, ${tenantId})`.pipe(
      Effect.zipRight(
        parentId === undefined
          ? Effect.void
          : sql`INSERT INTO ${sql(hierarchy)} (child_id, parent_id, tenant_id) VALUES (${id}, ${parentId}, ${tenantId})`,
      ),
      Effect.as(id),
    )
  })

export const objectGroup = (tenantId: string, parentId?: string) => group("object_groups", tenantId, parentId)
export const principalGroup = (tenantId: string | null, parentId?: string) =>
  group("principal_groups", tenantId, parentId)

export const addMember = (groupId: string, entityId: string): Write =>
  write((sql) => sql`INSERT INTO principal_group_members (group_id, entity_id) VALUES (${groupId}, ${entityId})`)

export const placeEntity = (entityId: string, groupId: string, tenantId: string): Write =>
  write(
    (sql) =>
      sql`INSERT INTO object_group_entities (entity_id, group_id, tenant_id) VALUES (${entityId}, ${groupId}, ${tenantId})`,
  )

export const placeResource = (resourceId: string, groupId: string, tenantId: string): Write =>
  write(
    (sql) =>
      sql`INSERT INTO object_group_resources (resource_id, group_id, tenant_id) VALUES (${resourceId}, ${groupId}, ${tenantId})`,
  )

export const membership = (tenantId: string, entityId: string, status = "active"): Write =>
  write(
    (sql) =>
      sql`INSERT INTO tenant_memberships (tenant_id, entity_id, status) VALUES (${tenantId}, ${entityId}, ${status})`,
  )

export interface BlockSpec {
  readonly tenantId?: string | null
  readonly scopeMode: string
  readonly objectKind?: string
  readonly objectType?: string
  readonly objectId?: string
  readonly groupId?: string
  readonly effect?: "allow" | "deny"
  readonly conditions?: Record<string, unknown>
  readonly actions: ReadonlyArray<string>
}

export const block = (spec: BlockSpec) =>
  write((sql) => {
    const id = randomUUID()
    return sql`INSERT INTO permission_blocks
                 (id, tenant_id, scope_mode, object_kind, object_type, object_id, group_id, effect, conditions)
               VALUES (${id}, ${spec.tenantId ?? null}, ${spec.scopeMode}, ${spec.objectKind ?? null},
                       ${spec.objectType ?? null}, ${spec.objectId ?? null}, ${spec.groupId ?? null},
                       ${spec.effect ?? "allow"}, ${json(spec.conditions)}::jsonb)`.pipe(
      Effect.zipRight(
        sql`INSERT INTO permission_block_actions (permission_block_id, action_id)
            SELECT ${id}, a.id FROM actions a
            WHERE a.name IN (SELECT value FROM json_array_elements_text(${JSON.stringify(spec.actions)}::json))`,
      ),
      Effect.as(id),
    )
  })

export const role = (tenantId: string | null, blockIds: ReadonlyArray<string>, name = unique("role")) =>
  write((sql) => {
    const id = randomUUID()
    return sql`INSERT INTO roles (id, name, tenant_id) VALUES (${id}, ${name}, ${tenantId})`.pipe(
      Effect.zipRight(
        Effect.forEach(
          blockIds,
          (b) => sql`INSERT INTO role_permission_blocks (role_id, permission_block_id) VALUES (${id}, ${b})`,
        ),
      ),
      Effect.as(id),
    )
  })

export interface SubjectRef {
  readonly kind: "entity" | "group"
  readonly id: string
}

export const assignRole = (roleId: string, subject: SubjectRef, tenantId: string | null) =>
  write((sql) => {
    const id = randomUUID()
    return Effect.as(
      sql`INSERT INTO role_assignments (id, tenant_id, subject_kind, subject_id, role_id)
          VALUES (${id}, ${tenantId}, ${subject.kind}, ${subject.id}, ${roleId})`,
      id,
    )
  })

export const directPolicy = (blockId: string, subject: SubjectRef, tenantId: string | null) =>
  write((sql) => {
    const id = randomUUID()
    return Effect.as(
      sql`INSERT INTO direct_policies (id, tenant_id, subject_kind, subject_id, permission_block_id)
          VALUES (${id}, ${tenantId}, ${subject.kind}, ${subject.id}, ${blockId})`,
      id,
    )
  })

/** A block granted by direct policy, bounded to the block's tenant; returns the policy id. */
export const grant = (subject: SubjectRef, spec: BlockSpec) =>
  Effect.flatMap(block(spec), (blockId) => directPolicy(blockId, subject, spec.tenantId ?? null))

/** A role holding the blocks, assigned to the subject in the role's tenant; returns the role id. */
export const grantRole = (subject: SubjectRef, tenantId: string | null, specs: ReadonlyArray<BlockSpec>) =>
  Effect.gen(function* () {
    const blocks = yield* Effect.forEach(specs, block)
    const roleId = yield* role(tenantId, blocks)
    yield* assignRole(roleId, subject, tenantId)
    return roleId
  })

/** Any other write, in a transaction with the revision bump. */
export const change = (f: (sql: SqlClient.SqlClient) => Effect.Effect<unknown, unknown>): Write => write(f)

/** A write that forgets the bump: the cache must not notice it (documents the contract). */
export const changeWithoutBump = (f: (sql: SqlClient.SqlClient) => Effect.Effect<unknown, unknown>): Write =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.asVoid(f(sql))).pipe(Effect.orDie)

/** A scoped access token of the entity with ceiling entries; returns its credential id. */
export const scopedToken = (
  entityId: string,
  entries: ReadonlyArray<{
    readonly scopeMode: string
    readonly tenantId?: string | null
    readonly objectKind?: string
    readonly objectType?: string
    readonly objectId?: string
    readonly actions: ReadonlyArray<string>
  }>,
) =>
  write((sql) => {
    const id = randomUUID()
    return sql`INSERT INTO credentials (id, entity_id, kind, identifier, secret_hash, scoped)
               VALUES (${id}, ${entityId}, 'access_token', ${`atom_${id.slice(0, 8)}`}, 'x', true)`.pipe(
      Effect.zipRight(
        Effect.forEach(entries, (entry, ordinal) => {
          const limitId = randomUUID()
          return sql`INSERT INTO credential_permission_limits
                       (id, credential_id, ordinal, scope_mode, tenant_id, object_kind, object_type, object_id)
                     VALUES (${limitId}, ${id}, ${ordinal}, ${entry.scopeMode}, ${entry.tenantId ?? null},
                             ${entry.objectKind ?? null}, ${entry.objectType ?? null}, ${entry.objectId ?? null})`.pipe(
            Effect.zipRight(
              sql`INSERT INTO credential_permission_limit_actions (limit_id, action_id)
                  SELECT ${limitId}, a.id FROM actions a
                  WHERE a.name IN (SELECT value FROM json_array_elements_text(${JSON.stringify(entry.actions)}::json))`,
            ),
          )
        }),
      ),
      Effect.as(id),
    )
  })

/** A caller as the Authenticator would prove it. */
export const callerOf = (
  entityId: string,
  options: { readonly tenantId?: string | null; readonly scopedCredentialId?: string } = {},
): Caller => ({
  entityId,
  tenantId: options.tenantId ?? null,
  sessionId: options.scopedCredentialId === undefined ? randomUUID() : null,
  credentialId: options.scopedCredentialId ?? null,
  tokenKind: options.scopedCredentialId === undefined ? "jwt" : "access_token",
  scoped: options.scopedCredentialId !== undefined,
  expiresAt: null,
})

export const entityRef = (id: string): SubjectRef => ({ kind: "entity", id })
export const groupRef = (id: string): SubjectRef => ({ kind: "group", id })
