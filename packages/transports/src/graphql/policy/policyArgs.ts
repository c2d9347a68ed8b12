import { CatalogueObjectKind } from "@atom/domain/authz"
import { InvalidInput } from "@atom/domain/errors"
import type { PageRequest } from "@atom/domain/policy"
import { Effect, Schema } from "effect"

// Argument checks with the contract's messages (api.md §3.3): `<argName> must be a UUID`,
// `objectKind must be a valid object kind`; GraphQL itself has already checked the types.

/** An argument GraphQL may omit or send as null: both read as null. */
export const Nullable = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/** One id, lowercased and branded by `schema`; anything else is `<name> must be a UUID`. */
export const id =
  <A, I>(schema: Schema.Schema<A, I>, name: string) =>
  (value: string): Effect.Effect<A, InvalidInput> =>
    Schema.decodeUnknown(schema)(value.trim().toLowerCase()).pipe(
      Effect.mapError(() => new InvalidInput({ message: `${name} must be a UUID` })),
    )

export const optionalId =
  <A, I>(schema: Schema.Schema<A, I>, name: string) =>
  (value: string | null): Effect.Effect<A | null, InvalidInput> =>
    value === null ? Effect.succeed(null) : id(schema, name)(value)

/** A bounded list of ids, each checked as `itemName`. */
export const ids =
  <A, I>(schema: Schema.Schema<A, I>, listName: string, itemName: string, max: number) =>
  (values: ReadonlyArray<string>): Effect.Effect<Array<A>, InvalidInput> =>
    values.length > max
      ? Effect.fail(new InvalidInput({ message: `${listName} must contain at most ${max} items` }))
      : Effect.forEach(values, id(schema, itemName))

/** Lists: the default when absent, clamped to 1..max; a negative offset is 0 (api.md §3.4). */
export const page = (
  limit: number | null,
  offset: number | null,
  bounds: { readonly defaultLimit: number; readonly max: number },
): PageRequest => ({
  limit: Math.min(Math.max(limit ?? bounds.defaultLimit, 1), bounds.max),
  offset: Math.max(offset ?? 0, 0),
})

export const LIST = { defaultLimit: 20, max: 100 } as const
export const CATALOGUE_LIST = { defaultLimit: 50, max: 100 } as const
export const HYGIENE_LIST = { defaultLimit: 50, max: 200 } as const

const isObjectKind = Schema.is(CatalogueObjectKind)

export const objectKind = (value: string, name = "objectKind"): Effect.Effect<CatalogueObjectKind, InvalidInput> =>
  isObjectKind(value)
    ? Effect.succeed(value)
    : Effect.fail(new InvalidInput({ message: `${name} must be a valid object kind` }))

export const optionalObjectKind = (value: string | null): Effect.Effect<CatalogueObjectKind | null, InvalidInput> =>
  value === null ? Effect.succeed(null) : objectKind(value)

/** A free-text filter: trimmed, blank = none. */
export const text = (value: string | null): string | null => {
  const trimmed = value?.trim() ?? ""
  return trimmed === "" ? null : trimmed
}

/** Ids of lists and lengths of inputs the API accepts at most. */
export const MAX_IDS = 100
