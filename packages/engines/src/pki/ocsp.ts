import { Effect, Either } from "effect"
import { signBytes } from "./algorithms.js"
import type { Issuer } from "./caMaterial.js"
import { CRL_REASON_CODES, type CrlReason } from "./crl.js"
import {
  type Bytes,
  bitString,
  bytesEqual,
  DerReader,
  decodeSmallInteger,
  enumerated,
  explicit,
  generalizedTime,
  implicitPrimitive,
  integerContent,
  objectIdentifier,
  octetString,
  readSingle,
  sequence,
  Tag,
  tlv,
  toBytes,
} from "./der.js"
import { describeCause, OcspMalformedRequest, PkiInternalError } from "./errors.js"
import { type Extension, encodeExtension, parseExtensions } from "./extensions.js"
import { Oid } from "./oids.js"
import { serialHexFromInteger } from "./serial.js"
import { parseAlgorithmIdentifier } from "./x509.js"

/** Request bodies above this are malformed (a CertID is about 75 bytes). */
export const MAX_OCSP_REQUEST_BYTES = 64 * 1024
export const MAX_OCSP_REQUEST_ENTRIES = 512
/** nextUpdate = thisUpdate + 1 h (spec §3.5). */
export const OCSP_VALIDITY_SECS = 3600

export interface OcspCertId {
  /** The CertID exactly as requested: the response echoes these bytes. */
  readonly der: Bytes
  readonly hashAlgorithm: string
  readonly issuerNameHash: Bytes
  readonly issuerKeyHash: Bytes
  /** The serial INTEGER content, as requested. */
  readonly serialNumber: Bytes
  /** Lowercase hex with leading zero bytes stripped (the lookup key); undefined for serial 0. */
  readonly serialHex: string | undefined
}

export interface OcspRequest {
  readonly certIds: ReadonlyArray<OcspCertId>
  readonly requestExtensions: ReadonlyArray<Extension>
  /** The nonce extension's extnValue content, when the request carries one. */
  readonly nonce: Bytes | undefined
  /** Whether the request carried an optionalSignature (never checked, as in the reference). */
  readonly signed: boolean
}

export interface OcspRequestLimits {
  readonly maxBytes?: number
  readonly maxEntries?: number
}

const parseCertId = (reader: DerReader): OcspCertId => {
  const element = reader.expect(Tag.sequence, "CertID")
  const certId = DerReader.of(element)
  const algorithm = parseAlgorithmIdentifier(certId.expect(Tag.sequence, "hashAlgorithm"), "hashAlgorithm")
  const issuerNameHash = certId.expect(Tag.octetString, "issuerNameHash").content
  const issuerKeyHash = certId.expect(Tag.octetString, "issuerKeyHash").content
  const serialNumber = integerContent(certId.expect(Tag.integer, "serialNumber"), "serialNumber")
  certId.finish("CertID")
  return {
    der: element.raw,
    hashAlgorithm: algorithm.oid,
    issuerNameHash,
    issuerKeyHash,
    serialNumber,
    serialHex: serialHexFromInteger(serialNumber),
  }
}

const parseRequestDer = (der: Bytes, maxEntries: number): OcspRequest => {
  const request = DerReader.of(readSingle(der, Tag.sequence, "OCSPRequest"))
  const tbs = DerReader.of(request.expect(Tag.sequence, "TBSRequest"))
  const signature = request.optional(0xa0, "optionalSignature")
  request.finish("OCSPRequest")

  const version = tbs.optional(0xa0, "version")
  if (
    version !== undefined &&
    decodeSmallInteger(readSingle(version.content, Tag.integer, "version"), "version") !== 0
  ) {
    throw new RangeError("unsupported OCSP request version")
  }
  tbs.optional(0xa1, "requestorName")
  const list = DerReader.of(tbs.expect(Tag.sequence, "requestList"))
  const extensionsElement = tbs.optional(0xa2, "requestExtensions")
  tbs.finish("TBSRequest")

  const certIds: Array<OcspCertId> = []
  while (!list.done) {
    if (certIds.length >= maxEntries) throw new RangeError(`more than ${maxEntries} certificates in one request`)
    const single = DerReader.of(list.expect(Tag.sequence, "Request"))
    certIds.push(parseCertId(single))
    const singleExtensions = single.optional(0xa0, "singleRequestExtensions")
    if (singleExtensions !== undefined)
      parseExtensions(readSingle(singleExtensions.content, Tag.sequence, "Extensions"))
    single.finish("Request")
  }
  if (certIds.length === 0) throw new RangeError("empty requestList")
  const requestExtensions =
    extensionsElement === undefined
      ? []
      : parseExtensions(readSingle(extensionsElement.content, Tag.sequence, "Extensions"))
  const nonce = requestExtensions.find((extension) => extension.oid === Oid.ocspNonce)?.value
  return { certIds, requestExtensions, nonce, signed: signature !== undefined }
}

