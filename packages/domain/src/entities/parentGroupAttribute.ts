import { Either, Schema } from "effect"

/** The attribute through which createEntity/createResource also place the object in an object group. */
export const PARENT_GROUP_ATTRIBUTE = "parent_group_id"

const isUuid = Schema.is(Schema.UUID)

/**
 * The object group named by `attributes.parent_group_id` (identity-certs §1.1): null when absent or
 * null, the lowercased id when it is a UUID string, else the contract's message.
 */
export const parentGroupAttribute = (
  attributes: Readonly<Record<string, unknown>>,
): Either.Either<string | null, string> => {
  const value = attributes[PARENT_GROUP_ATTRIBUTE]
  if (value === undefined || value === null) return Either.right(null)
  return typeof value === "string" && isUuid(value)
    ? Either.right(value.toLowerCase())
    : Either.left(`${PARENT_GROUP_ATTRIBUTE} must be a UUID`)
}
