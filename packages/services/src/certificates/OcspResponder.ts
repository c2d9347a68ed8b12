import {
  buildOcspResponse,
  certIdMatchesIssuer,
  type Issuer,
  MAX_OCSP_REQUEST_BYTES,
  OCSP_VALIDITY_SECS,
  type OcspCertStatus,
  type OcspRequest,
  type OcspSingleResponse,
  OcspStatus,
  ocspUnsuccessfulResponse,
  parseOcspRequest,
} from "@atom/engines/pki"
import { Certificates, type SerialStatusRow } from "@atom/repositories/certificates"
import { Effect, Either } from "effect"
import { CaSigner } from "./CaSigner.js"

/** `malformedRequest` (1): garbage, oversize bodies, and every request while certificates are disabled. */
export const OCSP_MALFORMED_REQUEST: Uint8Array = ocspUnsuccessfulResponse("malformedRequest")
/** `internalError` (2): the status could not be read or the response not signed. */
export const OCSP_INTERNAL_ERROR: Uint8Array = ocspUnsuccessfulResponse("internalError")

/** Larger request bodies are `malformedRequest` (a CertID is about 75 bytes). */
export const OCSP_MAX_REQUEST_BYTES: number = MAX_OCSP_REQUEST_BYTES

/** Signed responses kept for reuse; the oldest goes first past this many. */
const CACHE_ENTRIES = 10_000
/** A cached response is not served in the last minute before its nextUpdate. */
const CACHE_MARGIN_MS = 60_000

interface CachedResponse {
  readonly der: Uint8Array
  readonly staleAt: number
}

const statusOf = (row: SerialStatusRow | undefined, now: Date): OcspCertStatus => {
  if (row === undefined) return OcspStatus.unknown
  // an active certificate is good even once expired; anything else is revoked, reason unspecified
  return row.status === "active" ? OcspStatus.good : OcspStatus.revoked(row.revokedAt ?? now, "unspecified")
}

/** The cache key: each CertID as requested and the status it gets now, so a status change misses. */
const cacheKey = (responses: ReadonlyArray<OcspSingleResponse>): string =>
  responses
    .map(({ certId, status }) => {
      const state = status._tag === "revoked" ? `revoked@${status.revokedAt.getTime()}` : status._tag
      return `${Buffer.from(certId.der).toString("hex")}=${state}`
    })
    .join("|")

/**
 * `POST /certs/ocsp` (spec §3.5), DER in and DER out, never failing: unparseable or oversize →
 * malformedRequest; each CertID naming the loaded issuer (SHA-1, or SHA-256) is answered from the
 * certificate's row — active → good, revoked → revoked (time, reason unspecified), missing →
 * unknown — and any other CertID → unknown; the request nonce is echoed. Responses without a nonce
 * are cached until a status they carry changes or their nextUpdate nears (statuses are read on
 * every request, so a revocation on any replica is seen at once).
 */
export class OcspResponder extends Effect.Service<OcspResponder>()("atom/OcspResponder", {
  effect: Effect.gen(function* () {
    const signer = yield* CaSigner
    const certificates = yield* Certificates
    const cache = new Map<string, CachedResponse>()

    const remember = (key: string, der: Uint8Array, now: number) => {
      if (cache.size >= CACHE_ENTRIES) {
        const oldest = cache.keys().next()
        if (oldest.done !== true) cache.delete(oldest.value)
      }
      cache.set(key, { der, staleAt: now + OCSP_VALIDITY_SECS * 1000 - CACHE_MARGIN_MS })
    }

    const answer = (issuer: Issuer, request: OcspRequest) =>
      Effect.gen(function* () {
        const asked = request.certIds.map((certId) =>
          certId.serialHex !== undefined && certIdMatchesIssuer(issuer, certId) ? certId.serialHex : undefined,
        )
        const serials = [...new Set(asked.flatMap((serial) => (serial === undefined ? [] : [serial])))]
        const rows = yield* certificates.statuses(serials)
        const bySerial = new Map(rows.map((row) => [row.serialNumber, row]))
        const now = new Date()
        const responses = request.certIds.map((certId, i): OcspSingleResponse => {
          const serial = asked[i]
          return { certId, status: serial === undefined ? OcspStatus.unknown : statusOf(bySerial.get(serial), now) }
        })
        const key = request.nonce === undefined ? cacheKey(responses) : undefined
        if (key !== undefined) {
          const hit = cache.get(key)
          if (hit !== undefined && hit.staleAt > now.getTime()) return hit.der
        }
        const der = yield* buildOcspResponse({
          issuer,
          responses,
          now,
          ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
        })
        if (key !== undefined) remember(key, der, now.getTime())
        return der
      })

    const respond = (body: Uint8Array): Effect.Effect<Uint8Array> =>
      Effect.gen(function* () {
        if (signer.state._tag !== "Loaded") return OCSP_MALFORMED_REQUEST
        const parsed = parseOcspRequest(body)
        if (Either.isLeft(parsed)) {
          yield* Effect.logDebug("malformed OCSP request").pipe(Effect.annotateLogs({ reason: parsed.left.reason }))
          return OCSP_MALFORMED_REQUEST
        }
        return yield* answer(signer.state.issuer, parsed.right).pipe(
          Effect.catchAll((e) =>
            Effect.logWarning("OCSP request failed").pipe(
              Effect.annotateLogs({ error: e._tag === "PkiInternalError" ? e.detail : e.message }),
              Effect.as(OCSP_INTERNAL_ERROR),
            ),
          ),
        )
      }).pipe(Effect.withSpan("OcspResponder.respond"))

    return { respond } as const
  }),
}) {}
