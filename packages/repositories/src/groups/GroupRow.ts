import { JsonObject } from "@atom/domain/authz"
import { Group, type GroupType } from "@atom/domain/groups"
import { Schema } from "effect"

/** A group row as selected from `GROUPS_FROM`, attributes as text (see EntityRow). */
export const GroupRow = Schema.Struct({ ...Group.fields, attributes: Schema.parseJson(JsonObject) })

/** Both group tables as one relation `g`, each row with its type and parent. */
export const GROUPS_FROM = `(
  SELECT og.id, og.name, og.tenant_id, 'object'::text AS group_type, og.description, h.parent_id, og.status,
         og.attributes, og.deleted_at, og.deleted_by, og.created_at, og.updated_at
  FROM object_groups og LEFT JOIN object_group_hierarchy h ON h.child_id = og.id
  UNION ALL
  SELECT pg.id, pg.name, pg.tenant_id, 'principal'::text, pg.description, h.parent_id, pg.status,
         pg.attributes, pg.deleted_at, pg.deleted_by, pg.created_at, pg.updated_at
  FROM principal_groups pg LEFT JOIN principal_group_hierarchy h ON h.child_id = pg.id
) g`

export const GROUP_COLUMNS = `g.id, g.name, g.tenant_id, g.group_type, g.description, g.parent_id, g.status,
  g.attributes::text AS attributes, g.deleted_at, g.deleted_by, g.created_at, g.updated_at`

/** The tables of one group type (fixed names, never input). */
export const groupTables = (type: GroupType) =>
  type === "object"
    ? { groups: "object_groups", hierarchy: "object_group_hierarchy" }
    : { groups: "principal_groups", hierarchy: "principal_group_hierarchy" }
