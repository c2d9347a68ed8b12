import { EntityStatus, type JsonObject } from "@atom/domain/authz"
import { InvalidInput } from "@atom/domain/errors"
import { DeletedFilter, type Paging, paging } from "@atom/domain/tenants"
import { Effect, ParseResult, Schema } from "effect"

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Decodes resolver arguments; a mismatch reports its first issue (e.g. `tenantId must be a UUID`, api.md §3.3). */
export const decodeGraphqlArgs = <A, I>(schema: Schema.Schema<A, I>, args: unknown): Effect.Effect<A, InvalidInput> =>
  Schema.decodeUnknown(schema, { errors: "first" })(args).pipe(
    Effect.mapError(
      (e) =>
        new InvalidInput({ message: ParseResult.ArrayFormatter.formatErrorSync(e)[0]?.message ?? "invalid input" }),
    ),
  )

const lowercase = <I>(from: Schema.Schema<string, I>) =>
  Schema.transform(from, Schema.String, { strict: true, decode: (s) => s.toLowerCase(), encode: (s) => s })

/** A required ID argument that must be a UUID; lowercased. */
export const UuidArg = (name: string) =>
  lowercase(
    Schema.declare((u: unknown): u is string => typeof u === "string" && UUID.test(u), {
      message: () => `${name} must be a UUID`,
    }),
  )

/** An optional ID argument: absent or null → null, else it must be a UUID; lowercased. */
export const OptionalUuidArg = (name: string) =>
  Schema.optionalWith(
    Schema.transform(
      Schema.declare((u: unknown): u is string | null => u === null || (typeof u === "string" && UUID.test(u)), {
        message: () => `${name} must be a UUID`,
      }),
      Schema.NullOr(Schema.String),
      { strict: true, decode: (s) => (s === null ? null : s.toLowerCase()), encode: (s) => s },
    ),
    { default: () => null },
  )

const isJsonObject = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

/** A `JSON` argument that must be an object when given: absent or null → null. */
export const OptionalJsonObjectArg = (name: string) =>
  Schema.optionalWith(
    Schema.declare((u: unknown): u is JsonObject | null => u === null || isJsonObject(u), {
      message: () => `${name} must be a JSON object`,
    }),
    { default: () => null },
  )

/** An optional scalar: absent or null → null. */
export const OptionalArg = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/** A free-text search: trimmed, blank → null. */
export const SearchArg = Schema.optionalWith(
  Schema.transform(Schema.NullOr(Schema.String), Schema.NullOr(Schema.String), {
    strict: true,
    decode: (q) => (q === null || q.trim() === "" ? null : q.trim()),
    encode: (q) => q,
  }),
  { default: () => null },
)

/** `limit` / `offset`, clamped as api.md §3.4 says. */
export const PagingArgs = {
  limit: OptionalArg(Schema.Number),
  offset: OptionalArg(Schema.Number),
}

export const pagingOf = (args: { readonly limit: number | null; readonly offset: number | null }): Paging =>
  paging(args)

export const DeletedArg = Schema.optionalWith(Schema.NullOr(DeletedFilter), { default: () => null })
export const StatusArg = OptionalArg(EntityStatus)
