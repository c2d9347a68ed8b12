import {
  type Bytes,
  children,
  DerDecodeError,
  DerReader,
  decodeObjectIdentifier,
  decodeString,
  objectIdentifier,
  readSingle,
  sequence,
  setOf,
  Tag,
  toHex,
  utf8String,
} from "./der.js"
import { Oid } from "./oids.js"

export interface NameAttribute {
  readonly type: string
  readonly value: string
}

/** A Name as relative distinguished names in DER order, each a set of attributes. */
export type DistinguishedName = ReadonlyArray<ReadonlyArray<NameAttribute>>

// The abbreviations x509-parser prints (the reference's `issuer_subject` text); others by OID.
const SHORT_NAMES: Readonly<Record<string, string>> = {
  [Oid.commonName]: "CN",
  [Oid.countryName]: "C",
  [Oid.localityName]: "L",
  [Oid.stateOrProvinceName]: "ST",
  [Oid.organizationName]: "O",
  [Oid.organizationalUnitName]: "OU",
  [Oid.domainComponent]: "DC",
  [Oid.emailAddress]: "Email",
  [Oid.surname]: "surname",
  [Oid.serialNumber]: "serialNumber",
  [Oid.streetAddress]: "street",
  [Oid.title]: "title",
  [Oid.givenName]: "givenName",
  [Oid.userId]: "UID",
}

/** Parses a DER Name (throws DerDecodeError; callers wrap). */
export const parseName = (nameDer: Bytes): DistinguishedName => {
  const name = readSingle(nameDer, Tag.sequence, "Name")
  return children(name, "RDN").map((rdn) => {
    if (rdn.tag !== Tag.set) throw new DerDecodeError("RDN is not a SET")
    return children(rdn, "AttributeTypeAndValue").map((atv) => {
      const reader = DerReader.of(atv)
      const type = decodeObjectIdentifier(reader.next("attribute type"))
      const valueElement = reader.next("attribute value")
      reader.finish("AttributeTypeAndValue")
      const value = decodeString(valueElement) ?? `#${toHex(valueElement.raw)}`
      return { type, value }
    })
  })
}

/** `CN=x, O=y` in DER order, multi-valued RDNs joined by ` + ` (x509-parser's Display). */
export const nameToText = (name: DistinguishedName): string =>
  name
    .map((rdn) =>
      rdn.map((attribute) => `${SHORT_NAMES[attribute.type] ?? attribute.type}=${attribute.value}`).join(" + "),
    )
    .join(", ")

/** The first common name, if any. */
export const commonNameOf = (name: DistinguishedName): string | undefined => {
  for (const rdn of name) for (const attribute of rdn) if (attribute.type === Oid.commonName) return attribute.value
  return undefined
}

/** A Name of single-valued RDNs, each value a UTF8String, in the given order. */
export const encodeName = (attributes: ReadonlyArray<NameAttribute>): Bytes =>
  sequence(
    ...attributes.map((attribute) => setOf(sequence(objectIdentifier(attribute.type), utf8String(attribute.value)))),
  )
