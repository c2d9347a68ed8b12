import { Schema } from "effect"
import { PageArgs } from "../tenants/PageArgs.js"
import { OptionalUuidArg, UuidArg } from "../tenants/UuidArg.js"

const optionalString = Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null })
const patchString = Schema.optional(Schema.NullOr(Schema.String))
const json = Schema.optional(Schema.Unknown)

export const ListArgs = Schema.Struct({ tenantId: OptionalUuidArg("tenantId"), status: optionalString, ...PageArgs })
export const IdArgs = Schema.Struct({ id: UuidArg("id") })
export const ExecutionsArgs = Schema.Struct({ endpointId: UuidArg("endpointId"), ...PageArgs })

export const CreateArgs = Schema.Struct({
  input: Schema.Struct({
    tenantId: OptionalUuidArg("tenantId"),
    key: Schema.String,
    name: Schema.String,
    description: optionalString,
    method: Schema.String,
    path: Schema.String,
    operationKind: Schema.String,
    graphql: Schema.String,
    authMode: optionalString,
    serviceEntityId: OptionalUuidArg("serviceEntityId"),
    variablesMapping: json,
    requestSchema: json,
    responseMapping: json,
    status: optionalString,
  }),
})

export const UpdateArgs = Schema.Struct({
  id: UuidArg("id"),
  input: Schema.Struct({
    key: patchString,
    name: patchString,
    description: patchString,
    method: patchString,
    path: patchString,
    operationKind: patchString,
    graphql: patchString,
    authMode: patchString,
    serviceEntityId: OptionalUuidArg("serviceEntityId"),
    variablesMapping: json,
    requestSchema: json,
    responseMapping: json,
    status: patchString,
  }),
})
