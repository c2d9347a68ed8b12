import { randomUUID } from "node:crypto"
import { EntityKind } from "@atom/domain/authz"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import {
  type Page,
  type Paging,
  type Profile,
  ProfileObjectKind,
  ProfileStatus,
  type ProfileVersion,
  ProfileVersionStatus,
} from "@atom/domain/tenants"
import { compileAttributeSchema } from "@atom/engines/profiles"
import { Profiles, ProfileVersions } from "@atom/repositories/tenants"
import { SqlClient } from "@effect/sql"
import { Effect, Either, Schema } from "effect"
import { type ChangeTarget, recordChange } from "../audit/recordChange.js"
import { anyOf, Gate, Tenant } from "../authz/Gate.js"
import { inTransaction } from "./inTransaction.js"
import { jsonObjectOf, requiredText } from "./tenantInput.js"

export interface ProfileListQuery {
  readonly objectKind: string | null
  readonly kind: string | null
  readonly tenantId: string | null
  readonly status: string | null
}

export interface CreateProfileInput {
  readonly tenantId: string | null
  readonly objectKind: string
  readonly kind: string
  readonly key: string
  readonly displayName: string
  readonly description: string | null
  readonly status: string | null
}

export interface CreateProfileVersionInput {
  readonly version: number
  readonly jsonSchema: unknown
  readonly uiSchema: unknown
  readonly status: string | null
}

/** Patch: undefined or null keeps, except `description: null`, which clears. */
export interface UpdateProfileInput {
  readonly displayName?: string | null | undefined
  readonly description?: string | null | undefined
  readonly status?: string | null | undefined
}

const READ = ["read", "manage"]
const WRITE = ["manage", "write"]

/** A value of a literal set, or the contract's message naming the field. */
const oneOf =
  <A extends string>(schema: Schema.Schema<A>, message: (value: string) => string) =>
  (value: string): Effect.Effect<A, InvalidInput> =>
    Schema.is(schema)(value) ? Effect.succeed(value) : Effect.fail(new InvalidInput({ message: message(value) }))

const objectKindOf = oneOf(ProfileObjectKind, () => "objectKind must be a valid object kind")
const profileStatusOf = oneOf(
  ProfileStatus,
  (s) => `invalid profile status: ${s} (expected active, deprecated or disabled)`,
)
const versionStatusOf = oneOf(
  ProfileVersionStatus,
  (s) => `invalid profile version status: ${s} (expected draft, active, deprecated or disabled)`,
)
const entityKindOf = oneOf(
  EntityKind,
  (k) => `kind ${k} is not an entity kind (human, device, service, workload, application)`,
)

