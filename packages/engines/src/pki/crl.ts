import { Effect } from "effect"
import { signBytes } from "./algorithms.js"
import type { Issuer } from "./caMaterial.js"
import {
  type Bytes,
  bigintToBytes,
  bitString,
  explicit,
  headerLength,
  sequence,
  smallInteger,
  Tag,
  timeLength,
  unsignedInteger,
  writeHeader,
  writeTime,
  x509Time,
} from "./der.js"
import { describeCause, InvalidSerialNumber, PkiInternalError } from "./errors.js"
import { authorityKeyIdentifierValue, encodeExtension } from "./extensions.js"
import { Oid } from "./oids.js"

/** RFC 5280 §5.3.1 CRLReason codes (7 is unused). */
export const CRL_REASON_CODES = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const

export type CrlReason = keyof typeof CRL_REASON_CODES

/** nextUpdate = thisUpdate + 24 h unless the caller says otherwise (spec §3.4). */
export const CRL_VALIDITY_SECS = 86_400

export interface CrlEntry {
  /** Hex, normalised like any serial (`:`/whitespace ignored, case-insensitive). */
  readonly serialNumber: string
  readonly revokedAt: Date
  /**
   * Written as a reasonCode entry extension when given. Atom passes `unspecified` for every entry
   * (spec §3.3: the reason text is never mapped); omit it to leave the extension out.
   */
  readonly reason?: CrlReason | undefined
}

export interface BuildCrlInput {
  readonly issuer: Issuer
  /** The caller's monotonic CRL number (previous + 1), at most 20 octets. */
  readonly crlNumber: number | bigint
  readonly thisUpdate: Date
  /** Defaults to thisUpdate + 24 h. */
  readonly nextUpdate?: Date
  readonly entries: ReadonlyArray<CrlEntry>
}

// Extension { reasonCode, OCTET STRING { ENUMERATED r } } inside its SEQUENCE OF: 14 bytes
const REASON_EXTENSION_LENGTH = 14
const REASON_EXTENSION_PREFIX = Uint8Array.of(
  0x30,
  0x0c,
  0x30,
  0x0a,
  0x06,
  0x03,
  0x55,
  0x1d,
  0x15,
  0x04,
  0x03,
  0x0a,
  0x01,
)

const HEX_VALUES = (() => {
  const table = new Int8Array(128).fill(-1)
  for (let i = 0; i < 10; i++) table[0x30 + i] = i
  for (let i = 0; i < 6; i++) {
    table[0x61 + i] = 10 + i
    table[0x41 + i] = 10 + i
  }
  return table
})()

/** Non-empty, even-length hex (a table scan: cheaper than a regex per entry). */
const isHex = (text: string): boolean => {
  if (text.length === 0 || text.length % 2 !== 0) return false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code > 0x7f || (HEX_VALUES[code] ?? -1) < 0) return false
  }
  return true
}

/**
 * `revokedCertificates` assembled straight into one buffer, with no per-entry allocations (typed
 * arrays per entry make the garbage collector dominate): serial hex is validated and measured in
 * a first pass and written nibble by nibble in the second. Undefined when there are no entries
 * (the field is then omitted).
 */
