import { Internal, type InvalidInput } from "@atom/domain/errors"
import { buildCrl, CRL_VALIDITY_SECS, type Issuer } from "@atom/engines/pki"
import { Certificates, type CrlStampRow, CrlStates } from "@atom/repositories/certificates"
import { DbBackend, type DbFailure, fromSqlError } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Option } from "effect"
import { CaSigner } from "./CaSigner.js"

interface CachedCrl {
  readonly issuerFingerprintSha256: string
  readonly crlNumber: bigint
  readonly der: Uint8Array
  readonly nextUpdate: Date
}

/** The stored CRL is the one to serve (from memory, or from its stored DER when it has one). */
const isCurrent = (stamp: CrlStampRow, now: number): boolean =>
  !stamp.dirty && stamp.nextUpdate !== null && stamp.nextUpdate.getTime() > now

const wholeSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000)

/**
 * `GET /certs/crl` (spec §3.4): the issuer's CRL, DER. Served from memory while the stored state
 * says it is current (same number, not dirty, before nextUpdate) — one small read per request, so
 * a revocation on any replica is seen at once. Otherwise regenerated under a Postgres advisory
 * lock, so replicas never race (on Postgres the DER is stored for the other replicas; embedded, only
 * its number and window): the number is previous + 1 (strictly increasing, persisted), the
 * entries are every revoked certificate of this issuer (reason unspecified), nextUpdate = +24 h.
 */
export class CrlService extends Effect.Service<CrlService>()("atom/CrlService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const signer = yield* CaSigner
    const states = yield* CrlStates
    const certificates = yield* Certificates
    // An embedded database serves one process: the DER it would store (MBs for a large CRL, seconds of
    // PGlite's time) could only be read back by this process, which holds it in memory. Its number and
    // window are stored all the same, so numbers keep increasing across restarts.
    const keepDerInDatabase = Option.match(yield* Effect.serviceOption(DbBackend), {
      onNone: () => true,
      onSome: (backend) => backend.kind !== "pglite",
    })

    // the row exists from startup on, so every revocation (whoever writes it) finds it to mark dirty
    if (signer.state._tag === "Loaded") yield* states.ensure(signer.state.issuer.fingerprintSha256)

    let cached: CachedCrl | undefined
    // one regeneration at a time per process: a burst of requests after a revocation waits here
    // rather than each holding a pooled connection while it waits for the advisory lock
    const regenerating = yield* Effect.makeSemaphore(1)

    /** The CRL held in memory, when it is the one the stored state names. */
    const held = (fingerprint: string, crlNumber: bigint): CachedCrl | undefined =>
      cached !== undefined && cached.issuerFingerprintSha256 === fingerprint && cached.crlNumber === crlNumber
        ? cached
        : undefined

    const transactionally = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | DbFailure> =>
      sql.withTransaction(effect).pipe(Effect.mapError((e) => (e instanceof SqlError ? fromSqlError(e) : e)))

    const regenerate = (issuer: Issuer) =>
      transactionally(
        Effect.gen(function* () {
          const fingerprint = issuer.fingerprintSha256
          yield* states.lock
          yield* states.ensure(fingerprint)
          // the stamp first: the DER (MBs for a large CRL) is read only when it is current after all
          const stamp = yield* states.stamp(fingerprint, { forUpdate: true })
          const now = Date.now()
          // another replica (or request) regenerated it while this one waited for the lock
          if (stamp !== undefined && isCurrent(stamp, now)) {
            const mine = held(fingerprint, stamp.crlNumber)
            if (mine !== undefined) return mine
            const row = stamp.hasDer ? yield* states.read(fingerprint, { forUpdate: false }) : undefined
            if (row !== undefined && row.crlDer !== null && row.nextUpdate !== null) {
              return {
                issuerFingerprintSha256: fingerprint,
                crlNumber: row.crlNumber,
                der: row.crlDer,
                nextUpdate: row.nextUpdate,
              } satisfies CachedCrl
            }
          }
          const revoked = yield* certificates.revokedOfIssuer(fingerprint)
          const crlNumber = (stamp?.crlNumber ?? 0n) + 1n
          const thisUpdate = wholeSeconds(now)
          const nextUpdate = new Date(thisUpdate.getTime() + CRL_VALIDITY_SECS * 1000)
          const der = yield* buildCrl({
            issuer,
            crlNumber,
            thisUpdate,
            nextUpdate,
            entries: revoked.map((entry) => ({
              serialNumber: entry.serialNumber,
              revokedAt: entry.revokedAt,
              reason: "unspecified" as const,
            })),
          }).pipe(
            Effect.catchAll((e) =>
              Effect.logError("CRL generation failed").pipe(
                Effect.annotateLogs({ detail: e._tag === "PkiInternalError" ? e.detail : e.message }),
                Effect.zipRight(Effect.fail(new Internal())),
              ),
            ),
          )
          yield* states.store({
            issuerFingerprintSha256: fingerprint,
            crlNumber,
            crlDer: keepDerInDatabase ? der : new Uint8Array(0),
            thisUpdate,
            nextUpdate,
          })
          yield* Effect.logInfo("CRL regenerated").pipe(
            Effect.annotateLogs({ crl_number: crlNumber.toString(), entries: revoked.length }),
          )
          return { issuerFingerprintSha256: fingerprint, crlNumber, der, nextUpdate } satisfies CachedCrl
        }),
      ).pipe(Effect.withSpan("CrlService.regenerate"))

    const current: Effect.Effect<Uint8Array, InvalidInput | Internal | DbFailure> = Effect.gen(function* () {
      const issuer = yield* signer.issuer
      const fingerprint = issuer.fingerprintSha256
      const stamp = yield* states.stamp(fingerprint)
      if (stamp !== undefined && isCurrent(stamp, Date.now())) {
        const mine = held(fingerprint, stamp.crlNumber)
        if (mine !== undefined) return mine.der
        const row = stamp.hasDer ? yield* states.read(fingerprint, { forUpdate: false }) : undefined
        if (row !== undefined && row.crlDer !== null && row.nextUpdate !== null && row.crlNumber === stamp.crlNumber) {
          cached = {
            issuerFingerprintSha256: fingerprint,
            crlNumber: row.crlNumber,
            der: row.crlDer,
            nextUpdate: row.nextUpdate,
          }
          return row.crlDer
        }
      }
      const made = yield* regenerating.withPermits(1)(regenerate(issuer))
      cached = made
      return made.der
    }).pipe(Effect.withSpan("CrlService.current"))

    return { current } as const
  }),
}) {}
