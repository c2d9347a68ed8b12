import { AtomConfig } from "@atom/domain/config"
import { Internal } from "@atom/domain/errors"
import type { KeyEncryptionKey } from "@atom/engines/secrets"
import {
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateSigningKey,
  importSigningKey,
  importVerificationKey,
  type Jwks,
  jwks,
  openSigningKey,
  type SigningKey,
  sealSigningKey,
  type VerificationKey,
} from "@atom/engines/tokens"
import { type DbFailure, fromSqlError, notLiveFeed, RevisionFeed } from "@atom/repositories/db"
import { type NewSigningKey, type SigningKeyRow, SigningKeys } from "@atom/repositories/identity"
import { SqlClient } from "@effect/sql"
import { Context, Duration, Effect, Either, Layer, Option, Schedule } from "effect"
import { Kek, KekUnavailable } from "./Kek.js"

interface Loaded {
  readonly primary: SigningKey
  readonly standby: VerificationKey | null
  readonly byKid: ReadonlyMap<string, VerificationKey>
  readonly jwks: Jwks
}

export interface SigningKeyInfo {
  readonly kid: string
  readonly status: string
  readonly algorithm: "ES256"
  readonly createdAt: Date
  readonly storageMode: "encrypted" | "plaintext"
  readonly keyEncryptionKeyId: string | null
}

export interface SigningKeyState {
  readonly configuredKeyId: string
  readonly encryptedCount: number
  readonly plaintextCount: number
  readonly totalCount: number
  readonly plaintextAllowed: boolean
}

/** How often the ring checks whether another replica changed the keys (and, with no live feed, reloads). */
export const KEY_RING_CHECK_INTERVAL_MS = 500

/**
 * The JWT signing keys in memory: the primary signs, primary and standby verify. Rotation swaps
 * them in one transaction; tokens of the previous primary keep verifying until the next rotation.
 * A change on any replica is announced (migration 0012, the feed's `keysEpoch`): a fiber of the
 * layer's scope reloads within KEY_RING_CHECK_INTERVAL_MS of the announcement (every interval while
 * the feed is not live), and a token with an unknown `kid` reloads first when an announcement is
 * pending, so no replica signs with a retired key or refuses the new primary until it restarts.
 */
export class KeyRing extends Context.Tag("atom/KeyRing")<
  KeyRing,
  {
    readonly signer: () => SigningKey
    readonly verifier: (kid: string) => VerificationKey | undefined
    /** `verifier`, but an unknown `kid` first reloads the keys when a change was announced since the last load */
    readonly verifierFresh: (kid: string) => Effect.Effect<VerificationKey | undefined>
    readonly jwks: () => Jwks
    readonly rotate: Effect.Effect<void, DbFailure | Internal>
    readonly state: Effect.Effect<SigningKeyState, DbFailure>
    /** Every key row for `signingKeys`: no key material. */
    readonly list: Effect.Effect<ReadonlyArray<SigningKeyInfo>, DbFailure>
  }
