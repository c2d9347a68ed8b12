import { randomFillSync } from "node:crypto"

/** Random hex digits drawn from a refilled pool (one randomFillSync per id costs more than the id). */
const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let digits = ""
let used = 0

/** `n` fresh random hex digits (n ≤ 2 × POOL_BYTES): a slice of the pool's hex text, never handed out twice. */
const randomHex = (n: number): string => {
  if (used + n > digits.length) {
    randomFillSync(pool)
    digits = pool.toString("hex")
    used = 0
  }
  const out = digits.slice(used, used + n)
  used += n
  return out
}

/** `"8"`…`"b"`: the variant nibble (binary 10xx) carrying two random bits. */
const VARIANT = "89ab"

/** The millisecond the cached prefix is for, and its `tttttttt-tttt-` text (48 bits of time). */
let prefixMs = -1
let prefix = ""

const timePrefix = (ms: number): string => {
  if (ms !== prefixMs) {
    const hex = ms.toString(16).padStart(12, "0").slice(-12)
    prefix = `${hex.slice(0, 8)}-${hex.slice(8)}-`
    prefixMs = ms
  }
  return prefix
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Audit ids sort by time,
 * so the primary-key index of audit_logs grows at its right edge instead of touching a random page per row.
 * Events come many to a millisecond: the time's text is made once per millisecond.
 */
export const timeOrderedId = (nowMs: number): string => {
  const r = randomHex(19)
  const variant = VARIANT[Number.parseInt(r[3] ?? "0", 16) & 3] ?? "8"
  return `${timePrefix(Math.max(0, Math.floor(nowMs)))}7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(7)}`
}