/** Parses a DER OCSPRequest; empty, oversize, truncated, trailing or otherwise malformed input is refused. */
export const parseOcspRequest = (
  input: Uint8Array,
  limits: OcspRequestLimits = {},
): Either.Either<OcspRequest, OcspMalformedRequest> => {
  const maxBytes = limits.maxBytes ?? MAX_OCSP_REQUEST_BYTES
  if (input.length === 0) return Either.left(new OcspMalformedRequest({ reason: "empty request" }))
  if (input.length > maxBytes)
    return Either.left(new OcspMalformedRequest({ reason: `request larger than ${maxBytes} bytes` }))
  const der = toBytes(input)
  return Either.try({
    try: () => parseRequestDer(der, limits.maxEntries ?? MAX_OCSP_REQUEST_ENTRIES),
    catch: (cause) => new OcspMalformedRequest({ reason: describeCause(cause) }),
  })
}

export interface CertIdMatchOptions {
  /** Answer SHA-256 CertIDs too. The reference answers them `unknown` (spec §3.5, §8.8); default true. */
  readonly acceptSha256?: boolean
}

/** Whether a CertID names this issuer: its hash algorithm is SHA-1 (or SHA-256) and both hashes match. */
export const certIdMatchesIssuer = (issuer: Issuer, certId: OcspCertId, options: CertIdMatchOptions = {}): boolean => {
  if (certId.hashAlgorithm === Oid.sha1) {
    return (
      bytesEqual(certId.issuerNameHash, issuer.nameHashSha1) && bytesEqual(certId.issuerKeyHash, issuer.keyHashSha1)
    )
  }
  if (certId.hashAlgorithm === Oid.sha256 && (options.acceptSha256 ?? true)) {
    return (
      bytesEqual(certId.issuerNameHash, issuer.nameHashSha256) && bytesEqual(certId.issuerKeyHash, issuer.keyHashSha256)
    )
  }
  return false
}

export type OcspCertStatus =
  | { readonly _tag: "good" }
  | { readonly _tag: "revoked"; readonly revokedAt: Date; readonly reason?: CrlReason | undefined }
  | { readonly _tag: "unknown" }

const GOOD: OcspCertStatus = { _tag: "good" }
const UNKNOWN: OcspCertStatus = { _tag: "unknown" }

/** Constructors for the lookup's answers. */
export const OcspStatus: {
  readonly good: OcspCertStatus
  readonly unknown: OcspCertStatus
  readonly revoked: (revokedAt: Date, reason?: CrlReason) => OcspCertStatus
} = {
  good: GOOD,
  unknown: UNKNOWN,
  revoked: (revokedAt, reason) => ({ _tag: "revoked", revokedAt, reason }),
}

export interface OcspSingleResponse {
  readonly certId: OcspCertId
  readonly status: OcspCertStatus
}

export interface BuildOcspResponseInput {
  readonly issuer: Issuer
  readonly responses: ReadonlyArray<OcspSingleResponse>
  /** producedAt and thisUpdate; defaults to now. */
  readonly now?: Date
  /** nextUpdate = now + this; default 3600. */
  readonly validitySecs?: number
  /** The request's nonce extnValue to echo in responseExtensions; omit to echo nothing. */
  readonly nonce?: Bytes | undefined
  /** Default byKey (SHA-1 of the issuer's key bits), as the reference. */
  readonly responderId?: "byKey" | "byName"
  /** Include the issuer certificate in `certs` (default true, as the reference). */
  readonly includeIssuerCertificate?: boolean
}

const encodeCertStatus = (status: OcspCertStatus): Bytes => {
  switch (status._tag) {
    case "good":
      return implicitPrimitive(0, new Uint8Array(0))
    case "unknown":
      return implicitPrimitive(2, new Uint8Array(0))
    case "revoked":
      return tlv(
        0xa1,
        generalizedTime(status.revokedAt),
        ...(status.reason === undefined ? [] : [explicit(0, enumerated(CRL_REASON_CODES[status.reason]))]),
      )
  }
}

/**
 * A successful OCSPResponse (DER) around a BasicOCSPResponse signed by the issuer, labelled with
 * the issuer key's real signature algorithm.
 */