>() {
  static readonly Live = Layer.scoped(
    KeyRing,
    Effect.gen(function* () {
      const config = yield* AtomConfig
      const repo = yield* SigningKeys
      const sql = yield* SqlClient.SqlClient
      const kek = (yield* Kek).key
      const feed = Option.getOrElse(yield* Effect.serviceOption(RevisionFeed), () => notLiveFeed)
      const plaintextAllowed = config.auth.allowPlaintextSigningKeys

      const fresh = Effect.gen(function* () {
        const key = generateSigningKey()
        const sealed = Option.map(kek, (k) => sealSigningKey(k, key))
        if (Option.isNone(sealed) && !plaintextAllowed) {
          return yield* Effect.fail(
            new KekUnavailable({
              message:
                "ATOM_KEY_ENCRYPTION_KEY must be set to create signing keys (or ATOM_ALLOW_PLAINTEXT_SIGNING_KEYS=true)",
            }),
          )
        }
        const row: NewSigningKey = {
          kid: key.kid,
          publicKeyPem: exportPublicKeyPem(key),
          publicJwk: { ...key.publicJwk },
          sealed: Option.getOrNull(sealed),
          plaintextPem: Option.isSome(sealed) ? null : exportPrivateKeyPem(key),
        }
        return row
      })

      const openRow = (
        row: SigningKeyRow,
        k: Option.Option<KeyEncryptionKey>,
      ): Either.Either<SigningKey, { readonly message: string }> => {
        if (row.privateKeyPem !== null) {
          return importSigningKey(row.kid, row.privateKeyPem)
        }
        if (Option.isNone(k) || !row.privateKeyCiphertext || !row.privateKeyNonce || !row.privateKeyKeyId) {
          return Either.left(
            new KekUnavailable({ message: `signing key ${row.kid} is sealed and no key-encryption key is configured` }),
          )
        }
        return openSigningKey(k.value, row.kid, {
          ciphertext: row.privateKeyCiphertext,
          nonce: row.privateKeyNonce,
          keyId: row.privateKeyKeyId,
          algorithm: "AES-256-GCM",
        })
      }

      /** The active keys; those `previous` already holds are kept as they are (a remembered token's key stays its own). */
      const load = (previous: Loaded | undefined) =>
        Effect.gen(function* () {
          const rows = yield* repo.active
          const primaryRow = rows.find((r) => r.status === "primary")
          if (!primaryRow) return yield* Effect.fail(new KekUnavailable({ message: "no primary signing key" }))
          const standbyRow = rows.find((r) => r.status === "standby")
          if (previous?.primary.kid === primaryRow.kid && (previous.standby?.kid ?? null) === (standbyRow?.kid ?? null))
            return previous
          const primary =
            previous?.primary.kid === primaryRow.kid ? Either.right(previous.primary) : openRow(primaryRow, kek)
          if (Either.isLeft(primary)) return yield* Effect.fail(new KekUnavailable({ message: primary.left.message }))
          const kept = standbyRow ? previous?.byKid.get(standbyRow.kid) : undefined
          const standby = standbyRow
            ? kept !== undefined
              ? Either.right(kept)
              : importVerificationKey(standbyRow.kid, standbyRow.publicKeyPem)
            : undefined
          if (standby && Either.isLeft(standby))
            return yield* Effect.fail(new KekUnavailable({ message: standby.left.message }))
          const standbyKey = standby ? standby.right : null
          const byKid = new Map<string, VerificationKey>([[primary.right.kid, primary.right]])
          if (standbyKey) byKid.set(standbyKey.kid, standbyKey)
          return {
            primary: primary.right,
            standby: standbyKey,
            byKid,
            jwks: jwks(primary.right, standbyKey),
          } satisfies Loaded
        })

      // first start: create the primary under a lock, so replicas starting together agree on one
      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* repo.lock
          const rows = yield* repo.active
          if (!rows.some((r) => r.status === "primary")) yield* repo.insertPrimary(yield* fresh)
        }),
      )
      // swapped whole on rotation; reads are a plain field access on the hot path
      let loadedEpoch = feed.keysEpoch()
      let current: Loaded = yield* load(undefined)
      const reloading = yield* Effect.makeSemaphore(1)
      /** Reads the keys again; `onlyIfAnnounced`: unless nothing was announced since the last load. */
      const reload = (onlyIfAnnounced: boolean) =>
        reloading.withPermits(1)(
          Effect.gen(function* () {
            const epoch = feed.keysEpoch()
            if (onlyIfAnnounced && epoch === loadedEpoch) return
            current = yield* load(current)
            loadedEpoch = epoch
          }),
        )
      // one warning per outage, not one every interval while the database is down; one line when it is back
      let failing = false
      const keepLoaded = (e: { readonly message: string }) =>
        Effect.suspend(() => {
          if (failing) return Effect.void
          failing = true
          return Effect.logWarning("signing keys reload failed; keeping the loaded keys until it succeeds").pipe(
            Effect.annotateLogs({ error: e.message }),
          )
        })
      const recovered = Effect.suspend(() => {
        if (!failing) return Effect.void
        failing = false
        return Effect.logInfo("signing keys reload succeeded again")
      })
      // announced changes within the interval; with no live feed, a reload every interval regardless
      yield* Effect.forkScoped(
        Effect.suspend(() => reload(feed.isLive())).pipe(
          Effect.zipRight(recovered),
          Effect.catchAll(keepLoaded),
          Effect.catchAllDefect((d) => Effect.logError("signing keys reload crashed", d)),
          Effect.repeat(Schedule.spaced(Duration.millis(KEY_RING_CHECK_INTERVAL_MS))),
        ),
      )

      const rotate = Effect.gen(function* () {
        const row = yield* fresh
        yield* sql
          .withTransaction(Effect.zipRight(repo.lock, repo.rotate(row)))
          .pipe(Effect.catchTag("SqlError", (e) => Effect.fail(fromSqlError(e))))
        yield* reload(false)
      }).pipe(
        Effect.catchTag("KekUnavailable", () => Effect.fail(new Internal())),
        Effect.withSpan("KeyRing.rotate"),
      )

      return {
        signer: () => current.primary,
        verifier: (kid: string) => current.byKid.get(kid),
        verifierFresh: (kid: string) =>
          Effect.suspend(() => {
            const key = current.byKid.get(kid)
            if (key !== undefined || feed.keysEpoch() === loadedEpoch) return Effect.succeed(key)
            return reload(true).pipe(
              Effect.catchAll(keepLoaded),
              Effect.map(() => current.byKid.get(kid)),
            )
          }),
        jwks: () => current.jwks,
        rotate,
        list: Effect.map(repo.all, (rows) =>
          rows.map(
            (r): SigningKeyInfo => ({
              kid: r.kid,
              status: r.status,
              algorithm: "ES256",
              createdAt: r.createdAt,
              storageMode: r.privateKeyPem === null ? "encrypted" : "plaintext",
              keyEncryptionKeyId: r.privateKeyKeyId,
            }),
          ),
        ),
        state: Effect.map(repo.all, (rows) => {
          const plaintext = rows.filter((r) => r.privateKeyPem !== null).length
          return {
            configuredKeyId: config.auth.keyEncryptionKeyId,
            encryptedCount: rows.length - plaintext,
            plaintextCount: plaintext,
            totalCount: rows.length,
            plaintextAllowed,
          }
        }),
      }
    }),
  )
}
