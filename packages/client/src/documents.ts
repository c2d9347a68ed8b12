import { Schema } from "effect"
import {
  AuditLogFilter,
  AuthzCheckInput,
  ById,
  CreateEntityInput,
  CreateRoleAssignmentInput,
  CreateRoleInput,
  CreateTenantInput,
  EntityFilter,
  IssueCertificateInput,
  RoleFilter,
  TenantFilter,
} from "./contractInputs.js"
import {
  AuditLog,
  AuthzResponse,
  Entity,
  IssuedCertificate,
  ListOf,
  Role,
  RoleAssignment,
  Tenant,
} from "./contractTypes.js"
import { typed } from "./TypedDocument.js"

// Documents for operations of Atom's GraphQL contract: the query, the schema of what it selects and
// the schema of its variables.

const Input = <A>(input: Schema.Schema<A>) => Schema.Struct({ input })

export const Health = typed(
  "Health",
  "query Health { health }",
  Schema.Struct({ health: Schema.String }),
  Schema.Struct({}),
)

export const CreateTenant = typed(
  "CreateTenant",
  "mutation CreateTenant($input: CreateTenantInput!) { createTenant(input: $input) { id name alias status } }",
  Schema.Struct({ createTenant: Tenant }),
  Input(CreateTenantInput),
)

export const GetTenant = typed(
  "GetTenant",
  "query GetTenant($id: ID!) { tenant(id: $id) { id name alias status } }",
  Schema.Struct({ tenant: Tenant }),
  ById,
)

export const Tenants = typed(
  "Tenants",
  `query Tenants($q: String, $status: TenantStatus, $limit: Int, $offset: Int) {
  tenants(q: $q, status: $status, limit: $limit, offset: $offset) { items { id name alias status } total }
}`,
  Schema.Struct({ tenants: ListOf(Tenant) }),
  TenantFilter,
)

export const CreateEntity = typed(
  "CreateEntity",
  "mutation CreateEntity($input: CreateEntityInput!) { createEntity(input: $input) { id kind name tenantId status } }",
  Schema.Struct({ createEntity: Entity }),
  Input(CreateEntityInput),
)

export const GetEntity = typed(
  "GetEntity",
  "query GetEntity($id: ID!) { entity(id: $id) { id kind name tenantId status } }",
  Schema.Struct({ entity: Entity }),
  ById,
)

export const Entities = typed(
  "Entities",
  `query Entities($q: String, $kind: EntityKind, $tenantId: ID, $limit: Int, $offset: Int) {
  entities(q: $q, kind: $kind, tenantId: $tenantId, limit: $limit, offset: $offset) { items { id kind name tenantId status } total }
}`,
  Schema.Struct({ entities: ListOf(Entity) }),
  EntityFilter,
)

export const CreateRole = typed(
  "CreateRole",
  "mutation CreateRole($input: CreateRoleInput!) { createRole(input: $input) { id name tenantId } }",
  Schema.Struct({ createRole: Role }),
  Input(CreateRoleInput),
)

export const Roles = typed(
  "Roles",
  `query Roles($tenantId: ID, $q: String, $limit: Int, $offset: Int) {
  roles(tenantId: $tenantId, q: $q, limit: $limit, offset: $offset) { items { id name tenantId } total }
}`,
  Schema.Struct({ roles: ListOf(Role) }),
  RoleFilter,
)

export const CreateRoleAssignment = typed(
  "CreateRoleAssignment",
  "mutation CreateRoleAssignment($input: CreateRoleAssignmentInput!) { createRoleAssignment(input: $input) { id subjectKind subjectId roleId } }",
  Schema.Struct({ createRoleAssignment: RoleAssignment }),
  Input(CreateRoleAssignmentInput),
)

export const AuthzCheck = typed(
  "AuthzCheck",
  "mutation AuthzCheck($input: AuthzCheckInput!) { authzCheck(input: $input) { allowed reason } }",
  Schema.Struct({ authzCheck: AuthzResponse }),
  Input(AuthzCheckInput),
)

export const AuthzBulkCheck = typed(
  "AuthzBulkCheck",
  "mutation AuthzBulkCheck($input: [AuthzCheckInput!]!) { authzBulkCheck(input: $input) { allowed reason } }",
  Schema.Struct({ authzBulkCheck: Schema.Array(AuthzResponse) }),
  Schema.Struct({ input: Schema.Array(AuthzCheckInput).pipe(Schema.maxItems(20)) }),
)

export const CreatePassword = typed(
  "CreatePassword",
  "mutation CreatePassword($entityId: ID!, $password: String!) { createPassword(entityId: $entityId, password: $password) }",
  Schema.Struct({ createPassword: Schema.Boolean }),
  Schema.Struct({ entityId: Schema.UUID, password: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128)) }),
)

export const IssueCertificate = typed(
  "IssueCertificate",
  `mutation IssueCertificate($input: IssueCertificateInput!) {
  issueCertificate(input: $input) {
    certificate { credentialId entityId serialNumber certificatePem fingerprintSha256 expiresAt }
    privateKeyPem
  }
}`,
  Schema.Struct({ issueCertificate: IssuedCertificate }),
  Input(IssueCertificateInput),
)

export const AuditLogs = typed(
  "AuditLogs",
  `query AuditLogs($actorEntityId: ID, $tenantId: ID, $targetKind: String, $targetId: ID, $event: String, $limit: Int, $offset: Int) {
  auditLogs(actorEntityId: $actorEntityId, tenantId: $tenantId, targetKind: $targetKind, targetId: $targetId, event: $event, limit: $limit, offset: $offset) {
    items { id actorEntityId tenantId targetKind targetId event outcome details createdAt }
    total
  }
}`,
  Schema.Struct({ auditLogs: ListOf(AuditLog) }),
  AuditLogFilter,
)

/** Every document above, for tools that walk the client's operations (the fuzz harness does). */
export const documents = [
  Health,
  CreateTenant,
  GetTenant,
  Tenants,
  CreateEntity,
  GetEntity,
  Entities,
  CreateRole,
  Roles,
  CreateRoleAssignment,
  AuthzCheck,
  AuthzBulkCheck,
  CreatePassword,
  IssueCertificate,
  AuditLogs,
] as const
