import { InvalidInput } from "@atom/domain/errors"
import { Effect, Schema } from "effect"

const isUuid = Schema.is(Schema.UUID)

/** A GraphQL ID argument that must be a UUID: `<name> must be a UUID` otherwise (api.md §3.3). */
export const uuidArgument = (name: string, value: string): Effect.Effect<string, InvalidInput> => {
  const id = value.trim().toLowerCase()
  return isUuid(id) ? Effect.succeed(id) : Effect.fail(new InvalidInput({ message: `${name} must be a UUID` }))
}
