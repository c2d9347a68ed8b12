import { randomFillSync } from "node:crypto"

/** Random bytes drawn from a refilled pool (one randomFillSync per id costs more than the id). */
const POOL_BYTES = 4096
const pool = Buffer.allocUnsafe(POOL_BYTES)
let used = POOL_BYTES

/** The bytes of a UUID. */
export const UUID_BYTES = 16

/**
 * Writes a UUID version 7 (RFC 9562) into `target` at `offset`: 48 bits of Unix milliseconds, the version,
 * then 74 random bits with the RFC variant. Audit ids sort by time, so the primary-key index of audit_logs
 * grows at its right edge instead of touching a random page per row. The hot-path queue keeps ids in this
 * form (16 bytes in a chunk's buffer, no string per event); the text is made where it is needed.
 */
export const timeOrderedIdInto = (nowMs: number, target: Uint8Array, offset: number): void => {
  if (used + 10 > POOL_BYTES) {
    randomFillSync(pool)
    used = 0
  }
  let ms = Math.max(0, Math.floor(nowMs))
  for (let i = 5; i >= 0; i--) {
    target[offset + i] = ms % 256
    ms = Math.floor(ms / 256)
  }
  pool.copy(target, offset + 6, used, used + 10)
  used += 10
  target[offset + 6] = 0x70 | ((target[offset + 6] ?? 0) & 0x0f)
  target[offset + 8] = 0x80 | ((target[offset + 8] ?? 0) & 0x3f)
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"))

/** The canonical text (lower-case, hyphenated) of the UUID at `offset` in `bytes`. */
export const uuidText = (bytes: Uint8Array, offset: number): string => {
  const h = (i: number) => HEX[bytes[offset + i] ?? 0] ?? "00"
  return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`
}

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Writes the UUID of `text` into `target` at `offset` when `text` is in the canonical form `uuidText` makes
 * (so it reads back exactly); false, and nothing written, for any other text.
 */
export const uuidBytesInto = (text: string, target: Uint8Array, offset: number): boolean => {
  if (!CANONICAL.test(text)) return false
  const hex = text.replaceAll("-", "")
  for (let i = 0; i < UUID_BYTES; i++) target[offset + i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return true
}

const scratch = new Uint8Array(UUID_BYTES)

/** A UUID version 7 of `nowMs` as text (`timeOrderedIdInto`). */
export const timeOrderedId = (nowMs: number): string => {
  timeOrderedIdInto(nowMs, scratch, 0)
  return uuidText(scratch, 0)
}
