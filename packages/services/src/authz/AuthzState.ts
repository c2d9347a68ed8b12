import type { Grant } from "@atom/domain/authz"
import { ceilingGrants, compileGrants, expandGrants, type GrantSet } from "@atom/engines/authz"
import {
  type Catalogue,
  expansionInputFor,
  loadSubjectStates,
  type ObjectRecord,
  type ObjectRef,
  probeRevision,
  resolveObjects,
  type SubjectRecord,
  type SubjectStates,
} from "@atom/repositories/authz"
import type { DbFailure } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Clock, Context, Effect, Layer, Option, Schema } from "effect"

/** A live subject with its expanded grants, compiled for evaluation. */
export interface SubjectGrants {
  readonly record: SubjectRecord
  /** expansion order, as explain and the inspection queries report them */
  readonly expanded: ReadonlyArray<Grant>
  readonly grants: GrantSet
}

/** What decisions need, loaded (or taken from the cache) for one request. */
export interface DecisionInputs {
  readonly catalogue: Catalogue
  /** null when the subject is missing or tombstoned */
  readonly subject: (id: string) => SubjectGrants | null
  /** null when the target does not resolve */
  readonly object: (ref: ObjectRef) => ObjectRecord | null
  /** the compiled ceiling of the requested credential; null when none was requested */
  readonly ceiling: GrantSet | null
}

export interface DecisionInputsRequest {
  readonly subjectIds: ReadonlyArray<string>
  readonly targets: ReadonlyArray<ObjectRef>
  /** a scoped access token whose ceiling the decision needs */
  readonly credentialId: string | null
}

/**
 * The PDP's view of live state, cached per authz revision (DESIGN.md §6). Every loader statement reports
 * the revision of its own snapshot; anything cached is used only after some statement of this request
 * has shown that revision still current, so a write that bumped the revision is seen by the very next
 * decision. Misses cost one statement for subjects (and ceiling) and one for objects, run side by side;
 * a request whose every piece is cached costs one revision probe. Inside a transaction nothing is read
 * from or written to the cache: the transaction may see its own uncommitted (or later rolled back) state.
 */
export class AuthzState extends Context.Tag("atom/AuthzState")<
  AuthzState,
  { readonly load: (request: DecisionInputsRequest) => Effect.Effect<DecisionInputs, DbFailure> }
>() {
  static readonly Live = Layer.effect(
    AuthzState,
    Effect.map(SqlClient.SqlClient, (sql) => makeAuthzState(sql)),
  )
}

const MAX_SUBJECTS = 10_000
const MAX_OBJECTS = 50_000

interface Cache {
  revision: bigint | null
  catalogue: Catalogue | null
  readonly subjects: Map<string, SubjectGrants>
  readonly objects: Map<string, ObjectRecord>
  readonly ceilings: Map<string, GrantSet>
}

const emptyCache = (): Cache => ({
  revision: null,
  catalogue: null,
  subjects: new Map(),
  objects: new Map(),
  ceilings: new Map(),
})

const isUuid = Schema.is(Schema.UUID)

// Ids are compared as text (cache keys, result rows): one spelling, lower case. Malformed ids name
// nothing and are never sent to the database.
const normalId = (id: string): string => id.trim().toLowerCase()
const refKey = (ref: ObjectRef): string => `${ref.kind}:${normalId(ref.id)}`

const notExpired = (grants: GrantSet, now: number): boolean =>
  grants.earliestExpiry === null || now < grants.earliestExpiry

const subjectGrantsOf = (states: SubjectStates, id: string): SubjectGrants | null => {
  const input = expansionInputFor(states, id)
  const record = states.subjects.find((s) => s.subject.id === id)
  if (input === null || record === undefined) return null
  const expanded = expandGrants(input)
  return { record, expanded, grants: compileGrants(expanded) }
}

// revisions are bigints, which Math.max does not take
const laterRevision = (a: bigint, b: bigint): bigint => {
  if (a >= b) return a
  return b
}

const boundedSet = <V>(map: Map<string, V>, max: number, key: string, value: V): void => {
  if (map.size >= max && !map.has(key)) map.clear()
  map.set(key, value)
}

interface Loaded<A> {
  readonly revision: bigint
  readonly catalogue: Catalogue | null
  readonly value: A
}

