import { EntityKind } from "@atom/domain/authz"
import { InvalidInput } from "@atom/domain/errors"
import type { EntityProfiles } from "@atom/repositories/entities"
import { Effect, Schema } from "effect"

export interface ProfileChoice {
  readonly profileId: string | null
  readonly profileVersionId: string | null
  readonly kind: EntityKind | null
}

export interface ResolvedProfile {
  readonly profileId: string | null
  readonly profileVersionId: string | null
  readonly kind: EntityKind
}

const isEntityKind = Schema.is(EntityKind)
const invalid = (message: string) => Effect.fail(new InvalidInput({ message }))

/**
 * The kind and pinned version of an entity with (or without) a profile (identity-certs §1.3, steps
 * 1–4): the kind comes from the profile, an explicit version must belong to it, else its active
 * version is pinned. Attribute validation against the version's JSON Schema is not done here.
 */
export const resolveEntityProfile = (profiles: EntityProfiles, choice: ProfileChoice) =>
  Effect.gen(function* () {
    if (choice.profileId === null) {
      if (choice.profileVersionId !== null) return yield* invalid("profile_version_id requires profile_id")
      if (choice.kind === null) return yield* invalid("kind is required without profile_id")
      return { profileId: null, profileVersionId: null, kind: choice.kind } satisfies ResolvedProfile
    }
    const profileId = choice.profileId
    const profile = yield* profiles.profile(profileId)
    if (profile === undefined) return yield* invalid(`profile ${profileId} not found`)
    if (profile.objectKind !== "entity" || !isEntityKind(profile.kind)) {
      return yield* invalid(`profile ${profileId} is not an entity profile`)
    }
    if (profile.status !== "active") return yield* invalid(`profile ${profileId} is not active`)
    if (choice.kind !== null && choice.kind !== profile.kind) {
      return yield* invalid(`kind ${choice.kind} conflicts with profile kind ${profile.kind}`)
    }
    if (choice.profileVersionId !== null) {
      const version = yield* profiles.version(choice.profileVersionId)
      if (version === undefined || version.profileId !== profileId) {
        return yield* invalid(`profile version ${choice.profileVersionId} does not belong to profile ${profileId}`)
      }
      return { profileId, profileVersionId: version.id, kind: profile.kind } satisfies ResolvedProfile
    }
    const active = yield* profiles.activeVersion(profileId)
    if (active === undefined) return yield* invalid(`profile ${profileId} has no active version`)
    return { profileId, profileVersionId: active.id, kind: profile.kind } satisfies ResolvedProfile
  })
