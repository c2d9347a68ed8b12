import { JsonObject } from "@atom/domain/authz"
import { Resource } from "@atom/domain/resources"
import { Schema } from "effect"

/** A resource row as selected by `RESOURCE_COLUMNS`, attributes as text (see EntityRow). */
export const ResourceRow = Schema.Struct({ ...Resource.fields, attributes: Schema.parseJson(JsonObject) })

export const RESOURCE_COLUMNS = `r.id, r.kind, r.name, r.alias, r.tenant_id, r.owner_id, ogr.group_id AS parent_group_id,
  r.attributes::text AS attributes, r.deleted_at, r.deleted_by, r.created_at, r.updated_at`

export const RESOURCE_FROM = `resources r LEFT JOIN object_group_resources ogr ON ogr.resource_id = r.id`
