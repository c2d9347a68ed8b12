/**
 * The operator questions the reference documents but never served (DESIGN.md §7): added next to the
 * contract, never renaming it. `AuthzExplainResponse` gains the nearest failing binding of a deny.
 */
export const authzTypeDefs = /* GraphQL */ `
  "One permission block x one action reachable by a subject, and how it is reached."
  type AuthzGrant {
    "direct_policy, role_assignment or tenant_membership"
    source: String!
    "direct, group:<ancestor> -> ... -> <direct group>, or tenant_membership"
    via: String!
    principalGroupPath: [ID!]!
    "the direct policy or role assignment; null for the membership grant"
    bindingId: ID
    blockId: ID
    roleId: ID
    roleName: String
    "the boundary: only objects of this tenant can match"
    tenantId: ID
    scopeMode: String!
    scopeTenantId: ID
    objectKind: String
    objectType: String
    objectId: ID
    groupId: ID
    action: String!
    effect: Effect!
    conditions: JSON!
  }

  type EntityAccessList {
    items: [AuthzGrant!]!
    total: Int!
  }

  "A subject allowed an action on the inspected object, and the grant that decided it."
  type ResourceAccess {
    subjectId: ID!
    subjectName: String!
    subjectKind: EntityKind!
    subjectTenantId: ID
    action: String!
    grant: AuthzGrant!
  }

  type ResourceAccessList {
    items: [ResourceAccess!]!
    total: Int!
  }

  type RoleHolder {
    assignmentId: ID!
    tenantId: ID
    subjectKind: SubjectKind!
    subjectId: ID!
    subjectName: String!
    "direct members, for principal groups"
    memberCount: Int
  }

  type RoleHolderList {
    roleId: ID!
    roleName: String!
    items: [RoleHolder!]!
    total: Int!
  }

  type GroupAccessList {
    groupId: ID!
    groupName: String!
    items: [AuthzGrant!]!
    total: Int!
  }

  type EffectiveAction {
    action: String!
    allowed: Boolean!
    reason: String!
    grant: AuthzGrant
  }

  type EffectiveActionList {
    items: [EffectiveAction!]!
    total: Int!
  }

  extend type AuthzExplainResponse {
    "for a deny: the allow that got furthest before failing"
    nearestBinding: JSON
  }

  extend type Query {
    "What this entity can access: its effective grants (policy read at the tenant, or platform)."
    entityAccess(entityId: ID!, tenantId: ID, limit: Int, offset: Int): EntityAccessList!
    "Who can act on this object and through which grant (policy read at the object's tenant)."
    resourceAccess(objectKind: String!, objectId: ID!, action: String, limit: Int, offset: Int): ResourceAccessList!
    "The live holders of a role (policy read at the role's tenant)."
    roleHolders(roleId: ID!, limit: Int, offset: Int): RoleHolderList!
    "What a principal group grants its members (policy read at the group's tenant)."
    groupAccess(groupId: ID!, limit: Int, offset: Int): GroupAccessList!
    "Every action applicable to the object, decided for the subject (gated like authzCheck)."
    effectiveActions(subjectId: ID!, objectKind: String!, objectId: ID!): EffectiveActionList!
  }
`
