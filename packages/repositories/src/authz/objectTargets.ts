import type { Statement } from "@effect/sql"

/**
 * SQL fragment defining the CTEs `found` (one row per target that resolves, authz.md §2.3) and
 * `ancestors` (groups strictly above each object's direct container, either hierarchy, cycle-safe)
 * over a CTE `targets(ord int, kind text, id uuid)` that the caller defines first. The PDP treats
 * inactive entities and groups as missing; listings show them (`includeInactive`).
 */
export const foundObjects = (sql: Statement.Constructor, options: { readonly includeInactive: boolean }) => {
  const active = (alias: string) => sql.literal(options.includeInactive ? "" : `AND ${alias}.status <> 'inactive'`)
  return sql`
  hierarchy AS (
    SELECT child_id, parent_id, 'object' AS tree FROM object_group_hierarchy
    UNION ALL
    SELECT child_id, parent_id, 'principal' FROM principal_group_hierarchy
  ),
  found AS (
    SELECT t.ord, 'resource' AS kind, r.id, r.kind AS sub_kind, r.name, NULL AS group_type, r.tenant_id,
           ogr.group_id AS parent_group_id, 'object' AS tree, r.attributes
    FROM targets t
    JOIN resources r ON t.kind = 'resource' AND r.id = t.id AND r.deleted_at IS NULL
    LEFT JOIN object_group_resources ogr ON ogr.resource_id = r.id
    UNION ALL
    SELECT t.ord, 'entity', e.id, e.kind, e.name, NULL, e.tenant_id, oge.group_id, 'object', e.attributes
    FROM targets t
    JOIN entities e ON t.kind = 'entity' AND e.id = t.id AND e.deleted_at IS NULL ${active("e")}
    LEFT JOIN object_group_entities oge ON oge.entity_id = e.id
    UNION ALL
    SELECT t.ord, 'group', g.id, 'group', g.name, 'object', g.tenant_id, h.parent_id, 'object', g.attributes
    FROM targets t
    JOIN object_groups g ON t.kind = 'group' AND g.id = t.id AND g.deleted_at IS NULL ${active("g")}
    LEFT JOIN object_group_hierarchy h ON h.child_id = g.id
    UNION ALL
    SELECT t.ord, 'group', g.id, 'group', g.name, 'principal', g.tenant_id, h.parent_id, 'principal', g.attributes
    FROM targets t
    JOIN principal_groups g ON t.kind = 'group' AND g.id = t.id AND g.deleted_at IS NULL ${active("g")}
    LEFT JOIN principal_group_hierarchy h ON h.child_id = g.id
    UNION ALL
    SELECT t.ord, 'tenant', tn.id, 'tenant', tn.name, NULL, tn.id, NULL, NULL, tn.attributes
    FROM targets t
    JOIN tenants tn ON t.kind = 'tenant' AND tn.id = t.id
    UNION ALL
    SELECT t.ord, 'credential', c.id, c.kind, c.identifier, NULL, e.tenant_id, NULL, NULL, c.metadata
    FROM targets t
    JOIN credentials c ON t.kind = 'credential' AND c.id = t.id
    JOIN entities e ON e.id = c.entity_id
  ),
  ancestors AS (
    SELECT f.ord, f.tree, h.parent_id AS group_id, 1 AS depth, ARRAY[f.id, f.parent_group_id, h.parent_id] AS path
    FROM found f
    JOIN hierarchy h ON h.tree = f.tree AND h.child_id = f.parent_group_id
    UNION ALL
    SELECT a.ord, a.tree, h.parent_id, a.depth + 1, a.path || h.parent_id
    FROM ancestors a
    JOIN hierarchy h ON h.tree = a.tree AND h.child_id = a.group_id
    WHERE NOT h.parent_id = ANY (a.path)
  )`
}

/** SELECT-list fragment: `found` rows (alias f, tenant alias tn) as the JSON objects `ObjectJson` decodes. */
export const foundObjectJson = (sql: Statement.Constructor) => sql`
  json_build_object(
    'ord', f.ord, 'kind', f.kind, 'id', f.id, 'subKind', f.sub_kind, 'name', f.name, 'groupType', f.group_type,
    'tenantId', f.tenant_id,
    'tenant', CASE WHEN tn.id IS NULL THEN NULL ELSE json_build_object(
      'id', tn.id, 'status', tn.status, 'deleted', tn.deleted_at IS NOT NULL, 'attributes', tn.attributes) END,
    'parentGroupId', f.parent_group_id,
    'ancestorGroupIds', COALESCE(
      (SELECT json_agg(a.group_id ORDER BY a.depth) FROM ancestors a WHERE a.ord = f.ord), '[]'::json),
    'attributes', f.attributes)`
