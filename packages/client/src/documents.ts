import { type TypedDocument, typed } from "./TypedDocument.js"

// Documents for operations of Atom's GraphQL contract, with the shapes they select.

export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

export interface Tenant {
  readonly id: string
  readonly name: string
  readonly alias: string | null
  readonly status: string
}
export const CreateTenant: TypedDocument<
  { readonly createTenant: Tenant },
  { readonly input: { readonly name: string; readonly alias?: string; readonly attributes?: Json } }
> = typed(`mutation CreateTenant($input: CreateTenantInput!) { createTenant(input: $input) { id name alias status } }`)

export type EntityKind = "human" | "device" | "service" | "workload" | "application"
export interface Entity {
  readonly id: string
  readonly kind: EntityKind
  readonly name: string
  readonly tenantId: string | null
  readonly status: string
}
export const CreateEntity: TypedDocument<
  { readonly createEntity: Entity },
  {
    readonly input: {
      readonly name: string
      readonly kind?: EntityKind
      readonly tenantId?: string
      readonly alias?: string
      readonly attributes?: Json
    }
  }
> = typed(
  `mutation CreateEntity($input: CreateEntityInput!) { createEntity(input: $input) { id kind name tenantId status } }`,
)

export interface Role {
  readonly id: string
  readonly name: string
  readonly tenantId: string | null
}
export const CreateRole: TypedDocument<
  { readonly createRole: Role },
  { readonly input: { readonly name: string; readonly tenantId?: string; readonly description?: string } }
> = typed(`mutation CreateRole($input: CreateRoleInput!) { createRole(input: $input) { id name tenantId } }`)

export interface RoleAssignment {
  readonly id: string
  readonly subjectKind: "entity" | "group"
  readonly subjectId: string
  readonly roleId: string
}
export const CreateRoleAssignment: TypedDocument<
  { readonly createRoleAssignment: RoleAssignment },
  {
    readonly input: {
      readonly tenantId?: string
      readonly subjectKind: "entity" | "group"
      readonly subjectId: string
      readonly roleId: string
    }
  }
> = typed(
  `mutation CreateRoleAssignment($input: CreateRoleAssignmentInput!) { createRoleAssignment(input: $input) { id subjectKind subjectId roleId } }`,
)

export interface AuthzCheckInput {
  readonly subjectId: string
  readonly action: string
  readonly resourceId?: string
  readonly objectKind?: string
  readonly objectId?: string
  readonly context?: Json
}
export interface AuthzResponse {
  readonly allowed: boolean
  readonly reason: string
}
export const AuthzCheck: TypedDocument<{ readonly authzCheck: AuthzResponse }, { readonly input: AuthzCheckInput }> =
  typed(`mutation AuthzCheck($input: AuthzCheckInput!) { authzCheck(input: $input) { allowed reason } }`)

export interface IssuedCertificate {
  readonly certificate: {
    readonly credentialId: string
    readonly entityId: string
    readonly serialNumber: string
    readonly certificatePem: string
    readonly fingerprintSha256: string
    readonly expiresAt: string | null
  }
  readonly privateKeyPem: string | null
}
export const IssueCertificate: TypedDocument<
  { readonly issueCertificate: IssuedCertificate },
  {
    readonly input: {
      readonly entityId: string
      readonly ttlSecs?: number
      readonly commonName?: string
      readonly dnsNames?: ReadonlyArray<string>
      readonly ipAddresses?: ReadonlyArray<string>
    }
  }
> = typed(
  `mutation IssueCertificate($input: IssueCertificateInput!) { issueCertificate(input: $input) { certificate { credentialId entityId serialNumber certificatePem fingerprintSha256 expiresAt } privateKeyPem } }`,
)

export interface AuditLog {
  readonly id: string
  readonly actorEntityId: string | null
  readonly tenantId: string | null
  readonly targetKind: string | null
  readonly targetId: string | null
  readonly event: string
  readonly outcome: string
  readonly details: Json
  readonly createdAt: string
}
export interface AuditLogFilter {
  readonly actorEntityId?: string
  readonly tenantId?: string
  readonly targetKind?: string
  readonly targetId?: string
  readonly event?: string
  readonly limit?: number
  readonly offset?: number
}
export const AuditLogs: TypedDocument<
  { readonly auditLogs: { readonly items: ReadonlyArray<AuditLog>; readonly total: number } },
  AuditLogFilter
> = typed(
  `query AuditLogs($actorEntityId: ID, $tenantId: ID, $targetKind: String, $targetId: ID, $event: String, $limit: Int, $offset: Int) {
  auditLogs(actorEntityId: $actorEntityId, tenantId: $tenantId, targetKind: $targetKind, targetId: $targetId, event: $event, limit: $limit, offset: $offset) {
    items { id actorEntityId tenantId targetKind targetId event outcome details createdAt }
    total
  }
}`,
)