const encodeRevokedCertificates = (
  entries: ReadonlyArray<CrlEntry>,
): { readonly der: Bytes | undefined } | InvalidSerialNumber => {
  const count = entries.length
  if (count === 0) return { der: undefined }
  const texts = new Array<string>(count)
  const starts = new Int32Array(count)
  const integerLengths = new Int32Array(count)
  const contentLengths = new Int32Array(count)
  let total = 0
  for (let i = 0; i < count; i++) {
    const entry = entries[i]
    if (entry === undefined) return new InvalidSerialNumber()
    let hex = entry.serialNumber
    if (!isHex(hex)) {
      hex = hex.replace(/[:\s]/g, "")
      if (!isHex(hex)) return new InvalidSerialNumber()
    }
    // minimal INTEGER: drop leading zero bytes, add one back when the top bit is set
    let start = 0
    while (start < hex.length - 2 && hex.charCodeAt(start) === 0x30 && hex.charCodeAt(start + 1) === 0x30) start += 2
    const pad = (HEX_VALUES[hex.charCodeAt(start)] ?? 0) >= 8 ? 1 : 0
    const integerLength = (hex.length - start) / 2 + pad
    const contentLength =
      headerLength(integerLength) +
      integerLength +
      timeLength(entry.revokedAt) +
      (entry.reason === undefined ? 0 : REASON_EXTENSION_LENGTH)
    texts[i] = hex
    starts[i] = start
    integerLengths[i] = integerLength
    contentLengths[i] = contentLength
    total += headerLength(contentLength) + contentLength
  }
  const out = new Uint8Array(headerLength(total) + total)
  let pos = writeHeader(out, 0, Tag.sequence, total)
  for (let i = 0; i < count; i++) {
    const entry = entries[i]
    const hex = texts[i]
    if (entry === undefined || hex === undefined) continue
    const start = starts[i] ?? 0
    const integerLength = integerLengths[i] ?? 0
    pos = writeHeader(out, pos, Tag.sequence, contentLengths[i] ?? 0)
    pos = writeHeader(out, pos, Tag.integer, integerLength)
    if (integerLength * 2 > hex.length - start) out[pos++] = 0
    for (let c = start; c < hex.length; c += 2) {
      out[pos++] = ((HEX_VALUES[hex.charCodeAt(c)] ?? 0) << 4) | (HEX_VALUES[hex.charCodeAt(c + 1)] ?? 0)
    }
    pos = writeTime(out, pos, entry.revokedAt)
    if (entry.reason !== undefined) {
      out.set(REASON_EXTENSION_PREFIX, pos)
      pos += REASON_EXTENSION_PREFIX.length
      out[pos++] = CRL_REASON_CODES[entry.reason]
    }
  }
  return { der: out }
}

const crlNumberBytes = (value: number | bigint): Bytes | undefined => {
  if (typeof value === "number" && (!Number.isSafeInteger(value) || value < 0)) return undefined
  const big = BigInt(value)
  if (big < 0n || big >= 1n << 159n) return undefined
  return bigintToBytes(big)
}

/**
 * An X.509 v2 CRL (DER) signed by the issuer with its own scheme: CRL number and AKI extensions,
 * thisUpdate/nextUpdate, and one entry per revoked serial with its revocation date and, when
 * given, a reasonCode.
 */
export const buildCrl = (input: BuildCrlInput): Effect.Effect<Bytes, InvalidSerialNumber | PkiInternalError> =>
  Effect.gen(function* () {
    const number = crlNumberBytes(input.crlNumber)
    if (number === undefined) {
      return yield* Effect.fail(new PkiInternalError({ detail: `CRL number out of range: ${String(input.crlNumber)}` }))
    }
    const revoked = encodeRevokedCertificates(input.entries)
    if (revoked instanceof InvalidSerialNumber) return yield* Effect.fail(revoked)
    const nextUpdate = input.nextUpdate ?? new Date(input.thisUpdate.getTime() + CRL_VALIDITY_SECS * 1000)
    const { issuer } = input
    const tbs = sequence(
      smallInteger(1),
      issuer.signatureScheme.algorithmIdentifier,
      issuer.subjectDer,
      x509Time(input.thisUpdate),
      x509Time(nextUpdate),
      ...(revoked.der === undefined ? [] : [revoked.der]),
      explicit(
        0,
        sequence(
          encodeExtension(Oid.authorityKeyIdentifier, false, authorityKeyIdentifierValue(issuer.keyIdentifier)),
          encodeExtension(Oid.crlNumber, false, unsignedInteger(number)),
        ),
      ),
    )
    const signature = yield* Effect.tryPromise({
      try: () => signBytes(issuer.signer, tbs),
      catch: (cause) => new PkiInternalError({ detail: `CRL signing: ${describeCause(cause)}` }),
    })
    return sequence(tbs, issuer.signatureScheme.algorithmIdentifier, bitString(signature))
  })
