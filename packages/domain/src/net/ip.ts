import type { Cidr } from "../config/AtomConfig.js"

const parseIpv4 = (s: string): bigint | undefined => {
  const parts = s.split(".")
  if (parts.length !== 4) return undefined
  let n = 0n
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined
    n = (n << 8n) | BigInt(p)
  }
  return n
}

const parseIpv6 = (s: string): bigint | undefined => {
  const halves = s.split("::")
  if (halves.length > 2) return undefined
  const groups = (h: string | undefined) => (h === undefined || h === "" ? [] : h.split(":"))
  const head = groups(halves[0])
  const tail = groups(halves[1])
  const missing = 8 - head.length - tail.length
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail]
  let n = 0n
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
    n = (n << 16n) | BigInt(Number.parseInt(g, 16))
  }
  return n
}

/** An IP address as a family and a big integer; IPv4-mapped IPv6 folds to IPv4. */
export const parseIp = (s: string): { readonly family: 4 | 6; readonly value: bigint } | undefined => {
  const v4 = parseIpv4(s)
  if (v4 !== undefined) return { family: 4, value: v4 }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s)
  if (mapped?.[1] !== undefined) {
    const inner = parseIpv4(mapped[1])
    return inner === undefined ? undefined : { family: 4, value: inner }
  }
  const v6 = parseIpv6(s)
  return v6 === undefined ? undefined : { family: 6, value: v6 }
}

export const parseCidr = (text: string): Cidr | undefined => {
  const [addr, bits, extra] = text.split("/")
  if (addr === undefined || extra !== undefined) return undefined
  const ip = parseIp(addr)
  if (!ip) return undefined
  const width = ip.family === 4 ? 32 : 128
  const prefix = bits === undefined ? width : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN
  if (!(prefix >= 0 && prefix <= width)) return undefined
  const shift = BigInt(width - prefix)
  return { text, family: ip.family, network: (ip.value >> shift) << shift, prefix }
}

export const cidrContains = (cidr: Cidr, ip: string): boolean => {
  const parsed = parseIp(ip)
  if (!parsed || parsed.family !== cidr.family) return false
  const shift = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix)
  return (parsed.value >> shift) << shift === cidr.network
}