export const buildOcspResponse = (input: BuildOcspResponseInput): Effect.Effect<Bytes, PkiInternalError> =>
  Effect.gen(function* () {
    const { issuer } = input
    const now = input.now ?? new Date()
    const nextUpdate = new Date(now.getTime() + (input.validitySecs ?? OCSP_VALIDITY_SECS) * 1000)
    const thisUpdateDer = generalizedTime(now)
    const nextUpdateDer = explicit(0, generalizedTime(nextUpdate))
    const responderId =
      input.responderId === "byName" ? explicit(1, issuer.subjectDer) : explicit(2, octetString(issuer.keyHashSha1))
    const tbs = sequence(
      responderId,
      thisUpdateDer,
      sequence(
        ...input.responses.map((single) =>
          sequence(single.certId.der, encodeCertStatus(single.status), thisUpdateDer, nextUpdateDer),
        ),
      ),
      ...(input.nonce === undefined ? [] : [explicit(1, sequence(encodeExtension(Oid.ocspNonce, false, input.nonce)))]),
    )
    const signature = yield* Effect.tryPromise({
      try: () => signBytes(issuer.signer, tbs),
      catch: (cause) => new PkiInternalError({ detail: `OCSP signing: ${describeCause(cause)}` }),
    })
    const basic = sequence(
      tbs,
      issuer.signatureScheme.algorithmIdentifier,
      bitString(signature),
      ...((input.includeIssuerCertificate ?? true) ? [explicit(0, sequence(issuer.certificateDer))] : []),
    )
    return sequence(enumerated(0), explicit(0, sequence(objectIdentifier(Oid.ocspBasic), octetString(basic))))
  })

export const OCSP_RESPONSE_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const

export type OcspResponseStatus = keyof typeof OCSP_RESPONSE_STATUS

/** An OCSPResponse with only a responseStatus (no responseBytes). */
export const ocspUnsuccessfulResponse = (status: Exclude<OcspResponseStatus, "successful">): Bytes =>
  sequence(enumerated(OCSP_RESPONSE_STATUS[status]))

export interface OcspAnswer<E> {
  readonly der: Bytes
  readonly responseStatus: OcspResponseStatus
  /** Why the answer is unsuccessful (for logs). */
  readonly failure?: OcspMalformedRequest | PkiInternalError | E
}

export interface RespondToOcspInput<E, R> {
  readonly issuer: Issuer
  readonly requestDer: Uint8Array
  /** Status of a serial (lowercase hex, no leading zero bytes) issued by this issuer. */
  readonly lookup: (serialHex: string) => Effect.Effect<OcspCertStatus, E, R>
  readonly now?: Date
  readonly limits?: OcspRequestLimits
  readonly acceptSha256CertIds?: boolean
  /** Echo the request nonce (default true; the reference never echoes it, spec §8.8). */
  readonly echoNonce?: boolean
  readonly responderId?: "byKey" | "byName"
  readonly validitySecs?: number
}

/**
 * The whole of `POST /certs/ocsp` minus HTTP: parse (malformed → `malformedRequest`), answer each
 * CertID (issuer mismatch, unsupported hash or serial 0 → unknown, else `lookup`), sign; a lookup
 * or signing failure → `internalError`. Never fails.
 */
export const respondToOcsp = <E, R>(input: RespondToOcspInput<E, R>): Effect.Effect<OcspAnswer<E>, never, R> =>
  Effect.gen(function* () {
    const parsed = parseOcspRequest(input.requestDer, input.limits)
    if (Either.isLeft(parsed)) {
      return {
        der: ocspUnsuccessfulResponse("malformedRequest"),
        responseStatus: "malformedRequest",
        failure: parsed.left,
      }
    }
    const request = parsed.right
    const options: CertIdMatchOptions =
      input.acceptSha256CertIds === undefined ? {} : { acceptSha256: input.acceptSha256CertIds }
    const responses = yield* Effect.forEach(request.certIds, (certId) =>
      certId.serialHex === undefined || !certIdMatchesIssuer(input.issuer, certId, options)
        ? Effect.succeed<OcspSingleResponse>({ certId, status: OcspStatus.unknown })
        : Effect.map(input.lookup(certId.serialHex), (status): OcspSingleResponse => ({ certId, status })),
    ).pipe(Effect.either)
    if (Either.isLeft(responses)) {
      return {
        der: ocspUnsuccessfulResponse("internalError"),
        responseStatus: "internalError",
        failure: responses.left,
      }
    }
    const built = yield* Effect.either(
      buildOcspResponse({
        issuer: input.issuer,
        responses: responses.right,
        ...(input.now === undefined ? {} : { now: input.now }),
        ...(input.validitySecs === undefined ? {} : { validitySecs: input.validitySecs }),
        ...(input.responderId === undefined ? {} : { responderId: input.responderId }),
        ...((input.echoNonce ?? true) && request.nonce !== undefined ? { nonce: request.nonce } : {}),
      }),
    )
    return Either.isLeft(built)
      ? { der: ocspUnsuccessfulResponse("internalError"), responseStatus: "internalError", failure: built.left }
      : { der: built.right, responseStatus: "successful" }
  })
