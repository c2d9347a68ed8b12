import { JsonObject } from "@atom/domain/authz"
import { Profile, ProfileVersion, Tenant, TenantMember } from "@atom/domain/tenants"
import { Schema } from "effect"

// jsonb columns are selected as `::text` and parsed here: the client's camelCase result transform
// would otherwise rename the keys inside attributes and schemas.
const JsonObjectText = Schema.parseJson(JsonObject)

export const TenantRow = Schema.Struct({
  ...Tenant.fields,
  tags: Schema.parseJson(Schema.Array(Schema.String)),
  attributes: JsonObjectText,
})

export const TENANT_COLUMNS = `t.id, t.name, t.alias, t.status, t.tags::text AS tags, t.attributes::text AS attributes,
  t.created_by, t.updated_by, t.deleted_at, t.deleted_by, t.created_at, t.updated_at`

export const TenantMemberRow = Schema.Struct({ ...TenantMember.fields, attributes: JsonObjectText })

export const MEMBER_COLUMNS = `e.id, e.kind, e.profile_id, e.profile_version_id, e.name, e.alias, e.tenant_id,
  oge.group_id AS parent_group_id, e.status, e.attributes::text AS attributes, e.deleted_at, e.deleted_by,
  e.created_at, e.updated_at`

export const ProfileRow = Profile

export const PROFILE_COLUMNS = `p.id, p.tenant_id, p.object_kind, p.kind, p.key, p.display_name, p.description,
  p.status, p.created_at, p.updated_at`

export const ProfileVersionRow = Schema.Struct({
  ...ProfileVersion.fields,
  jsonSchema: JsonObjectText,
  uiSchema: JsonObjectText,
})

export const PROFILE_VERSION_COLUMNS = `v.id, v.profile_id, v.version, v.json_schema::text AS json_schema,
  v.ui_schema::text AS ui_schema, v.status, v.created_at`

export const CountRow = Schema.Struct({ total: Schema.Number })

/** `%q%` for ILIKE with the pattern characters of q taken literally. */
export const likePattern = (q: string): string =>
  `%${q.replaceAll("\\", "\\\\").replaceAll("%", "\\%").replaceAll("_", "\\_")}%`
