import { decodeBase64UrlStrict, encodeBase64NoPad } from "@atom/engines/secrets"

// Argon2 PHC strings: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, salt and hash in the
// standard base64 alphabet without padding. Both implementations (the native binding and the
// WASM pool) read and write exactly this form, as does the reference (Rust `argon2` defaults),
// so a hash written by one verifies with the others.

export type Argon2Variant = "argon2id" | "argon2i" | "argon2d"

export interface Argon2Params {
  /** m, in KiB */
  readonly memoryCost: number
  /** t, passes */
  readonly timeCost: number
  /** p, lanes */
  readonly parallelism: number
  /** output bytes */
  readonly hashLength: number
  /** salt bytes for new hashes */
  readonly saltLength: number
}

/** identity-certs §2.1 / OWASP: argon2id v=0x13, m=19456 KiB, t=2, p=1, 16-byte salt, 32-byte output. */
export const OWASP_ARGON2ID: Argon2Params = {
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  hashLength: 32,
  saltLength: 16,
}

/** The cheapest parameters argon2 allows (m = 8·p KiB): for tests only. */
export const TEST_ARGON2ID: Argon2Params = {
  memoryCost: 8,
  timeCost: 1,
  parallelism: 1,
  hashLength: 32,
  saltLength: 16,
}

export interface PhcHash {
  readonly variant: Argon2Variant
  /** 19 (0x13) or 16 (0x10, when the string has no `v=`) */
  readonly version: number
  readonly memoryCost: number
  readonly timeCost: number
  readonly parallelism: number
  readonly salt: Uint8Array
  readonly hash: Uint8Array
}

const VARIANTS: ReadonlyArray<Argon2Variant> = ["argon2id", "argon2i", "argon2d"]
const DECIMAL = /^(0|[1-9][0-9]{0,9})$/

const decodeB64 = (s: string): Uint8Array | null => {
  if (/[-_]/.test(s)) return null
  const r = decodeBase64UrlStrict(s.replace(/\+/g, "-").replace(/\//g, "_"))
  return r.ok ? r.bytes : null
}

const decimal = (s: string | undefined): number | null => {
  if (s === undefined || !DECIMAL.test(s)) return null
  const n = Number(s)
  return n <= 0xffffffff ? n : null
}

/** Parses an argon2 PHC string; null when it is not one (or its parameters are out of range). */
export const parsePhc = (encoded: string): PhcHash | null => {
  const parts = encoded.split("$")
  if (parts[0] !== "") return null
  const variant = VARIANTS.find((v) => v === parts[1])
  if (variant === undefined) return null
  let i = 2
  let version = 16
  if (parts[i]?.startsWith("v=")) {
    const v = decimal(parts[i]?.slice(2))
    if (v !== 16 && v !== 19) return null
    version = v
    i++
  }
  if (parts.length !== i + 3) return null
  const params = new Map<string, number>()
  for (const kv of (parts[i] ?? "").split(",")) {
    const [k = "", v, extra] = kv.split("=")
    const n = decimal(v)
    if (extra !== undefined || n === null || !["m", "t", "p"].includes(k) || params.has(k)) return null
    params.set(k, n)
  }
  const memoryCost = params.get("m")
  const timeCost = params.get("t")
  const parallelism = params.get("p")
  const salt = decodeB64(parts[i + 1] ?? "")
  const hash = decodeB64(parts[i + 2] ?? "")
  if (
    memoryCost === undefined ||
    timeCost === undefined ||
    parallelism === undefined ||
    salt === null ||
    hash === null
  ) {
    return null
  }
  if (parallelism < 1 || parallelism > 255 || timeCost < 1 || memoryCost < 8 * parallelism) return null
  if (salt.length < 8 || hash.length < 4) return null
  return { variant, version, memoryCost, timeCost, parallelism, salt, hash }
}

export const formatPhc = (h: PhcHash): string =>
  `$${h.variant}$v=${h.version}$m=${h.memoryCost},t=${h.timeCost},p=${h.parallelism}` +
  `$${encodeBase64NoPad(h.salt)}$${encodeBase64NoPad(h.hash)}`

/** True when `encoded` is not argon2id v=19 with exactly `params` (or is not a PHC string at all). */
export const phcNeedsRehash = (encoded: string, params: Argon2Params): boolean => {
  const h = parsePhc(encoded)
  return (
    h === null ||
    h.variant !== "argon2id" ||
    h.version !== 19 ||
    h.memoryCost !== params.memoryCost ||
    h.timeCost !== params.timeCost ||
    h.parallelism !== params.parallelism ||
    h.hash.length !== params.hashLength ||
    h.salt.length < params.saltLength
  )
}
