import { randomUUID } from "node:crypto"
import type { AuditEvent } from "@atom/domain/audit"
import { Conflict, Forbidden, Internal, InvalidInput, NotFound, Unauthenticated } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import {
  fingerprintMatches,
  type GeneratedSerial,
  generateSerial,
  type InvalidCertificateRequest,
  type InvalidCsr,
  type IssuedLeaf,
  type Issuer,
  issueLeafFromCsr,
  issueLeafWithGeneratedKey,
  normalizeSerial,
  type PkiInternalError,
} from "@atom/engines/pki"
import {
  type CertificateOwnerRow,
  type CertificateRow,
  Certificates,
  CrlStates,
  type NewCertificate,
  revokeEntityCertificatesInTx,
} from "@atom/repositories/certificates"
import { type DbFailure, fromSqlError, notLiveFeed, RevisionFeed } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Clock, Data, Effect, FiberRef, Option, Redacted } from "effect"
import { AuditLog } from "../audit/AuditLog.js"
import { currentAuditRequest } from "../audit/AuditRequestContext.js"
import { auditLogLine } from "../audit/auditLogLine.js"
import { prepareEvent } from "../audit/prepareEvent.js"
import { anyOf, Gate, Platform, Tenant } from "../authz/Gate.js"
import { pageOf } from "../authz/pagination.js"
import { CaSigner } from "./CaSigner.js"
import {
  type CertificateView,
  certificateOwnerIsActive,
  certificateView,
  type IssuedCertificate,
  ownerIsActive,
} from "./CertificateView.js"
import {
  certificateIssueEvent,
  certificateRenewEvent,
  certificateRevokeEntityEvent,
  certificateRevokeEvent,
} from "./certificateEvents.js"
import { onCertificate, onEntity, requireCertificateAction, requireCredentialManagement } from "./certificateGates.js"
import { IssuanceWriter } from "./IssuanceWriter.js"
import { makeOwnerCache } from "./OwnerCache.js"

export interface IssueCertificateInput {
  readonly entityId: string
  readonly ttlSecs?: number | undefined
  readonly commonName?: string | undefined
  readonly dnsNames?: ReadonlyArray<string> | undefined
  readonly ipAddresses?: ReadonlyArray<string> | undefined
}

export interface IssueCertificateFromCsrInput {
  readonly entityId: string
  readonly ttlSecs?: number | undefined
  readonly csrPem: string
}

export interface RenewCertificateInput {
  readonly serialNumber: string
  readonly ttlSecs?: number | undefined
  readonly revokeOld: boolean
}

export interface RevokeCertificateInput {
  readonly serialNumber: string
  readonly reason?: string | undefined
}

export interface CertificateListInput {
  readonly entityId?: string | undefined
  readonly tenantId?: string | undefined
  readonly status?: string | undefined
  readonly limit?: number | undefined
  readonly offset?: number | undefined
}

/** `certificate(credentialId | serialNumber)`. */
export type CertificateRef =
  | { readonly _tag: "CredentialId"; readonly credentialId: string }
  | { readonly _tag: "SerialNumber"; readonly serialNumber: string }

/** gRPC `ResolveCertificate`'s answer. */
export interface ResolvedCertificate {
  readonly entityId: string
  readonly tenantId: string | null
  readonly credentialId: string
  readonly expiresAt: Date
}

/** The credential a leaf was just stored as. */
interface StoredLeaf {
  readonly credentialId: string
  readonly serialNumber: string
}

/** Writes a leaf's row and what goes with it: its creation time, or undefined when the serial was taken. */
type Persist = (row: NewCertificate) => Effect.Effect<Date | undefined, DbFailure>

const storedOf = (row: NewCertificate): StoredLeaf => ({ credentialId: row.id, serialNumber: row.serialNumber })

const ownerRef = (owner: CertificateOwnerRow) => ({ entityId: owner.id, tenantId: owner.tenantId })

