import { Schema } from "effect"

export const TenantStatus = Schema.Literal("active", "inactive", "frozen", "deleted")
export type TenantStatus = typeof TenantStatus.Type
