import type { Profile, ProfileVersion } from "@atom/domain/tenants"
import { graphqlTime, graphqlTimeOrNull } from "../time.js"

/** The contract's `Profile`. */
export const encodeProfile = (p: Profile) => ({
  id: p.id,
  tenantId: p.tenantId,
  objectKind: p.objectKind,
  kind: p.kind,
  key: p.key,
  displayName: p.displayName,
  description: p.description,
  status: p.status,
  createdAt: graphqlTime(p.createdAt),
  updatedAt: graphqlTimeOrNull(p.updatedAt),
})

/** The contract's `ProfileVersion`. */
export const encodeProfileVersion = (v: ProfileVersion) => ({
  id: v.id,
  profileId: v.profileId,
  version: v.version,
  jsonSchema: v.jsonSchema,
  uiSchema: v.uiSchema,
  status: v.status,
  createdAt: graphqlTime(v.createdAt),
})