/** A serial taken between signing and storing: sign again with a fresh one. */
class SerialClash extends Data.TaggedError("SerialClash")<{}> {}

const SERIAL_RETRIES = 3
const NOT_FOUND = "not found"
const ENTITY_NOT_FOUND = "entity not found"

const entityNotFound = () => new NotFound({ message: ENTITY_NOT_FOUND })

/** The engine's refusals as the contract's errors; its internal failures are logged and hidden. */
const fromPki = <A, R>(
  effect: Effect.Effect<A, InvalidCertificateRequest | InvalidCsr | PkiInternalError, R>,
): Effect.Effect<A, InvalidInput | Internal, R> =>
  effect.pipe(
    Effect.catchTags({
      InvalidCertificateRequest: (e) => Effect.fail(new InvalidInput({ message: e.message })),
      InvalidCsr: (e) =>
        Effect.logDebug("CSR refused").pipe(
          Effect.annotateLogs({ reason: e.reason }),
          Effect.zipRight(Effect.fail(new InvalidInput({ message: e.message }))),
        ),
      PkiInternalError: (e) =>
        Effect.logError("certificate issuance failed").pipe(
          Effect.annotateLogs({ detail: e.detail }),
          Effect.zipRight(Effect.fail(new Internal())),
        ),
    }),
  )

const serialOf = (input: string): Effect.Effect<string, InvalidInput> =>
  Effect.mapError(normalizeSerial(input), (e) => new InvalidInput({ message: e.message }))

const reasonOr = (reason: string | undefined, fallback: string): string => {
  const trimmed = reason?.trim() ?? ""
  return trimmed === "" ? fallback : trimmed
}

/**
 * Issuance spans record no creation stack: `withSpan` otherwise captures an Error on every call, about
 * 1 % of an issued certificate's CPU in a profile (the span's name says where it comes from).
 */
const NO_STACK = { captureStackTrace: false } as const

/**
 * Certificate use cases (spec identity-certs §3.2–3.6): issuance from a server-generated key or a
 * CSR, renewal, revocation, reads, and runtime resolution. Each issued certificate is one
 * credential row written in one transaction with whatever else changes; every revocation marks the
 * CRL dirty in the same transaction.
 */
