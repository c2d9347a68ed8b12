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
import { type DbFailure, notLiveFeed, RevisionFeed, type RevisionFeedShape } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Clock, Context, Effect, Layer, Option, Schema } from "effect"
import { type AtomInstruments, AtomMetrics } from "../metrics/AtomMetrics.js"
import { LruCache } from "./LruCache.js"

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

/** Counts since start, sampled by /metrics. */
export interface AuthzCacheStats {
  readonly subjectHits: number
  readonly subjectMisses: number
  readonly objectHits: number
  readonly objectMisses: number
  readonly ceilingHits: number
  readonly ceilingMisses: number
  /** a newer revision dropped what the shared cache held */
  readonly invalidations: number
  readonly evictions: { readonly subjects: number; readonly objects: number; readonly ceilings: number }
  /** requests whose cached pieces were confirmed by a revision probe (the rest needed none or loaded) */
  readonly probes: number
}

/** Bounds of the shared cache: grants held by subjects and ceilings, and object records. */
export interface AuthzCacheLimits {
  readonly subjectGrants: number
  readonly objects: number
  readonly ceilingGrants: number
}

export const DEFAULT_CACHE_LIMITS: AuthzCacheLimits = { subjectGrants: 200_000, objects: 50_000, ceilingGrants: 20_000 }

/**
 * The PDP's view of live state, cached per authz revision (DESIGN.md §6). Every loader statement reports
 * the revision of its own snapshot, and the RevisionFeed reports every commit that may have moved it
 * (this replica's at once, other replicas' by NOTIFY). Cached pieces are used without any statement
 * while the feed is live and nothing has happened since a statement confirmed the cache's revision;
 * otherwise one revision probe confirms them first — so a write that bumped the revision is seen by the
 * very next decision here, and within a notification's latency on other replicas. Misses cost one
 * statement for subjects (and ceiling) and one for objects, run side by side. Inside a transaction
 * nothing is read from or written to the cache: the transaction may see its own uncommitted (or later
 * rolled back) state.
 */
export class AuthzState extends Context.Tag("atom/AuthzState")<
  AuthzState,
  {
    readonly load: (request: DecisionInputsRequest) => Effect.Effect<DecisionInputs, DbFailure>
    /**
     * What `load` would answer with no statement at all, at `now`: every piece in the shared cache at a
     * revision nothing has been heard of since (outside any transaction); undefined otherwise.
     */
    readonly remembered: (request: DecisionInputsRequest, now: number) => DecisionInputs | undefined
    readonly stats: () => AuthzCacheStats
  }
>() {
  static readonly Live = Layer.effect(
    AuthzState,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const feed = Option.getOrElse(yield* Effect.serviceOption(RevisionFeed), () => notLiveFeed)
      const state = makeAuthzState(sql, feed, DEFAULT_CACHE_LIMITS)
      const metrics = yield* Effect.serviceOption(AtomMetrics)
      if (Option.isSome(metrics)) exposeStats(metrics.value.instruments, state.stats)
      return state
    }),
  )
}

const exposeStats = (instruments: AtomInstruments, stats: () => AuthzCacheStats): void => {
  instruments.authzCacheLookups.collect(() => {
    const s = stats()
    return [
      [{ cache: "subject", result: "hit" }, s.subjectHits],
      [{ cache: "subject", result: "miss" }, s.subjectMisses],
      [{ cache: "object", result: "hit" }, s.objectHits],
      [{ cache: "object", result: "miss" }, s.objectMisses],
      [{ cache: "ceiling", result: "hit" }, s.ceilingHits],
      [{ cache: "ceiling", result: "miss" }, s.ceilingMisses],
    ]
  })
  instruments.authzCacheInvalidations.collect(() => [[{}, stats().invalidations]])
  instruments.authzCacheEvictions.collect(() => {
    const e = stats().evictions
    return [
      [{ cache: "subject" }, e.subjects],
      [{ cache: "object" }, e.objects],
      [{ cache: "ceiling" }, e.ceilings],
    ]
  })
  instruments.authzRevisionProbes.collect(() => [[{}, stats().probes]])
}

