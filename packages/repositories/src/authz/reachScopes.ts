import type { Statement } from "@effect/sql"
import type { ListingReach } from "./listObjectCandidates.js"

/**
 * CTEs (inside a `WITH RECURSIVE`) that each allow's scope test needs: `reach_scopes` (one row an allow),
 * `reach_hierarchy` (both group trees) and `reach_below` (groups strictly below the roots of descendant
 * scopes, cycle-safe). Pair with `withinReachScopes`.
 */
export const reachScopeCtes = (sql: Statement.Constructor, reach: ListingReach) => sql`
      reach_scopes AS (
        SELECT * FROM json_to_recordset(${JSON.stringify(reach.scopes ?? [])}::json)
          AS s(boundary uuid, mode text, "scopeTenant" uuid, kind text, "subKind" text, "objectId" uuid, "groupId" uuid)
      ),
      reach_hierarchy AS (
        SELECT child_id, parent_id FROM object_group_hierarchy
        UNION ALL
        SELECT child_id, parent_id FROM principal_group_hierarchy
      ),
      reach_below AS (
        SELECT h.parent_id AS root, h.child_id AS id, ARRAY[h.parent_id, h.child_id] AS path
        FROM reach_hierarchy h
        WHERE h.parent_id IN (SELECT "groupId" FROM reach_scopes
                              WHERE mode IN ('group_descendant_objects', 'group_descendant_groups'))
        UNION ALL
        SELECT b.root, h.child_id, b.path || h.child_id
        FROM reach_below b JOIN reach_hierarchy h ON h.parent_id = b.id
        WHERE NOT h.child_id = ANY (b.path)
      )`

/**
 * Whether candidate `c` (columns `kind`, `id`, `sub_kind`, `tenant_id`, `container`) falls in one of the
 * reach's allow scopes (authz.md §2.5–§2.6), tested in SQL; true when the reach carries no scopes. A superset
 * of what the engine allows (group-object kind/type filters are left to it), never less.
 */
export const withinReachScopes = (sql: Statement.Constructor, reach: ListingReach) => sql`
          (${reach.scopes === undefined}::boolean OR EXISTS (
            SELECT 1 FROM reach_scopes s
            WHERE (s.boundary IS NULL OR s.boundary = c.tenant_id)
              AND CASE s.mode
                WHEN 'platform' THEN true
                WHEN 'tenant' THEN c.tenant_id = s."scopeTenant"
                WHEN 'object_kind' THEN c.kind = s.kind
                WHEN 'object_type' THEN c.kind = s.kind AND c.sub_kind = s."subKind"
                WHEN 'object' THEN c.id = s."objectId"
                WHEN 'group' THEN c.kind = 'group' AND c.id = s."groupId"
                WHEN 'group_direct_objects' THEN c.kind <> 'group' AND c.container = s."groupId"
                WHEN 'group_descendant_objects' THEN c.kind <> 'group' AND EXISTS (
                  SELECT 1 FROM reach_below b WHERE b.root = s."groupId" AND b.id = c.container)
                WHEN 'group_child_groups' THEN c.kind = 'group' AND c.container = s."groupId"
                WHEN 'group_descendant_groups' THEN c.kind = 'group' AND (c.container = s."groupId" OR EXISTS (
                  SELECT 1 FROM reach_below b WHERE b.root = s."groupId" AND b.id = c.container))
                ELSE false
              END))`