/** Profiles and their versions (identity-certs §1.3): reads need read access, writes manage/write, at the profile's tenant. */
export class ProfileService extends Effect.Service<ProfileService>()("atom/ProfileService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const profiles = yield* Profiles
    const versions = yield* ProfileVersions
    const transact = inTransaction(yield* SqlClient.SqlClient)

    /** Runs one write and records it in the same transaction; a write that found nothing records nothing. */
    const audited =
      <A>(caller: Caller, event: string, target: (row: A) => ChangeTarget, details: Record<string, unknown> = {}) =>
      <E, R>(write: Effect.Effect<A | undefined, E, R>) =>
        transact(
          Effect.tap(write, (row) =>
            row === undefined ? Effect.void : recordChange(caller, event, target(row), details),
          ),
        )

    const load = (id: string) =>
      Effect.flatMap(profiles.byId(id), (p) =>
        p === undefined ? Effect.fail(new NotFound({ message: `profile ${id} not found` })) : Effect.succeed(p),
      )

    const list = (caller: Caller, query: ProfileListQuery, page: Paging) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(READ, Tenant(query.tenantId)))
        const filter = {
          objectKind: query.objectKind === null ? null : yield* objectKindOf(query.objectKind),
          kind: query.kind === null ? null : query.kind.trim(),
          tenantId: query.tenantId,
          status: query.status === null ? null : yield* profileStatusOf(query.status),
        }
        const [items, total] = yield* Effect.all([profiles.page(filter, page), profiles.count(filter)], {
          concurrency: 2,
        })
        return { items, total } satisfies Page<Profile>
      }).pipe(Effect.withSpan("ProfileService.list"))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        const profile = yield* load(id)
        yield* gate.require(caller, anyOf(READ, Tenant(profile.tenantId)))
        return profile
      }).pipe(Effect.withSpan("ProfileService.get"))

    const versionsOf = (caller: Caller, profileId: string) =>
      Effect.gen(function* () {
        const profile = yield* load(profileId)
        yield* gate.require(caller, anyOf(READ, Tenant(profile.tenantId)))
        return yield* versions.ofProfile(profileId)
      }).pipe(Effect.withSpan("ProfileService.versions"))

    const create = (caller: Caller, input: CreateProfileInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(WRITE, Tenant(input.tenantId)))
        const objectKind = yield* objectKindOf(input.objectKind)
        const kind = yield* requiredText("kind", input.kind)
        // an entity profile fixes the entity kind
        if (objectKind === "entity") yield* entityKindOf(kind)
        const profile = yield* profiles
          .insert({
            id: randomUUID(),
            tenantId: input.tenantId,
            objectKind,
            kind,
            key: yield* requiredText("key", input.key),
            displayName: yield* requiredText("displayName", input.displayName),
            description: input.description,
            status: input.status === null ? "active" : yield* profileStatusOf(input.status),
          })
          .pipe(
            audited(caller, "profile.create", (p: Profile) => ({ kind: "profile", id: p.id, tenantId: p.tenantId }), {
              key: input.key,
            }),
          )
        if (profile === undefined) return yield* new NotFound({ message: "profile not found" })
        return profile
      }).pipe(Effect.withSpan("ProfileService.create"))

    const createVersion = (caller: Caller, profileId: string, input: CreateProfileVersionInput) =>
      Effect.gen(function* () {
        const profile = yield* load(profileId)
        yield* gate.require(caller, anyOf(WRITE, Tenant(profile.tenantId)))
        if (!Number.isInteger(input.version) || input.version < 1) {
          return yield* new InvalidInput({ message: "version must be a positive integer" })
        }
        const jsonSchema = yield* jsonObjectOf("jsonSchema", input.jsonSchema)
        // a schema that cannot judge attributes is refused now, not at the first entity write
        const compiled = compileAttributeSchema(jsonSchema)
        if (Either.isLeft(compiled)) return yield* new InvalidInput({ message: compiled.left })
        const version = yield* versions
          .insert({
            id: randomUUID(),
            profileId,
            version: input.version,
            jsonSchema,
            uiSchema: yield* jsonObjectOf("uiSchema", input.uiSchema),
            status: input.status === null ? "active" : yield* versionStatusOf(input.status),
          })
          .pipe(
            audited(
              caller,
              "profile_version.create",
              (v: ProfileVersion) => ({ kind: "profile_version", id: v.id, tenantId: profile.tenantId }),
              { profile_id: profileId, version: input.version },
            ),
          )
        if (version === undefined) return yield* new NotFound({ message: `profile ${profileId} not found` })
        return version
      }).pipe(Effect.withSpan("ProfileService.createVersion"))

    const update = (caller: Caller, id: string, input: UpdateProfileInput) =>
      Effect.gen(function* () {
        const profile = yield* load(id)
        yield* gate.require(caller, anyOf(WRITE, Tenant(profile.tenantId)))
        const updated = yield* profiles
          .update(id, {
            displayName:
              input.displayName === undefined || input.displayName === null
                ? undefined
                : yield* requiredText("displayName", input.displayName),
            description: input.description,
            status:
              input.status === undefined || input.status === null ? undefined : yield* profileStatusOf(input.status),
          })
          .pipe(
            audited(caller, "profile.update", (p: Profile) => ({ kind: "profile", id: p.id, tenantId: p.tenantId })),
          )

        if (updated === undefined) return yield* new NotFound({ message: `profile ${id} not found` })
        return updated
      }).pipe(Effect.withSpan("ProfileService.update"))

    return { list, get, versions: versionsOf, create, createVersion, update } as const
  }),
}) {}
