import { JsonObject } from "@atom/domain/authz"
import { Entity } from "@atom/domain/entities"
import { Schema } from "effect"

/**
 * An entity row as selected by `ENTITY_COLUMNS`: attributes arrive as text, since the client's
 * camelCase result transform would otherwise rewrite the keys inside them.
 */
export const EntityRow = Schema.Struct({ ...Entity.fields, attributes: Schema.parseJson(JsonObject) })

export const ENTITY_COLUMNS = `e.id, e.kind, e.profile_id, e.profile_version_id, e.name, e.alias, e.tenant_id,
  oge.group_id AS parent_group_id, e.status, e.attributes::text AS attributes,
  e.deleted_at, e.deleted_by, e.created_at, e.updated_at`

export const ENTITY_FROM = `entities e LEFT JOIN object_group_entities oge ON oge.entity_id = e.id`
