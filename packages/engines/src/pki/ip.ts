import type { Bytes } from "./der.js"

const parseIpv4Into = (text: string, out: Uint8Array, offset: number): boolean => {
  const parts = text.split(".")
  if (parts.length !== 4) return false
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? ""
    // Decimal only, no leading zeros (octal look-alikes are refused, as Rust's parser does)
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return false
    const value = Number(part)
    if (value > 255) return false
    out[offset + i] = value
  }
  return true
}

const parseGroups = (part: string, allowIpv4Tail: boolean): Array<number> | undefined => {
  if (part === "") return []
  const groups = part.split(":")
  const values: Array<number> = []
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] ?? ""
    if (allowIpv4Tail && i === groups.length - 1 && group.includes(".")) {
      const tail = new Uint8Array(4)
      if (!parseIpv4Into(group, tail, 0)) return undefined
      values.push(((tail[0] ?? 0) << 8) | (tail[1] ?? 0), ((tail[2] ?? 0) << 8) | (tail[3] ?? 0))
      continue
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined
    values.push(Number.parseInt(group, 16))
  }
  return values
}

const parseIpv6 = (text: string): Bytes | undefined => {
  const halves = text.split("::")
  if (halves.length > 2) return undefined
  const head = parseGroups(halves[0] ?? "", halves.length === 1)
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "", true) : []
  if (head === undefined || tail === undefined) return undefined
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return undefined
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail]
  const out = new Uint8Array(16)
  groups.forEach((group, i) => {
    out[2 * i] = group >> 8
    out[2 * i + 1] = group & 0xff
  })
  return out
}

/** The 4 or 16 address bytes when the text is an IPv4 or IPv6 literal (no brackets, no zone). */
export const parseIpAddress = (text: string): Bytes | undefined => {
  if (text.includes(":")) return parseIpv6(text)
  const out = new Uint8Array(4)
  return parseIpv4Into(text, out, 0) ? out : undefined
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (IPv4-mapped addresses as `::ffff:a.b.c.d`). */
export const formatIpAddress = (bytes: Uint8Array): string | undefined => {
  if (bytes.length === 4) return Array.from(bytes).join(".")
  if (bytes.length !== 16) return undefined
  const groups: Array<number> = []
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0))
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${Array.from(bytes.subarray(12)).join(".")}`
  }
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = (list: ReadonlyArray<number>): string => list.map((g) => g.toString(16)).join(":")
  if (bestLength < 2) return hex(groups)
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`
}
