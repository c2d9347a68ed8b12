import { hashSql, idSql } from "./ids.js"
import { type DatasetSizes, MAX_GROUP_DEPTH, ROLES_PER_TENANT } from "./sizes.js"

/** One set-based statement of the generator, with a label for timings. */
export interface DatasetStatement {
  readonly label: string
  readonly sql: string
}

/** The seeded `authenticated-users` principal group (migrations/0008_seed.sql): every live human joins it. */
export const AUTHENTICATED_USERS = "00000000-0000-0000-0000-000000000005"

/** The conditions a conditional block gets, in turn (every 10th block carries one: 10 %). */
export const CONDITIONS: ReadonlyArray<string> = [
  `{"entity.attributes.tier": {"in": ["gold", "silver"]}}`,
  `{"object.attributes.level": {"gte": 3}}`,
  `{"context.env": "prod"}`,
]

/**
 * The blocks of each tenant's four roles: (role k, slot s) → scope. `groupLevel` names the tenant's object
 * group chain 0 at that level (local index 0 or 1); `objectResource` the tenant's first resource.
 */
export const ROLE_BLOCKS: ReadonlyArray<{
  readonly k: number
  readonly s: number
  readonly mode: string
  readonly effect: "allow" | "deny"
  readonly objectKind: string | null
  readonly objectType: string | null
  readonly groupLocal: number | null
}> = [
  {
    k: 0,
    s: 0,
    mode: "object_type",
    effect: "allow",
    objectKind: "resource",
    objectType: "resource:channel",
    groupLocal: null,
  },
  {
    k: 0,
    s: 1,
    mode: "group_descendant_objects",
    effect: "allow",
    objectKind: "resource",
    objectType: "resource:report",
    groupLocal: 0,
  },
  {
    k: 1,
    s: 0,
    mode: "group_direct_objects",
    effect: "allow",
    objectKind: "resource",
    objectType: "resource:rule",
    groupLocal: 1,
  },
  { k: 1, s: 1, mode: "group_descendant_groups", effect: "allow", objectKind: null, objectType: null, groupLocal: 0 },
  {
    k: 1,
    s: 2,
    mode: "object_type",
    effect: "deny",
    objectKind: "resource",
    objectType: "resource:alarm",
    groupLocal: null,
  },
  { k: 2, s: 0, mode: "tenant", effect: "allow", objectKind: null, objectType: null, groupLocal: null },
  { k: 2, s: 1, mode: "object_kind", effect: "allow", objectKind: "entity", objectType: null, groupLocal: null },
  { k: 3, s: 0, mode: "group", effect: "allow", objectKind: null, objectType: null, groupLocal: 0 },
  { k: 3, s: 1, mode: "group_child_groups", effect: "allow", objectKind: null, objectType: null, groupLocal: 0 },
  { k: 3, s: 2, mode: "object", effect: "allow", objectKind: null, objectType: null, groupLocal: null },
]

/**
 * The actions of every block the generator writes, by (scope mode, object type); each is applicable to what the
 * block targets (authz.md §3.3), and none is a write/delete/manage on resources, so no guardrail is crossed.
 */
const BLOCK_ACTIONS: ReadonlyArray<readonly [string, string | null, string]> = [
  ["platform", null, "read"],
  ["tenant", null, "read"],
  ["object_kind", null, "read"],
  ["object_type", "resource:channel", "read"],
  ["object_type", "resource:channel", "subscribe"],
  ["object_type", "resource:alarm", "read"],
  ["object_type", "entity:device", "read"],
  ["object_type", "entity:device", "write"],
  ["object", null, "read"],
  ["group", null, "read"],
  ["group_child_groups", null, "read"],
  ["group_descendant_groups", null, "read"],
  ["group_direct_objects", "resource:rule", "execute"],
  ["group_direct_objects", "resource:rule", "read"],
  ["group_direct_objects", "resource:channel", "publish"],
  ["group_direct_objects", "resource:channel", "subscribe"],
  ["group_descendant_objects", "resource:report", "read"],
  ["group_descendant_objects", "resource:rule", "execute"],
  ["group_descendant_objects", "resource:rule", "read"],
]