const makeAuthzState = (sql: SqlClient.SqlClient) => {
  const shared = emptyCache()
  const withSql = Effect.provideService(SqlClient.SqlClient, sql)

  /** Moves a cache to `revision`, dropping everything read at another one. */
  const observe = (cache: Cache, revision: bigint): void => {
    if (cache.revision === revision) return
    cache.revision = revision
    cache.catalogue = null
    cache.subjects.clear()
    cache.objects.clear()
    cache.ceilings.clear()
  }

  /** Adopts what a statement read, if the cache stands at (or moves to) that statement's revision. */
  const adopt = (cache: Cache, loaded: Loaded<unknown>, latest: bigint): boolean => {
    if (loaded.revision !== latest) return false
    observe(cache, latest)
    if (loaded.catalogue !== null) cache.catalogue = loaded.catalogue
    return true
  }

  const load = (request: DecisionInputsRequest): Effect.Effect<DecisionInputs, DbFailure> =>
    Effect.gen(function* () {
      const inTransaction = Option.isSome(yield* Effect.serviceOption(SqlClient.TransactionConnection))
      const now = yield* Clock.currentTimeMillis
      // a transaction gets a private cache that starts empty: it may see its own uncommitted state
      const cache = inTransaction ? emptyCache() : shared
      const subjects = new Map<string, SubjectGrants | null>()
      const objects = new Map<string, ObjectRecord | null>()
      let ceiling: GrantSet | null = null
      let catalogue: Catalogue | null = null
      const subjectIds = [...new Set(request.subjectIds.map(normalId).filter(isUuid))]
      const targetList = request.targets
        .map((ref): ObjectRef => ({ kind: ref.kind, id: normalId(ref.id) }))
        .filter((ref) => isUuid(ref.id))

      for (let attempt = 1; ; attempt++) {
        // every attempt starts from what the cache holds at its revision
        subjects.clear()
        objects.clear()
        ceiling = null
        catalogue = cache.catalogue
        const held = cache.revision
        for (const id of subjectIds) {
          const hit = cache.subjects.get(id)
          if (hit !== undefined && notExpired(hit.grants, now)) subjects.set(id, hit)
        }
        for (const ref of targetList) {
          const hit = cache.objects.get(refKey(ref))
          if (hit !== undefined) objects.set(refKey(ref), hit)
        }
        if (request.credentialId !== null) ceiling = cache.ceilings.get(request.credentialId) ?? null
        // a stale catalogue needs no second look: the statements below carry a fresh one
        const usedHits = subjects.size > 0 || objects.size > 0 || ceiling !== null
        const known = { ifStaleAgainst: catalogue === null ? null : held }

        const wantSubjects = subjectIds.filter((id) => !subjects.has(id))
        const wantTargets = targetList.filter((ref) => !objects.has(refKey(ref)))
        const wantCeiling = request.credentialId !== null && ceiling === null
        const loadSubjects = wantSubjects.length > 0 || wantCeiling

        if (!loadSubjects && wantTargets.length === 0) {
          // everything is cached: one probe says whether it is still current
          const probe = yield* withSql(probeRevision(known.ifStaleAgainst))
          if (probe.revision === held && catalogue !== null) break
          observe(cache, probe.revision)
          if (probe.catalogue !== null) cache.catalogue = probe.catalogue
          continue
        }

        const [subjectStates, resolved] = yield* withSql(
          Effect.all(
            [
              loadSubjects
                ? loadSubjectStates({
                    subjectIds: wantSubjects,
                    credentialId: wantCeiling ? request.credentialId : null,
                    catalogue: known,
                  }).pipe(Effect.map((s): Loaded<SubjectStates> => ({ ...s, value: s })))
                : Effect.succeed(null),
              // only one statement carries the catalogue
              wantTargets.length > 0
                ? resolveObjects(wantTargets, loadSubjects ? "skip" : known).pipe(
                    Effect.map((r): Loaded<ReadonlyArray<ObjectRecord | null>> => ({ ...r, value: r.objects })),
                  )
                : Effect.succeed(null),
            ],
            { concurrency: 2 },
          ),
        )
        const revisions = [subjectStates?.revision, resolved?.revision].filter((r) => r !== undefined)
        const latest = revisions.reduce(laterRevision)
        catalogue = subjectStates?.catalogue ?? resolved?.catalogue ?? catalogue
        if (subjectStates !== null) {
          const keep = adopt(cache, subjectStates, latest)
          for (const id of wantSubjects) {
            const entry = subjectGrantsOf(subjectStates.value, id)
            subjects.set(id, entry)
            if (keep && entry !== null) boundedSet(cache.subjects, MAX_SUBJECTS, id, entry)
          }
          if (wantCeiling && request.credentialId !== null) {
            const compiled = compileGrants(ceilingGrants(subjectStates.value.ceiling))
            ceiling = compiled
            if (keep) cache.ceilings.set(request.credentialId, compiled)
          }
        }
        if (resolved !== null) {
          const keep = adopt(cache, resolved, latest)
          wantTargets.forEach((ref, i) => {
            const record = resolved.value[i] ?? null
            objects.set(refKey(ref), record)
            if (keep && record !== null) boundedSet(cache.objects, MAX_OBJECTS, refKey(ref), record)
          })
        }
        // one snapshot: the statements agree with each other and with the cached pieces used.
        // Under a storm of writes, give up on agreement after three attempts: each piece is still
        // no older than the start of this request.
        const agreed = revisions.every((r) => r === latest) && (!usedHits || held === latest)
        if (agreed || attempt >= 3) break
      }

      // every path above carries the catalogue when none was held; this guard only keeps the types honest
      const catalogueHeld = catalogue ?? (yield* withSql(probeRevision(null))).catalogue
      if (catalogueHeld === null) return yield* Effect.dieMessage("authz catalogue could not be loaded")
      return {
        catalogue: catalogueHeld,
        subject: (id: string) => subjects.get(normalId(id)) ?? null,
        object: (ref: ObjectRef) => objects.get(refKey(ref)) ?? null,
        ceiling,
      } satisfies DecisionInputs
    }).pipe(Effect.withSpan("AuthzState.load"))

  return { load }
}
