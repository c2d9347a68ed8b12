import { Schema } from "effect"

// Resolver arguments as GraphQL has already typed them; the services validate ids and kinds with the
// contract's messages.

const Maybe = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

export const CheckInput = Schema.Struct({
  subjectId: Schema.String,
  action: Schema.String,
  resourceId: Maybe(Schema.String),
  objectKind: Maybe(Schema.String),
  objectId: Maybe(Schema.String),
  context: Schema.optional(Schema.Unknown),
})

export const CheckArgs = Schema.Struct({ input: CheckInput })
export const BulkCheckArgs = Schema.Struct({ input: Schema.Array(CheckInput) })

export const AuthorizedObjectIdsArgs = Schema.Struct({
  input: Schema.Struct({
    subjectId: Schema.String,
    action: Schema.String,
    objectKind: Schema.String,
    objectType: Maybe(Schema.String),
    tenantId: Maybe(Schema.String),
    q: Maybe(Schema.String),
    limit: Maybe(Schema.Number),
    offset: Maybe(Schema.Number),
  }),
})

const Page = { limit: Maybe(Schema.Number), offset: Maybe(Schema.Number) }

export const EntityAccessArgs = Schema.Struct({ entityId: Schema.String, tenantId: Maybe(Schema.String), ...Page })
export const ResourceAccessArgs = Schema.Struct({
  objectKind: Schema.String,
  objectId: Schema.String,
  action: Maybe(Schema.String),
  ...Page,
})
export const RoleHoldersArgs = Schema.Struct({ roleId: Schema.String, ...Page })
export const GroupAccessArgs = Schema.Struct({ groupId: Schema.String, ...Page })
export const EffectiveActionsArgs = Schema.Struct({
  subjectId: Schema.String,
  objectKind: Schema.String,
  objectId: Schema.String,
})
