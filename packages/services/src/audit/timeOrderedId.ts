import { randomFillSync } from "node:crypto"

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))
/** random bytes drawn 10 at a time from a refilled pool (one randomFillSync per id costs more than the id) */
const pool = new Uint8Array(4096)
let used = pool.length

const randomByte = (): number => {
  if (used === pool.length) {
    randomFillSync(pool)
    used = 0
  }
  return pool[used++] ?? 0
}

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Audit ids sort by time,
 * so the primary-key index of audit_logs grows at its right edge instead of touching a random page per row.
 */
export const timeOrderedId = (nowMs: number): string => {
  let ms = Math.max(0, Math.floor(nowMs))
  let time = ""
  for (let i = 0; i < 6; i++) {
    time = (HEX[ms % 256] ?? "00") + time
    ms = Math.floor(ms / 256)
  }
  const r = (): string => HEX[randomByte()] ?? "00"
  const version = HEX[(randomByte() & 0x0f) | 0x70] ?? "70"
  const variant = HEX[(randomByte() & 0x3f) | 0x80] ?? "80"
  return `${time.slice(0, 8)}-${time.slice(8)}-${version}${r()}-${variant}${r()}-${r()}${r()}${r()}${r()}${r()}${r()}`
}