const lit = (s: string | null) => (s === null ? "NULL" : `'${s.replaceAll("'", "''")}'`)

/**
 * The generator's statements, in order: plain INSERT … SELECT over generate_series, each computing ids and
 * choices from md5 of the seed (ids.ts), so the same seed and scale give the same rows on Postgres and PGlite.
 * Run them in one transaction; the last one bumps `authz_revision`.
 *
 * Layout (row n of a kind is `datasetId(seed, kind, n)`):
 * - tenants `t` 0…T-1.
 * - entities `e` 0…E-1: the first `humans` are global humans, active members of tenants i % T and (7i + 3) % T;
 *   the rest are machines owned by tenant (i - humans) % T; every entity with i % 100 = 99 is suspended and
 *   takes part in no membership, group or grant.
 * - object groups `og` and principal groups `pg` j: tenant j % T, local index l = j / T, in chains of six
 *   levels (level l % 6); a group above level 0 has the group at the level above in chain
 *   hash % (l / 6 + 1) as its parent, so parents always have smaller indexes (no cycles) and depth ≤ 6.
 * - resources `res` r: tenant r % T; 80 % sit in an object group of their tenant.
 * - roles `role` t·4 + k (the four of ROLE_BLOCKS) and one platform role; blocks `rb`, `pb`; assignments
 *   `ra`, direct policies `dp`.
 */
