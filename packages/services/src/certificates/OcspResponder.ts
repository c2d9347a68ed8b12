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
import { notLiveFeed, RevisionFeed } from "@atom/repositories/db"
import { Effect, Either, Option } from "effect"
import { CaSigner } from "./CaSigner.js"
import { makeOcspCache, requestKey } from "./OcspCache.js"

/** `malformedRequest` (1): garbage, oversize bodies, and every request while certificates are disabled. */
export const OCSP_MALFORMED_REQUEST: Uint8Array = ocspUnsuccessfulResponse("malformedRequest")
/** `internalError` (2): the status could not be read or the response not signed. */
export const OCSP_INTERNAL_ERROR: Uint8Array = ocspUnsuccessfulResponse("internalError")

/** Larger request bodies are `malformedRequest` (a CertID is about 75 bytes). */
export const OCSP_MAX_REQUEST_BYTES: number = MAX_OCSP_REQUEST_BYTES

/** A cached response is not served in the last minute before its nextUpdate. */
const CACHE_MARGIN_MS = 60_000

const statusOf = (row: SerialStatusRow | undefined, now: Date): OcspCertStatus => {
  if (row === undefined) return OcspStatus.unknown
  // an active certificate is good even once expired; anything else is revoked, reason unspecified
  return row.status === "active" ? OcspStatus.good : OcspStatus.revoked(row.revokedAt ?? now, "unspecified")
}

/**
 * `POST /certs/ocsp` (spec §3.5), DER in and DER out, never failing: unparseable or oversize →
 * malformedRequest; each CertID naming the loaded issuer (SHA-1, or SHA-256) is answered from the
 * certificate's row — active → good, revoked → revoked (time, reason unspecified), missing →
 * unknown — and any other CertID → unknown; the request nonce is echoed.
 *
 * Statuses and signed responses come from memory while the change feed is live and quiet
 * (`OcspCache`): a revocation committed on this replica is seen by the very next request, one on
 * another replica as soon as its NOTIFY arrives. A request without a nonce whose every serial exists
 * is remembered by its raw bytes, so the next identical request is answered without parsing.
 */
export class OcspResponder extends Effect.Service<OcspResponder>()("atom/OcspResponder", {
  effect: Effect.gen(function* () {
    const signer = yield* CaSigner
    const certificates = yield* Certificates
    const cache = makeOcspCache(Option.getOrElse(yield* Effect.serviceOption(RevisionFeed), () => notLiveFeed))

    const answer = (issuer: Issuer, request: OcspRequest, key: string) =>
      Effect.gen(function* () {
        const asked = request.certIds.map((certId) =>
          certId.serialHex !== undefined && certIdMatchesIssuer(issuer, certId) ? certId.serialHex : undefined,
        )
        const serials = [...new Set(asked.flatMap((serial) => (serial === undefined ? [] : [serial])))]
        const startedAt = cache.stamp()
        const { known, missing } = cache.lookup(serials)
        if (missing.length > 0) {
          const rows = yield* certificates.statuses(missing)
          cache.rememberStatuses(startedAt, rows)
          for (const row of rows) known.set(row.serialNumber, row)
        }
        const now = new Date()
        const responses = request.certIds.map((certId, i): OcspSingleResponse => {
          const serial = asked[i]
          return { certId, status: serial === undefined ? OcspStatus.unknown : statusOf(known.get(serial), now) }
        })
        const der = yield* buildOcspResponse({
          issuer,
          responses,
          now,
          ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
        })
        // a serial not found may yet be issued (an INSERT announces nothing): such answers are not kept
        if (request.nonce === undefined && serials.every((serial) => known.has(serial))) {
          cache.rememberResponse(key, startedAt, der, now.getTime() + OCSP_VALIDITY_SECS * 1000 - CACHE_MARGIN_MS)
        }
        return der
      })

    /**
     * The answer to `body` when it needs no effect: certificates disabled (malformedRequest) or a
     * remembered signed response still vouched for by the change feed. The HTTP transport writes it
     * without a fiber; undefined means `sign` must run.
     */
    const answerNow = (body: Uint8Array): Uint8Array | undefined =>
      signer.state._tag !== "Loaded" ? OCSP_MALFORMED_REQUEST : cache.response(requestKey(body), Date.now())

    /** Parses, reads the statuses and signs: the answer when `answerNow` has none. */
    const sign = (body: Uint8Array): Effect.Effect<Uint8Array> => {
      if (signer.state._tag !== "Loaded") return Effect.succeed(OCSP_MALFORMED_REQUEST)
      const issuer = signer.state.issuer
      return Effect.gen(function* () {
        const parsed = parseOcspRequest(body)
        if (Either.isLeft(parsed)) {
          yield* Effect.logDebug("malformed OCSP request").pipe(Effect.annotateLogs({ reason: parsed.left.reason }))
          return OCSP_MALFORMED_REQUEST
        }
        return yield* answer(issuer, parsed.right, requestKey(body)).pipe(
          Effect.catchAll((e) =>
            Effect.logWarning("OCSP request failed").pipe(
              Effect.annotateLogs({ error: e._tag === "PkiInternalError" ? e.detail : e.message }),
              Effect.as(OCSP_INTERNAL_ERROR),
            ),
          ),
        )
      }).pipe(Effect.withSpan("OcspResponder.respond"))
    }

    const respond = (body: Uint8Array): Effect.Effect<Uint8Array> => {
      const now = answerNow(body)
      return now === undefined ? sign(body) : Effect.succeed(now)
    }

    return { respond, answerNow, sign, stats: cache.stats } as const
  }),
}) {}