interface Cache {
  revision: bigint | null
  /** the feed's epoch when a statement that confirmed `revision` started; -1 when none did */
  validatedEpoch: number
  catalogue: Catalogue | null
  readonly subjects: LruCache<SubjectGrants>
  readonly objects: LruCache<ObjectRecord>
  readonly ceilings: LruCache<GrantSet>
}

const emptyCache = (limits: AuthzCacheLimits): Cache => ({
  revision: null,
  validatedEpoch: -1,
  catalogue: null,
  subjects: new LruCache(limits.subjectGrants, (s) => 1 + s.expanded.length),
  objects: new LruCache(limits.objects),
  ceilings: new LruCache(limits.ceilingGrants, (c) => 1 + c.all.length),
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

interface Loaded<A> {
  readonly revision: bigint
  readonly catalogue: Catalogue | null
  readonly value: A
}

export const makeAuthzState = (sql: SqlClient.SqlClient, feed: RevisionFeedShape, limits: AuthzCacheLimits) => {
  const shared = emptyCache(limits)
  const withSql = Effect.provideService(SqlClient.SqlClient, sql)
  const counts = {
    subjectHits: 0,
    subjectMisses: 0,
    objectHits: 0,
    objectMisses: 0,
    ceilingHits: 0,
    ceilingMisses: 0,
    invalidations: 0,
    probes: 0,
  }
  const stats = (): AuthzCacheStats => ({
    ...counts,
    evictions: {
      subjects: shared.subjects.evictions,
      objects: shared.objects.evictions,
      ceilings: shared.ceilings.evictions,
    },
  })

  /** The cache's revision was confirmed by a statement and no commit has been heard of since (feed epoch `epoch`). */
  const confirmedAt = (cache: Cache, epoch: number): boolean =>
    feed.isLive() &&
    cache.revision !== null &&
    cache.validatedEpoch === epoch &&
    feed.latestRevision() <= cache.revision

  /**
   * A statement that started at feed epoch `epoch` read at `revision`: moves the cache forward to it
   * (dropping everything read at an earlier one) and records how recently it was confirmed. Revisions
   * only grow, so a statement that read an older one than the cache holds raced a newer statement:
   * nothing it read may be kept. Returns whether the cache now stands at `revision`.
   */
  const observe = (cache: Cache, revision: bigint, epoch: number): boolean => {
    if (cache.revision !== null && revision < cache.revision) return false
    if (cache.revision !== revision) {
      if (cache === shared && cache.revision !== null) counts.invalidations++
      cache.revision = revision
      cache.validatedEpoch = epoch
      cache.catalogue = null
      cache.subjects.clear()
      cache.objects.clear()
      cache.ceilings.clear()
      return true
    }
    if (epoch > cache.validatedEpoch) cache.validatedEpoch = epoch
    return true
  }

  /** Adopts what a statement read, if the cache stands at (or moves to) that statement's revision. */
  const adopt = (cache: Cache, loaded: Loaded<unknown>, latest: bigint, epoch: number): boolean => {
    if (loaded.revision !== latest) return false
    if (!observe(cache, latest, epoch)) return false
    if (loaded.catalogue !== null) cache.catalogue = loaded.catalogue
    return true
  }

  const load = (request: DecisionInputsRequest): Effect.Effect<DecisionInputs, DbFailure> =>
    Effect.gen(function* () {
      const inTransaction = Option.isSome(yield* Effect.serviceOption(SqlClient.TransactionConnection))
      const now = yield* Clock.currentTimeMillis
      // a transaction gets a private cache that starts empty: it may see its own uncommitted state
      const cache = inTransaction ? emptyCache(limits) : shared
      const subjects = new Map<string, SubjectGrants | null>()
      const objects = new Map<string, ObjectRecord | null>()
      let ceiling: GrantSet | null = null
      let catalogue: Catalogue | null = null
      const subjectIds = [...new Set(request.subjectIds.map(normalId).filter(isUuid))]
      const targetList = request.targets
        .map((ref): ObjectRef => ({ kind: ref.kind, id: normalId(ref.id) }))
        .filter((ref) => isUuid(ref.id))

      // what the final attempt took from the cache, for the hit and miss counts
      let hits = { subjects: 0, objects: 0, ceiling: false }
      for (let attempt = 1; ; attempt++) {
        // every attempt starts from what the cache holds at its revision
        subjects.clear()
        objects.clear()
        ceiling = null
        catalogue = cache.catalogue
        const held = cache.revision
        // read before any statement below, so a commit during it leaves the cache unconfirmed
        const epoch = feed.epoch()
        const confirmed = !inTransaction && confirmedAt(cache, epoch)
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
        hits = { subjects: subjects.size, objects: objects.size, ceiling: ceiling !== null }
        const known = { ifStaleAgainst: catalogue === null ? null : held }

        const wantSubjects = subjectIds.filter((id) => !subjects.has(id))
        const wantTargets = targetList.filter((ref) => !objects.has(refKey(ref)))
        const wantCeiling = request.credentialId !== null && ceiling === null
        const loadSubjects = wantSubjects.length > 0 || wantCeiling

        if (!loadSubjects && wantTargets.length === 0) {
          // everything is cached: current as long as no commit was heard of since it was confirmed
          if (confirmed && catalogue !== null) break
          // else one probe says whether it still is
          if (!inTransaction) counts.probes++
          const probe = yield* withSql(probeRevision(known.ifStaleAgainst))
          const current = observe(cache, probe.revision, epoch)
          if (probe.revision === held && catalogue !== null) break
          if (current && probe.catalogue !== null) cache.catalogue = probe.catalogue
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
          const keep = adopt(cache, subjectStates, latest, epoch)
          for (const id of wantSubjects) {
            const entry = subjectGrantsOf(subjectStates.value, id)
            subjects.set(id, entry)
            if (keep && entry !== null) cache.subjects.set(id, entry)
          }
          if (wantCeiling && request.credentialId !== null) {
            const compiled = compileGrants(ceilingGrants(subjectStates.value.ceiling))
            ceiling = compiled
            if (keep) cache.ceilings.set(request.credentialId, compiled)
          }
        }
        if (resolved !== null) {
          const keep = adopt(cache, resolved, latest, epoch)
          wantTargets.forEach((ref, i) => {
            const record = resolved.value[i] ?? null
            objects.set(refKey(ref), record)
            if (keep && record !== null) cache.objects.set(refKey(ref), record)
          })
        }
        // one snapshot: the statements agree with each other and with the cached pieces used.
        // Under a storm of writes, give up on agreement after three attempts: each piece is still
        // no older than the start of this request.
        const agreed = revisions.every((r) => r === latest) && (!usedHits || held === latest)
        if (agreed || attempt >= 3) break
      }

      if (!inTransaction) {
        counts.subjectHits += hits.subjects
        counts.subjectMisses += subjectIds.length - hits.subjects
        counts.objectHits += hits.objects
        counts.objectMisses += targetList.length - hits.objects
        if (request.credentialId !== null) {
          if (hits.ceiling) counts.ceilingHits++
          else counts.ceilingMisses++
        }
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
    }).pipe(Effect.withSpan("AuthzState.load", { captureStackTrace: false }))

  const remembered = (request: DecisionInputsRequest, now: number): DecisionInputs | undefined => {
    const catalogue = shared.catalogue
    if (catalogue === null || !confirmedAt(shared, feed.epoch())) return undefined
    const ceiling = request.credentialId === null ? null : shared.ceilings.get(request.credentialId)
    if (ceiling === undefined) return undefined
    const subjectIds: Array<string> = []
    const subjects: Array<SubjectGrants> = []
    for (const raw of request.subjectIds) {
      const id = normalId(raw)
      if (subjectIds.includes(id)) continue
      const hit = shared.subjects.get(id)
      if (hit === undefined || !notExpired(hit.grants, now)) return undefined
      subjectIds.push(id)
      subjects.push(hit)
    }
    const objectKeys: Array<string> = []
    const objects: Array<ObjectRecord> = []
    for (const ref of request.targets) {
      const key = refKey(ref)
      const hit = shared.objects.get(key)
      if (hit === undefined) return undefined
      objectKeys.push(key)
      objects.push(hit)
    }
    counts.subjectHits += subjects.length
    counts.objectHits += objects.length
    if (ceiling !== null) counts.ceilingHits++
    return {
      catalogue,
      subject: (id: string) => subjects[subjectIds.indexOf(normalId(id))] ?? null,
      object: (ref: ObjectRef) => objects[objectKeys.indexOf(refKey(ref))] ?? null,
      ceiling,
    }
  }

  return { load, remembered, stats }
}