export const datasetStatements = (seed: number, z: DatasetSizes): ReadonlyArray<DatasetStatement> => {
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31) throw new Error("seed must be a whole number ≥ 0")
  const T = z.tenants
  const HU = z.humans
  const id = (kind: string, expr: string) => idSql(seed, kind, expr)
  const hash = (kind: string, expr: string) => hashSql(seed, kind, expr)
  // how many groups / resources tenant t has (indexes j ≡ t mod T below the count)
  const perTenant = (count: number, t: string) => `((${count} - 1 - (${t})) / ${T} + 1)`
  const groupOf = (prefix: string, count: number, t: string, hashKind: string, key: string) =>
    id(prefix, `(${hash(hashKind, key)} % ${perTenant(count, t)}) * ${T} + (${t})`)
  const active = (i: string) => `(${i}) % 100 <> 99`
  // an entity index turned active (a suspended pick becomes its active neighbour)
  const activeEntity = (pick: string) => `CASE WHEN (${pick}) % 100 = 99 THEN (${pick}) - 1 ELSE (${pick}) END`
  const entityTenant = (i: string) => `CASE WHEN (${i}) < ${HU} THEN (${i}) % ${T} ELSE ((${i}) - ${HU}) % ${T} END`
  const conditions = (ordinal: string) =>
    `CASE WHEN (${ordinal}) % 10 = 0 THEN (ARRAY[${CONDITIONS.map((c) => `'${c}'`).join(", ")}])[1 + ((${ordinal}) / 10) % ${CONDITIONS.length}]::jsonb ELSE '{}'::jsonb END`

  const groups = (prefix: "og" | "pg", table: string, count: number): ReadonlyArray<DatasetStatement> => [
    {
      label: table,
      sql: `INSERT INTO ${table} (id, name, tenant_id, attributes)
        SELECT ${id(prefix, "j")}, 'bench-${prefix}-' || (j / ${T}), ${id("t", `j % ${T}`)},
               jsonb_build_object('level', (j / ${T}) % ${MAX_GROUP_DEPTH})
        FROM generate_series(0, ${count - 1}) AS j`,
    },
    {
      label: `${table.replace("_groups", "_group")}_hierarchy`,
      sql: `INSERT INTO ${table.replace("_groups", "_group")}_hierarchy (child_id, parent_id, tenant_id)
        SELECT ${id(prefix, "j")},
               ${id(prefix, `(${MAX_GROUP_DEPTH} * (${hash(`${prefix}-parent`, "j")} % (l / ${MAX_GROUP_DEPTH} + 1)) + l % ${MAX_GROUP_DEPTH} - 1) * ${T} + j % ${T}`)},
               ${id("t", `j % ${T}`)}
        FROM (SELECT j, j / ${T} AS l FROM generate_series(0, ${count - 1}) AS j) g
        WHERE l % ${MAX_GROUP_DEPTH} > 0`,
    },
  ]

  const roleBlockValues = ROLE_BLOCKS.map(
    (b) =>
      `(${b.k}, ${b.s}, ${lit(b.mode)}, ${lit(b.effect)}, ${lit(b.objectKind)}, ${lit(b.objectType)}, ${b.groupLocal ?? "NULL"}::int)`,
  ).join(",\n          ")
  const roleBlockOrdinal = `(t * ${ROLES_PER_TENANT} + rb.k) * 3 + rb.s`

  return [
    {
      label: "tenants",
      sql: `INSERT INTO tenants (id, name, alias, attributes)
        SELECT ${id("t", "i")}, 'bench-tenant-' || i, 'bench-t' || i,
               jsonb_build_object('region', (ARRAY['eu', 'us', 'ap'])[1 + i % 3], 'n', i)
        FROM generate_series(0, ${T - 1}) AS i`,
    },
    {
      label: "entities",
      sql: `INSERT INTO entities (id, kind, name, tenant_id, status, attributes)
        SELECT ${id("e", "i")},
               CASE WHEN i < ${HU} THEN 'human'
                    ELSE (ARRAY['device', 'service', 'workload', 'application'])[1 + i % 4] END,
               CASE WHEN i < ${HU} THEN 'bench-human-' || i ELSE 'bench-machine-' || i END,
               CASE WHEN i < ${HU} THEN NULL ELSE ${id("t", `(i - ${HU}) % ${T}`)} END,
               CASE WHEN ${active("i")} THEN 'active' ELSE 'suspended' END,
               jsonb_build_object('tier', (ARRAY['gold', 'silver', 'bronze'])[1 + i % 3], 'n', i)
        FROM generate_series(0, ${z.entities - 1}) AS i`,
    },
    {
      label: "tenant_memberships",
      sql: `INSERT INTO tenant_memberships (tenant_id, entity_id, status)
        SELECT DISTINCT ${id("t", "m.t")}, ${id("e", "h.i")}, 'active'
        FROM generate_series(0, ${HU - 1}) AS h(i)
        CROSS JOIN LATERAL (VALUES (h.i % ${T}), ((h.i * 7 + 3) % ${T})) AS m(t)
        WHERE ${active("h.i")}`,
    },
    ...groups("og", "object_groups", z.objectGroups),
    ...groups("pg", "principal_groups", z.principalGroups),
    {
      label: "principal_group_members",
      sql: `INSERT INTO principal_group_members (group_id, entity_id)
        SELECT ${groupOf("pg", z.principalGroups, "s.t", "pg-member", "s.i")}, ${id("e", "s.i")}
        FROM (SELECT i, ${entityTenant("i")} AS t FROM generate_series(0, ${z.entities - 1}) AS i) s
        WHERE ${active("s.i")} AND (s.i < ${HU} OR s.i % 10 < 7)
        UNION ALL
        SELECT '${AUTHENTICATED_USERS}'::uuid, ${id("e", "i")}
        FROM generate_series(0, ${HU - 1}) AS i
        WHERE ${active("i")}`,
    },
    {
      label: "object_group_entities",
      sql: `INSERT INTO object_group_entities (entity_id, group_id, tenant_id)
        SELECT ${id("e", "s.i")}, ${groupOf("og", z.objectGroups, "s.t", "og-entity", "s.i")}, ${id("t", "s.t")}
        FROM (SELECT i, (i - ${HU}) % ${T} AS t FROM generate_series(${HU}, ${z.entities - 1}) AS i) s
        WHERE s.i % 10 >= 7`,
    },
    {
      label: "resources",
      sql: `INSERT INTO resources (id, kind, name, tenant_id, attributes)
        SELECT ${id("res", "r")}, (ARRAY['channel', 'rule', 'report', 'alarm'])[1 + ${hash("res-kind", "r")} % 4],
               'bench-res-' || r, ${id("t", `r % ${T}`)}, jsonb_build_object('level', r % 10)
        FROM generate_series(0, ${z.resources - 1}) AS r`,
    },
    {
      label: "object_group_resources",
      sql: `INSERT INTO object_group_resources (resource_id, group_id, tenant_id)
        SELECT ${id("res", "s.r")}, ${groupOf("og", z.objectGroups, "s.t", "og-resource", "s.r")}, ${id("t", "s.t")}
        FROM (SELECT r, r % ${T} AS t FROM generate_series(0, ${z.resources - 1}) AS r) s
        WHERE ${hash("res-contained", "s.r")} % 10 < 8`,
    },
    {
      label: "roles",
      sql: `INSERT INTO roles (id, name, tenant_id, description)
        SELECT ${id("role", `t * ${ROLES_PER_TENANT} + k`)},
               (ARRAY['channel-reader', 'rule-operator', 'tenant-reader', 'group-auditor'])[k + 1],
               ${id("t", "t")}, 'generated by bench/dataset'
        FROM generate_series(0, ${T - 1}) AS t CROSS JOIN generate_series(0, ${ROLES_PER_TENANT - 1}) AS k
        UNION ALL
        SELECT ${id("role", "'platform'")}, 'bench-platform-reader', NULL, 'generated by bench/dataset'`,
    },
    {
      label: "permission_blocks (roles)",
      sql: `INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_kind, object_type, object_id, group_id, effect, conditions)
        SELECT ${id("rb", roleBlockOrdinal)}, ${id("t", "t")}, rb.mode, rb.object_kind, rb.object_type,
               CASE WHEN rb.mode = 'object' THEN ${id("res", "t")} END,
               CASE WHEN rb.group_local IS NOT NULL THEN ${id("og", `rb.group_local * ${T} + t`)} END,
               rb.effect, ${conditions(roleBlockOrdinal)}
        FROM generate_series(0, ${T - 1}) AS t
        CROSS JOIN (VALUES
          ${roleBlockValues}
        ) AS rb(k, s, mode, effect, object_kind, object_type, group_local)
        UNION ALL
        SELECT ${id("rb", "'platform'")}, NULL, 'platform', NULL, NULL, NULL, NULL, 'allow', '{}'::jsonb`,
    },
    {
      label: "role_permission_blocks",
      sql: `INSERT INTO role_permission_blocks (role_id, permission_block_id)
        SELECT ${id("role", `t * ${ROLES_PER_TENANT} + rb.k`)}, ${id("rb", roleBlockOrdinal)}
        FROM generate_series(0, ${T - 1}) AS t
        CROSS JOIN (VALUES ${ROLE_BLOCKS.map((b) => `(${b.k}, ${b.s})`).join(", ")}) AS rb(k, s)
        UNION ALL
        SELECT ${id("role", "'platform'")}, ${id("rb", "'platform'")}`,
    },
    {
      label: "role_assignments",
      sql: `INSERT INTO role_assignments (id, tenant_id, subject_kind, subject_id, role_id)
        SELECT ${id("ra", "a")}, ${id("t", "x.t")}, x.kind, x.subject, ${id("role", `x.t * ${ROLES_PER_TENANT} + ${hash("ra-role", "x.a")} % ${ROLES_PER_TENANT}`)}
        FROM (
          SELECT a, CASE WHEN e.is_entity THEN 'entity' ELSE 'group' END AS kind,
                 CASE WHEN e.is_entity THEN ${id("e", "e.i")} ELSE ${id("pg", "e.j")} END AS subject,
                 CASE WHEN e.is_entity THEN ${entityTenant("e.i")} ELSE e.j % ${T} END AS t
          FROM generate_series(0, ${z.roleAssignments - 1}) AS a
          CROSS JOIN LATERAL (SELECT ${hash("ra-kind", "a")} % 4 < 3 AS is_entity,
                                     ${activeEntity(`${hash("ra-subject", "a")} % ${z.entities}`)} AS i,
                                     ${hash("ra-subject", "a")} % ${z.principalGroups} AS j) AS e
        ) x
        UNION ALL
        SELECT ${id("ra", "'platform-' || i")}, NULL, 'entity', ${id("e", "i")}, ${id("role", "'platform'")}
        FROM generate_series(0, ${z.platformAssignments - 1}) AS i`,
    },
    {
      label: "direct policy plan",
      sql: `CREATE TEMP TABLE bench_direct_policies ON COMMIT DROP AS
        SELECT d, x.kind, x.subject, x.t, ${hash("dp-mode", "d")} % 5 AS mode, ${hash("dp-target", "d")} AS target
        FROM (
          SELECT d, CASE WHEN e.is_entity THEN 'entity' ELSE 'group' END AS kind,
                 CASE WHEN e.is_entity THEN ${id("e", "e.i")} ELSE ${id("pg", "e.j")} END AS subject,
                 CASE WHEN e.is_entity THEN ${entityTenant("e.i")} ELSE e.j % ${T} END AS t
          FROM generate_series(0, ${z.directPolicies - 1}) AS d
          CROSS JOIN LATERAL (SELECT ${hash("dp-kind", "d")} % 5 < 4 AS is_entity,
                                     ${activeEntity(`${hash("dp-subject", "d")} % ${z.entities}`)} AS i,
                                     ${hash("dp-subject", "d")} % ${z.principalGroups} AS j) AS e
        ) x`,
    },
    {
      label: "permission_blocks (direct policies)",
      sql: `INSERT INTO permission_blocks (id, tenant_id, scope_mode, object_kind, object_type, object_id, group_id, effect, conditions)
        SELECT ${id("pb", "p.d")}, ${id("t", "p.t")},
               (ARRAY['object', 'group_direct_objects', 'object_type', 'group_descendant_objects', 'object_kind'])[p.mode + 1],
               CASE p.mode WHEN 0 THEN NULL WHEN 2 THEN 'entity' ELSE 'resource' END,
               CASE p.mode WHEN 1 THEN 'resource:channel' WHEN 2 THEN 'entity:device' WHEN 3 THEN 'resource:rule' END,
               CASE WHEN p.mode = 0 THEN ${id("res", `(p.target % ${perTenant(z.resources, "p.t")}) * ${T} + p.t`)} END,
               CASE WHEN p.mode IN (1, 3) THEN ${id("og", `(p.target % ${perTenant(z.objectGroups, "p.t")}) * ${T} + p.t`)} END,
               CASE WHEN p.d % 20 = 7 THEN 'deny' ELSE 'allow' END,
               ${conditions("p.d")}
        FROM bench_direct_policies p`,
    },
    {
      label: "direct_policies",
      sql: `INSERT INTO direct_policies (id, tenant_id, subject_kind, subject_id, permission_block_id)
        SELECT ${id("dp", "p.d")}, ${id("t", "p.t")}, p.kind, p.subject, ${id("pb", "p.d")}
        FROM bench_direct_policies p`,
    },
    {
      label: "permission_block_actions",
      sql: `INSERT INTO permission_block_actions (permission_block_id, action_id)
        SELECT b.id, a.id
        FROM permission_blocks b
        JOIN (VALUES ${BLOCK_ACTIONS.map(([m, t, a]) => `(${lit(m)}, ${lit(t)}, ${lit(a)})`).join(", ")})
          AS m(mode, object_type, action) ON m.mode = b.scope_mode AND m.object_type IS NOT DISTINCT FROM b.object_type
        JOIN actions a ON a.name = m.action
        WHERE NOT EXISTS (SELECT 1 FROM permission_block_actions x WHERE x.permission_block_id = b.id)`,
    },
    { label: "authz_revision", sql: "UPDATE authz_revision SET revision = revision + 1, updated_at = now()" },
  ]
}

/** Fresh planner statistics for the tables the generator filled (run after the transaction commits). */
export const ANALYZE_TABLES: ReadonlyArray<string> = [
  "tenants",
  "entities",
  "tenant_memberships",
  "object_groups",
  "object_group_hierarchy",
  "principal_groups",
  "principal_group_hierarchy",
  "principal_group_members",
  "object_group_entities",
  "resources",
  "object_group_resources",
  "roles",
  "permission_blocks",
  "permission_block_actions",
  "role_permission_blocks",
  "role_assignments",
  "direct_policies",
]
