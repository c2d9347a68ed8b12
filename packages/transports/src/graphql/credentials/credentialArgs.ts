import { CredentialKind } from "@atom/domain/credentials"
import { InvalidInput } from "@atom/domain/errors"
import type { AccessTokenPermissionInput } from "@atom/services/credentials"
import { Effect, Schema } from "effect"

/** An optional argument: absent and null both mean "not given". */
export const Optional = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

export const OptionalString = Optional(Schema.String)
export const OptionalInt = Optional(Schema.Int)
export const OptionalKind = Optional(CredentialKind)

export const PermissionInput = Schema.Struct({
  actions: Schema.Array(Schema.String),
  scopeMode: Schema.String,
  tenantId: OptionalString,
  objectKind: OptionalString,
  objectType: OptionalString,
  objectId: OptionalString,
  conditions: Schema.optionalWith(Schema.Unknown, { default: () => null }),
})

const isUuid = Schema.is(Schema.UUID)

/** A UUID argument, canonical lowercase; `<name> must be a UUID` otherwise (api.md §3.3). */
export const uuid = (name: string, value: string): Effect.Effect<string, InvalidInput> =>
  isUuid(value)
    ? Effect.succeed(value.toLowerCase())
    : Effect.fail(new InvalidInput({ message: `${name} must be a UUID` }))

export const optionalUuid = (name: string, value: string | null) =>
  value === null ? Effect.succeed(null) : uuid(name, value)

/** Ceiling entries with their ids checked (`tenantId must be a UUID`, `objectId must be a UUID`). */
export const permissionEntries = (entries: ReadonlyArray<typeof PermissionInput.Type>) =>
  Effect.forEach(entries, (e) =>
    Effect.gen(function* () {
      const entry: AccessTokenPermissionInput = {
        actions: e.actions,
        scopeMode: e.scopeMode,
        tenantId: yield* optionalUuid("tenantId", e.tenantId),
        objectKind: e.objectKind,
        objectType: e.objectType,
        objectId: yield* optionalUuid("objectId", e.objectId),
        conditions: e.conditions,
      }
      return entry
    }),
  )
