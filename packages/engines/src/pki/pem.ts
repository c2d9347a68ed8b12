import { Either } from "effect"
import { type Bytes, toBytes } from "./der.js"

export interface PemBlock {
  readonly label: string
  readonly der: Bytes
}

/** Why PEM text could not be decoded. */
export type PemFailure = "no PEM block" | "no matching PEM block" | "unterminated PEM block" | "invalid base64"

export const pemLabels = {
  certificate: "CERTIFICATE",
  privateKey: "PRIVATE KEY",
  certificateRequest: "CERTIFICATE REQUEST",
  newCertificateRequest: "NEW CERTIFICATE REQUEST",
  crl: "X509 CRL",
} as const

/** PEM text with 64-character lines and a trailing newline. */
export const pemEncode = (label: string, der: Uint8Array): string => {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.length).toString("base64")
  const lines: Array<string> = []
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64))
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Every PEM block in the text, in order (explanatory text around blocks is ignored, RFC 7468). */
export const pemDecodeAll = (text: string): Either.Either<ReadonlyArray<PemBlock>, PemFailure> => {
  const blocks: Array<PemBlock> = []
  BEGIN.lastIndex = 0
  for (let match = BEGIN.exec(text); match !== null; match = BEGIN.exec(text)) {
    const label = match[1] ?? ""
    const bodyStart = match.index + match[0].length
    const endMarker = `-----END ${label}-----`
    const bodyEnd = text.indexOf(endMarker, bodyStart)
    if (bodyEnd < 0) return Either.left("unterminated PEM block")
    const body = text.slice(bodyStart, bodyEnd).replace(/\s+/g, "")
    if (!BASE64.test(body) || body.length % 4 !== 0) return Either.left("invalid base64")
    // Copy out of Node's shared buffer pool and wipe the pooled bytes (private keys pass through here)
    const decoded = Buffer.from(body, "base64")
    blocks.push({ label, der: toBytes(decoded) })
    decoded.fill(0)
    BEGIN.lastIndex = bodyEnd + endMarker.length
  }
  return blocks.length === 0 ? Either.left("no PEM block") : Either.right(blocks)
}

/** The first PEM block whose label is one of `labels` (any label when none are given). */
export const pemDecode = (text: string, ...labels: ReadonlyArray<string>): Either.Either<PemBlock, PemFailure> =>
  Either.flatMap(pemDecodeAll(text), (blocks) => {
    const block = labels.length === 0 ? blocks[0] : blocks.find((candidate) => labels.includes(candidate.label))
    return block === undefined ? Either.left("no matching PEM block" as const) : Either.right(block)
  })
