export type { TenantServices } from "./TenantServices.js"
export * from "./tenantsModule.js"
