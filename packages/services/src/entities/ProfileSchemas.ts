import type { JsonObject } from "@atom/domain/authz"
import { InvalidInput } from "@atom/domain/errors"
import { type AttributeValidator, attributesFailed, compileAttributeSchema } from "@atom/engines/profiles"
import { EntityProfiles } from "@atom/repositories/entities"
import { Effect, Either } from "effect"

/** Compiled schemas kept at once; the least recently used is dropped beyond this. */
export const PROFILE_SCHEMA_CACHE_SIZE = 512

/**
 * Attribute validation against a profile version's JSON Schema (identity-certs §1.3 step 5), each version
 * compiled once: versions are immutable, so a compiled schema (or the reason it does not compile) stays
 * valid for the life of the process.
 */
export class ProfileSchemas extends Effect.Service<ProfileSchemas>()("atom/ProfileSchemas", {
  effect: Effect.gen(function* () {
    const profiles = yield* EntityProfiles
    const compiled = new Map<string, Either.Either<AttributeValidator, string>>()

    const remember = (versionId: string, entry: Either.Either<AttributeValidator, string>) => {
      compiled.delete(versionId)
      compiled.set(versionId, entry)
      if (compiled.size > PROFILE_SCHEMA_CACHE_SIZE) {
        const oldest = compiled.keys().next()
        if (oldest.done !== true) compiled.delete(oldest.value)
      }
      return entry
    }

    const validatorOf = (versionId: string) =>
      Effect.gen(function* () {
        const cached = compiled.get(versionId)
        if (cached !== undefined) return remember(versionId, cached)
        const schema = yield* profiles.versionSchema(versionId)
        if (schema === undefined) {
          return yield* new InvalidInput({ message: `profile version ${versionId} not found` })
        }
        return remember(versionId, compileAttributeSchema(schema))
      })

    /**
     * Refuses attributes that fail the version's schema with `attributes failed profile schema validation:
     * <path> <reason>; …`, and a version whose schema does not compile with `invalid profile JSON schema: …`.
     */
    const check = (versionId: string | null, attributes: JsonObject) =>
      versionId === null
        ? Effect.void
        : Effect.gen(function* () {
            const validator = yield* validatorOf(versionId)
            if (Either.isLeft(validator)) return yield* new InvalidInput({ message: validator.left })
            const failures = validator.right(attributes)
            if (failures.length > 0) return yield* new InvalidInput({ message: attributesFailed(failures) })
          }).pipe(Effect.withSpan("ProfileSchemas.check"))

    return { check, cachedCount: Effect.sync(() => compiled.size) } as const
  }),
}) {}
