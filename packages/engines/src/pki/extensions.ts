import {
  type Bytes,
  bitString,
  children,
  DerDecodeError,
  type DerElement,
  DerReader,
  decodeBitString,
  decodeBoolean,
  decodeObjectIdentifier,
  decodeSmallInteger,
  derBoolean,
  ia5String,
  implicitPrimitive,
  objectIdentifier,
  octetString,
  readSingle,
  sequence,
  smallInteger,
  Tag,
} from "./der.js"
import { formatIpAddress } from "./ip.js"

export interface Extension {
  readonly oid: string
  readonly critical: boolean
  /** The extnValue OCTET STRING content: the DER of the extension's own value. */
  readonly value: Bytes
}

/** Encodes one Extension. */
export const encodeExtension = (oid: string, critical: boolean, value: Uint8Array): Bytes =>
  critical
    ? sequence(objectIdentifier(oid), derBoolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value))

/** Reads `Extensions ::= SEQUENCE OF Extension` (throws DerDecodeError). Duplicates are refused (RFC 5280 §4.2). */
export const parseExtensions = (element: DerElement): ReadonlyArray<Extension> => {
  if (element.tag !== Tag.sequence) throw new DerDecodeError("Extensions: expected a SEQUENCE")
  const seen = new Set<string>()
  return children(element, "Extension").map((extension) => {
    if (extension.tag !== Tag.sequence) throw new DerDecodeError("Extension: expected a SEQUENCE")
    const reader = DerReader.of(extension)
    const oid = decodeObjectIdentifier(reader.next("extnID"))
    const criticalElement = reader.optional(Tag.boolean, "critical")
    const critical = criticalElement === undefined ? false : decodeBoolean(criticalElement, "critical")
    const value = reader.expect(Tag.octetString, "extnValue").content
    reader.finish("Extension")
    if (seen.has(oid)) throw new DerDecodeError(`duplicate extension ${oid}`)
    seen.add(oid)
    return { oid, critical, value }
  })
}

// Key usage -----------------------------------------------------------------------------------

export const KEY_USAGE_BITS = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
] as const

export type KeyUsage = (typeof KEY_USAGE_BITS)[number]

/** The KeyUsage BIT STRING with trailing zero bits dropped (DER named-bit rule). */
export const keyUsageValue = (usages: ReadonlyArray<KeyUsage>): Bytes => {
  const bits = usages.map((usage) => KEY_USAGE_BITS.indexOf(usage))
  if (bits.length === 0) return bitString(new Uint8Array(0))
  const highest = Math.max(...bits)
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1)
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7))
  return bitString(bytes, bytes.length * 8 - (highest + 1))
}

export const decodeKeyUsage = (value: Bytes): ReadonlySet<KeyUsage> => {
  const { bytes } = decodeBitString(readSingle(value, Tag.bitString, "KeyUsage"), "KeyUsage")
  const usages = new Set<KeyUsage>()
  KEY_USAGE_BITS.forEach((usage, bit) => {
    if (((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0) usages.add(usage)
  })
  return usages
}

// Basic constraints ---------------------------------------------------------------------------

export interface BasicConstraints {
  readonly ca: boolean
  readonly pathLength?: number
}

export const basicConstraintsValue = (constraints: BasicConstraints): Bytes =>
  constraints.ca
    ? sequence(
        derBoolean(true),
        ...(constraints.pathLength === undefined ? [] : [smallInteger(constraints.pathLength)]),
      )
    : sequence()

export const decodeBasicConstraints = (value: Bytes): BasicConstraints => {
  const reader = DerReader.of(readSingle(value, Tag.sequence, "BasicConstraints"))
  const caElement = reader.optional(Tag.boolean, "cA")
  const ca = caElement === undefined ? false : decodeBoolean(caElement, "cA")
  const pathElement = reader.optional(Tag.integer, "pathLenConstraint")
  reader.finish("BasicConstraints")
  return pathElement === undefined ? { ca } : { ca, pathLength: decodeSmallInteger(pathElement, "pathLenConstraint") }
}

// Extended key usage ----------------------------------------------------------------------------

export const extKeyUsageValue = (oids: ReadonlyArray<string>): Bytes => sequence(...oids.map(objectIdentifier))

export const decodeExtKeyUsage = (value: Bytes): ReadonlyArray<string> =>
  children(readSingle(value, Tag.sequence, "ExtKeyUsage"), "KeyPurposeId").map(decodeObjectIdentifier)

// Key identifiers -----------------------------------------------------------------------------

export const subjectKeyIdentifierValue = (keyId: Uint8Array): Bytes => octetString(keyId)

export const decodeSubjectKeyIdentifier = (value: Bytes): Bytes =>
  readSingle(value, Tag.octetString, "SubjectKeyIdentifier").content

/** AuthorityKeyIdentifier with only `[0] keyIdentifier`. */
export const authorityKeyIdentifierValue = (keyId: Uint8Array): Bytes => sequence(implicitPrimitive(0, keyId))

// General names ---------------------------------------------------------------------------------

export type GeneralName =
  | { readonly _tag: "dns"; readonly value: string }
  | { readonly _tag: "ip"; readonly bytes: Bytes; readonly value: string }
  | { readonly _tag: "uri"; readonly value: string }
  | { readonly _tag: "email"; readonly value: string }
  /** otherName, x400Address, directoryName, ediPartyName, registeredID: kept raw. */
  | { readonly _tag: "other"; readonly tag: number; readonly raw: Bytes }

const ascii = (element: DerElement, what: string): string => {
  let out = ""
  for (const byte of element.content) {
    if (byte > 0x7f) throw new DerDecodeError(`${what}: not IA5 (ASCII)`)
    out += String.fromCharCode(byte)
  }
  return out
}

export const decodeGeneralNames = (value: Bytes): ReadonlyArray<GeneralName> =>
  children(readSingle(value, Tag.sequence, "GeneralNames"), "GeneralName").map((name): GeneralName => {
    switch (name.tag) {
      case 0x81:
        return { _tag: "email", value: ascii(name, "rfc822Name") }
      case 0x82:
        return { _tag: "dns", value: ascii(name, "dNSName") }
      case 0x86:
        return { _tag: "uri", value: ascii(name, "uniformResourceIdentifier") }
      case 0x87: {
        const text = formatIpAddress(name.content)
        if (text === undefined) throw new DerDecodeError("iPAddress: expected 4 or 16 bytes")
        return { _tag: "ip", bytes: name.content, value: text }
      }
      default:
        return { _tag: "other", tag: name.tag, raw: name.raw }
    }
  })

const withTag = (encoded: Bytes, tag: number): Bytes => {
  encoded[0] = tag
  return encoded
}

/** Encodes GeneralNames; IA5 values must already be ASCII. */
export const generalNamesValue = (names: ReadonlyArray<GeneralName>): Bytes =>
  sequence(
    ...names.map((name): Bytes => {
      switch (name._tag) {
        case "email":
          return withTag(ia5String(name.value), 0x81)
        case "dns":
          return withTag(ia5String(name.value), 0x82)
        case "uri":
          return withTag(ia5String(name.value), 0x86)
        case "ip":
          return implicitPrimitive(7, name.bytes)
        default:
          return name.raw
      }
    }),
  )
