/** What a scrubbed value becomes: the key stays, so a reader sees that something was there. */
export const REDACTED = "[redacted]"

const SECRET_KEY = /password|secret|token|authorization|apikey|api_key/i
const MAX_DEPTH = 8
const MAX_STRING = 4096
const MAX_ENTRIES = 256

/** Whether a details key names a secret (identity-certs §4: secrets never reach an audit record). */
export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key)

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Any surrogate: text without one (nearly all) skips the lone-surrogate search, the costlier of the two. */
const SURROGATE = /[\uD800-\uDFFF]/

/** Text Postgres stores as given: no NUL (jsonb and text refuse it), no lone surrogate (jsonb refuses it). */
export const storableText = (s: string): string => {
  const noNul = s.includes("\u0000") ? s.replaceAll("\u0000", "\uFFFD") : s
  return SURROGATE.test(noNul) ? noNul.replace(LONE_SURROGATE, "\uFFFD") : noNul
}

// long strings are cut so one event cannot bloat a batch
const cleanString = (s: string): string => storableText(s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…` : s)

const scrubValue = (value: unknown, depth: number): unknown => {
  if (value === null || typeof value === "boolean") return value
  if (typeof value === "string") return cleanString(value)
  if (typeof value === "number") return Number.isFinite(value) ? value : null
  if (typeof value === "bigint") return value.toString()
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (typeof value !== "object") return undefined
  if (depth >= MAX_DEPTH) return "[truncated]"
  if (Array.isArray(value)) {
    return value.slice(0, MAX_ENTRIES).map((v) => {
      const s = scrubValue(v, depth + 1)
      return s === undefined ? null : s
    })
  }
  return scrubObject(value, depth + 1)
}

/**
 * A key as stored, or null when it names a secret: events repeat the same few keys, so each distinct key
 * is cleaned and matched once (a bounded memo of short keys, emptied when full, so odd keys cannot grow it).
 */
const KEYS_REMEMBERED = 1024
const KEY_REMEMBERED_LENGTH = 64
const storedKeys = new Map<string, string | null>()
const storedKey = (key: string): string | null => {
  const known = storedKeys.get(key)
  if (known !== undefined) return known
  const clean = cleanString(key)
  // the whole key is matched too: a fragment past the length cut still names a secret
  const stored = isSecretKey(clean) || isSecretKey(key) ? null : clean
  if (key.length > KEY_REMEMBERED_LENGTH) return stored
  if (storedKeys.size >= KEYS_REMEMBERED) storedKeys.clear()
  storedKeys.set(key, stored)
  return stored
}

const scrubObject = (value: object, depth: number): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  const keys = Object.keys(value)
  const n = Math.min(keys.length, MAX_ENTRIES)
  for (let i = 0; i < n; i++) {
    const key = keys[i] ?? ""
    const stored = storedKey(key)
    if (stored === null) {
      out[cleanString(key)] = REDACTED
      continue
    }
    const s = scrubValue(Reflect.get(value, key), depth)
    if (s !== undefined) out[stored] = s
  }
  return out
}

/**
 * Details as they may be stored: every value under a key naming a secret (password, secret, token,
 * authorization, apikey, api_key — at any depth) is replaced, and the rest is made plain JSON (no
 * undefined, no NaN, dates as RFC 3339, bounded depth and size), so the hash covers exactly what
 * Postgres keeps.
 */
export const scrubDetails = (details: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> =>
  details === undefined ? {} : scrubObject(details, 0)