export class CertificateService extends Effect.Service<CertificateService>()("atom/CertificateService", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const gate = yield* Gate
    const signer = yield* CaSigner
    const certificates = yield* Certificates
    const crl = yield* CrlStates
    const audit = yield* AuditLog
    const writer = yield* IssuanceWriter

    const transactionally = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E | DbFailure> =>
      sql.withTransaction(effect).pipe(Effect.mapError((e) => (e instanceof SqlError ? fromSqlError(e) : e)))

    const ownerOf = makeOwnerCache(
      Option.getOrElse(yield* Effect.serviceOption(RevisionFeed), () => notLiveFeed),
      certificates.owner,
    )

    /** Credential management of the entity, then the entity must be active (else 404 `entity not found`). */
    const requireIssuableOwner = (caller: Caller, entityId: string) =>
      Effect.gen(function* () {
        const owner = yield* ownerOf(entityId)
        yield* requireCredentialManagement(gate, caller, entityId, owner?.tenantId ?? null)
        return owner
      })

    const activeOwner = (owner: CertificateOwnerRow | undefined): Effect.Effect<CertificateOwnerRow, NotFound> =>
      owner !== undefined && ownerIsActive(owner) ? Effect.succeed(owner) : Effect.fail(entityNotFound())

    const certificateBySerial = (serialNumber: string) =>
      Effect.gen(function* () {
        const serial = yield* serialOf(serialNumber)
        const row = yield* certificates.bySerial(serial)
        if (row === undefined) return yield* new NotFound({ message: NOT_FOUND })
        return row
      })

    /**
     * The leaf and its audit event alone: group-committed by the IssuanceWriter (the row and its audit
     * record in one transaction, shared with the leaves issued at the same moment). The event is prepared
     * here, so it carries this request's facts (client IP, user agent, request id).
     */
    const storeAudited =
      (event: (stored: StoredLeaf) => AuditEvent): Persist =>
      (row) =>
        Effect.gen(function* () {
          const prepared = prepareEvent(
            event(storedOf(row)),
            yield* Clock.currentTimeMillis,
            yield* FiberRef.get(currentAuditRequest),
          )
          const created = yield* writer.store(row, prepared)
          if (created !== undefined) yield* auditLogLine(prepared)
          return created
        })

    /** The leaf and more writes (which record their own audit event), in a transaction of its own. */
    const storeWith =
      (alsoInTransaction: (stored: StoredLeaf) => Effect.Effect<void, DbFailure>): Persist =>
      (row) =>
        transactionally(
          Effect.gen(function* () {
            const created = yield* certificates.insert(row)
            if (created === undefined) return undefined
            yield* alsoInTransaction(storedOf(row))
            return created
          }),
        )

    /**
     * Signs with a fresh serial and stores the leaf with `persist`; a serial clash signs again, up
     * to 3 times, then 409 `failed to allocate a unique certificate serial number`.
     */
    const signAndStore = <L extends IssuedLeaf, E>(input: {
      readonly issuer: Issuer
      readonly owner: CertificateOwnerRow
      readonly sign: (serial: GeneratedSerial) => Effect.Effect<L, E>
      readonly describe: (leaf: L) => {
        readonly subject: Readonly<Record<string, string>>
        readonly dnsNames: ReadonlyArray<string>
        readonly ipAddresses: ReadonlyArray<string>
      }
      readonly persist: Persist
    }) =>
      Effect.gen(function* () {
        const leaf = yield* input.sign(generateSerial())
        const id = randomUUID()
        const described = input.describe(leaf)
        const createdAt = yield* input.persist({
          id,
          entityId: input.owner.id,
          serialNumber: leaf.serialNumber,
          fingerprintSha256: leaf.fingerprintSha256,
          certificatePem: leaf.certificatePem,
          notBefore: leaf.notBefore,
          notAfter: leaf.notAfter,
          subject: described.subject,
          dnsNames: described.dnsNames,
          ipAddresses: described.ipAddresses,
          issuedFromCsr: leaf.issuedFromCsr,
          issuerKind: input.issuer.kind,
          issuerSubject: input.issuer.subject,
          issuerSerialNumber: input.issuer.serialNumber,
          issuerFingerprintSha256: input.issuer.fingerprintSha256,
        })
        if (createdAt === undefined) return yield* new SerialClash()
        const view: CertificateView = {
          credentialId: id,
          entityId: input.owner.id,
          tenantId: input.owner.tenantId,
          serialNumber: leaf.serialNumber,
          status: "active",
          certificatePem: leaf.certificatePem,
          subject: described.subject,
          dnsNames: described.dnsNames,
          ipAddresses: described.ipAddresses,
          fingerprintSha256: leaf.fingerprintSha256,
          expiresAt: leaf.notAfter,
          createdAt,
          revokedAt: null,
          revocationReason: null,
        }
        return { leaf, view }
      }).pipe(
        Effect.retry({ times: SERIAL_RETRIES, while: (e) => e instanceof SerialClash }),
        Effect.catchTag("SerialClash", () =>
          Effect.fail(new Conflict({ message: "failed to allocate a unique certificate serial number" })),
        ),
      )

    /** A fresh P-256 key and a leaf for an active owner (issueCertificate and renewCertificate). */
    const issueGenerated = (
      issuer: Issuer,
      owner: CertificateOwnerRow,
      input: {
        readonly ttlSecs: number | undefined
        readonly commonName: string
        readonly dnsNames: ReadonlyArray<string>
        readonly ipAddresses: ReadonlyArray<string>
      },
      persist: Persist,
    ) =>
      Effect.map(
        signAndStore({
          issuer,
          owner,
          sign: (serial) =>
            fromPki(
              issueLeafWithGeneratedKey({
                issuer,
                commonName: input.commonName,
                dnsNames: input.dnsNames,
                ipAddresses: input.ipAddresses,
                ttlSecs: input.ttlSecs,
                settings: signer.settings,
                serial,
              }),
            ),
          describe: (leaf) => ({
            subject: { common_name: leaf.commonName },
            dnsNames: leaf.dnsNames,
            ipAddresses: leaf.ipAddresses,
          }),
          persist,
        }),
        ({ leaf, view }): IssuedCertificate => ({
          certificate: view,
          privateKeyPem: Redacted.make(leaf.privateKeyPem),
        }),
      )

    const issue = (caller: Caller, input: IssueCertificateInput) =>
      Effect.gen(function* () {
        const owner = yield* requireIssuableOwner(caller, input.entityId)
        const issuer = yield* signer.issuer
        const active = yield* activeOwner(owner)
        const commonName = input.commonName?.trim() ? input.commonName : active.id
        return yield* writer.expecting(
          issueGenerated(
            issuer,
            active,
            {
              ttlSecs: input.ttlSecs,
              commonName,
              dnsNames: input.dnsNames ?? [],
              ipAddresses: input.ipAddresses ?? [],
            },
            storeAudited((stored) => certificateIssueEvent(caller, { ...stored, ...ownerRef(active) }, false)),
          ),
        )
      }).pipe(Effect.withSpan("CertificateService.issue", NO_STACK))

    const issueFromCsr = (caller: Caller, input: IssueCertificateFromCsrInput) =>
      Effect.gen(function* () {
        const owner = yield* requireIssuableOwner(caller, input.entityId)
        const issuer = yield* signer.issuer
        const active = yield* activeOwner(owner)
        const { view } = yield* writer.expecting(
          signAndStore({
            issuer,
            owner: active,
            sign: (serial) =>
              fromPki(
                issueLeafFromCsr({
                  issuer,
                  csr: input.csrPem,
                  ttlSecs: input.ttlSecs,
                  settings: signer.settings,
                  serial,
                }),
              ),
            describe: (leaf) => ({
              subject: { csr_subject: leaf.csr.subject },
              dnsNames: leaf.csr.dnsNames,
              ipAddresses: leaf.csr.ipAddresses,
            }),
            persist: storeAudited((stored) => certificateIssueEvent(caller, { ...stored, ...ownerRef(active) }, true)),
          }),
        )
        return { certificate: view, privateKeyPem: null } satisfies IssuedCertificate
      }).pipe(Effect.withSpan("CertificateService.issueFromCsr", NO_STACK))

    /** Always a new generated key, reusing the entity, DNS/IP lists and common name (spec §3.2). */
    const renew = (caller: Caller, input: RenewCertificateInput) =>
      Effect.gen(function* () {
        const old = yield* certificateBySerial(input.serialNumber)
        if (old.status === "revoked") return yield* new InvalidInput({ message: "cannot renew a revoked certificate" })
        yield* requireCertificateAction(gate, caller, ["rotate", "manage"], old)
        const issuer = yield* signer.issuer
        const owner = yield* activeOwner(yield* ownerOf(old.entityId))
        const commonName = old.subject?.common_name
        return yield* issueGenerated(
          issuer,
          owner,
          {
            ttlSecs: input.ttlSecs,
            commonName: typeof commonName === "string" && commonName !== "" ? commonName : owner.id,
            dnsNames: old.dnsNames ?? [],
            ipAddresses: old.ipAddresses ?? [],
          },
          storeWith((stored) =>
            Effect.gen(function* () {
              if (input.revokeOld) {
                yield* certificates.revoke(old.id, "superseded")
                yield* crl.markAllDirty
              }
              yield* audit.recordInTx(
                certificateRenewEvent(caller, {
                  ...ownerRef(owner),
                  oldSerialNumber: old.serialNumber,
                  newSerialNumber: stored.serialNumber,
                  newCredentialId: stored.credentialId,
                }),
              )
            }),
          ),
        )
      }).pipe(Effect.withSpan("CertificateService.renew", NO_STACK))

    const reread = (id: string) =>
      Effect.flatMap(certificates.byId(id), (row) =>
        row === undefined ? Effect.fail(new NotFound({ message: NOT_FOUND })) : Effect.succeed(certificateView(row)),
      )

    /** Sets revoked (again: overwrites the time), reason default `unspecified`; the CRL goes dirty. */
    const revoke = (caller: Caller, input: RevokeCertificateInput) =>
      Effect.gen(function* () {
        const row = yield* certificateBySerial(input.serialNumber)
        yield* requireCertificateAction(gate, caller, ["revoke", "manage"], row)
        const reason = reasonOr(input.reason, "unspecified")
        yield* transactionally(
          Effect.all([
            certificates.revoke(row.id, reason),
            crl.markAllDirty,
            audit.recordInTx(
              certificateRevokeEvent(caller, {
                credentialId: row.id,
                tenantId: row.tenantId,
                serialNumber: row.serialNumber,
                reason,
              }),
            ),
          ]),
        )
        return yield* reread(row.id)
      }).pipe(Effect.withSpan("CertificateService.revoke"))

    const revokeAllOf = (caller: Caller, owner: CertificateOwnerRow, reason: string | undefined) => {
      const why = reasonOr(reason, "entity_revoked")
      return transactionally(
        Effect.gen(function* () {
          const count = yield* Effect.provideService(
            revokeEntityCertificatesInTx(owner.id, why),
            SqlClient.SqlClient,
            sql,
          )
          yield* audit.recordInTx(certificateRevokeEntityEvent(caller, ownerRef(owner), count, why))
          return count
        }),
      )
    }

    /** GraphQL `revokeEntityCertificates`: credential management; the entity must be active. */
    const revokeEntity = (caller: Caller, entityId: string, reason: string | undefined) =>
      Effect.gen(function* () {
        const owner = yield* activeOwner(yield* requireIssuableOwner(caller, entityId))
        return yield* revokeAllOf(caller, owner, reason)
      }).pipe(Effect.withSpan("CertificateService.revokeEntity"))

    /** gRPC `RevokeEntityCertificates`: manage on the entity or its tenant (platform when global). */
    const revokeEntityAsService = (caller: Caller, entityId: string, reason: string | undefined) =>
      Effect.gen(function* () {
        const owner = yield* ownerOf(entityId)
        yield* gate.require(caller, onEntity(["manage"], entityId, owner?.tenantId ?? null))
        return yield* revokeAllOf(caller, yield* activeOwner(owner), reason)
      }).pipe(Effect.withSpan("CertificateService.revokeEntityAsService"))

    /** Read access to one certificate: read/manage on it, else on its owner (self included) or its tenant. */
    const canRead = (caller: Caller, row: CertificateRow) =>
      Effect.gen(function* () {
        if (!caller.scoped && caller.entityId === row.entityId) return true
        return yield* gate.allows(caller, [
          ...onCertificate(["read", "manage"], row.id),
          ...onEntity(["read", "manage"], row.entityId, row.tenantId),
        ])
      })

    const get = (caller: Caller, ref: CertificateRef) =>
      Effect.gen(function* () {
        const row =
          ref._tag === "CredentialId"
            ? yield* certificates.byId(ref.credentialId)
            : yield* certificates.bySerial(yield* serialOf(ref.serialNumber))
        if (row === undefined) return yield* new NotFound({ message: NOT_FOUND })
        if (!(yield* canRead(caller, row))) return yield* new Forbidden({ reason: "certificate read" })
        if (!certificateOwnerIsActive(row)) return yield* entityNotFound()
        return certificateView(row)
      }).pipe(Effect.withSpan("CertificateService.get"))

    /**
     * `certificates` (spec §3.6): by entity (its read gate), by tenant (read/manage there), else
     * everything for platform readers or the caller's own tenant; `total` is the page length.
     */
    const list = (caller: Caller, input: CertificateListInput) =>
      Effect.gen(function* () {
        const status = input.status
        if (status !== undefined && status !== "active" && status !== "revoked") {
          return yield* new InvalidInput({
            message: `invalid status filter: ${status} (expected 'active' or 'revoked')`,
          })
        }
        const page = pageOf(input.limit, input.offset)
        const scope = yield* Effect.gen(function* () {
          if (input.entityId !== undefined) {
            const owner = yield* ownerOf(input.entityId)
            if (owner === undefined) return yield* new NotFound({ message: `entity ${input.entityId} not found` })
            if (caller.scoped || caller.entityId !== owner.id) {
              yield* gate.require(caller, onEntity(["read", "manage"], owner.id, owner.tenantId))
            }
            return { entityId: owner.id, tenantId: undefined }
          }
          if (input.tenantId !== undefined) {
            yield* gate.require(caller, anyOf(["read", "manage"], Tenant(input.tenantId), Platform))
            return { entityId: undefined, tenantId: input.tenantId }
          }
          if (yield* gate.allows(caller, anyOf(["read", "manage"], Platform))) {
            return { entityId: undefined, tenantId: undefined }
          }
          const home = caller.tenantId
          if (home !== null && (yield* gate.allows(caller, anyOf(["read", "manage"], Tenant(home))))) {
            return { entityId: undefined, tenantId: home }
          }
          return yield* new Forbidden({ reason: "certificates listing" })
        })
        const rows = yield* certificates.list({
          ...scope,
          status,
          limit: page.limit,
          offset: page.offset,
        })
        const items = rows.map(certificateView)
        return { items, total: items.length }
      }).pipe(Effect.withSpan("CertificateService.list"))

    /** GraphQL `caChain` and `GET /certs/ca-chain`: public; 400 when certificates are disabled. */
    const caChain = Effect.map(signer.issuer, (issuer) => issuer.chainPem)

    /**
     * gRPC `ResolveCertificate`. The serial is checked, the certificate looked up (NOT_FOUND only
     * for an unknown serial) and the caller authorised (`authz.check` at the certificate's tenant or
     * the platform) before anything about its state is told — the reference validates first and so
     * leaks revocation and expiry to any caller (spec §8.9); an authorised caller sees the same codes:
     * `certificate revoked`, `certificate expired`, `certificate fingerprint mismatch` (UNAUTHENTICATED),
     * then `entity not found` for an inactive owner.
     */
    const resolve = (caller: Caller, serialNumber: string, fingerprintSha256: string | undefined) =>
      Effect.gen(function* () {
        const row = yield* certificateBySerial(serialNumber)
        yield* gate.require(caller, anyOf(["authz.check"], Tenant(row.tenantId), Platform))
        if (row.status === "revoked") return yield* new Unauthenticated({ message: "certificate revoked" })
        if (row.expiresAt === null) return yield* new Unauthenticated({ message: "certificate has no expiry" })
        if (row.expiresAt.getTime() <= Date.now()) {
          return yield* new Unauthenticated({ message: "certificate expired" })
        }
        if (
          fingerprintSha256 !== undefined &&
          fingerprintSha256.trim() !== "" &&
          !fingerprintMatches(fingerprintSha256, row.fingerprintSha256)
        ) {
          return yield* new Unauthenticated({ message: "certificate fingerprint mismatch" })
        }
        if (!certificateOwnerIsActive(row)) return yield* entityNotFound()
        return {
          entityId: row.entityId,
          tenantId: row.tenantId,
          credentialId: row.id,
          expiresAt: row.expiresAt,
        } satisfies ResolvedCertificate
      }).pipe(Effect.withSpan("CertificateService.resolve"))

    return {
      issue,
      issueFromCsr,
      renew,
      revoke,
      revokeEntity,
      revokeEntityAsService,
      get,
      list,
      caChain,
      resolve,
    } as const
  }),
}) {}
