/** What a scrubbed value becomes: the key stays, so a reader sees that something was there. */
export const REDACTED = "[redacted]"

/** Fragments that make a key name a secret, found inside any of its words (`newPassword`, `x_api_key`). */
const SECRET_FRAGMENTS = ["password", "passwd", "passphrase", "secret", "token", "authorization", "apikey"]
/** A word before `key` that makes the pair key material: `private_key`, `sharedKey`, `api-key`, `signing_key`. */
const KEY_QUALIFIERS = new Set(["private", "shared", "api", "signing", "secret", "encryption", "access"])
/**
 * Last words of keys that describe a secret without holding it (`token_kind`, `passwords_revoked`,
 * `shared_key_id`, `password_changed_at`): their values are kept.
 */
const METADATA_WORDS = new Set([
  "kind",
  "type",
  "id",
  "ids",
  "prefix",
  "count",
  "revoked",
  "expires",
  "expiry",
  "at",
  "hint",
  "length",
  "name",
  "fingerprint",
  "version",
  "rotated",
  "changed",
  "required",
  "policy",
  "method",
  "status",
  "scheme",
  "format",
  "source",
  "algorithm",
  "scope",
  "scopes",
  "reason",
  "used",
])
const MAX_DEPTH = 8
const MAX_STRING = 4096
const MAX_ENTRIES = 256

/** A key's words, lower case: split at camelCase humps and at anything not a letter or digit. */
const wordsOf = (key: string): Array<string> =>
  key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "")

/**
 * Whether a details key names a secret (identity-certs §4: secrets never reach an audit record): a word
 * holding a secret fragment or a key-material pair, unless the last word says the value only describes one.
 */
export const isSecretKey = (key: string): boolean => {
  const words = wordsOf(key)
  const last = words[words.length - 1]
  if (last === undefined || (words.length > 1 && METADATA_WORDS.has(last))) return false
  return words.some(
    (word, i) =>
      SECRET_FRAGMENTS.some((fragment) => word.includes(fragment)) ||
      ((word === "key" || word === "keys") && KEY_QUALIFIERS.has(words[i - 1] ?? "")),
  )
}

/** Atom's generated access tokens and shared keys. */
const ATOM_SECRET = /^atom_(shared_)?[0-9a-f]{32}_[0-9a-f]{64}$/
/** A JWT (header, payload, signature), e.g. a session token. */
const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/
const BEARER = /^bearer\s+\S/i

/** Whether a string value is a credential whatever its key: an `atom_` token, a JWT, a bearer header, a private key. */
export const isSecretValue = (s: string): boolean =>
  (s.startsWith("atom_") && ATOM_SECRET.test(s)) ||
  (s.startsWith("eyJ") && JWT.test(s)) ||
  BEARER.test(s) ||
  s.includes("PRIVATE KEY-----")

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
  if (typeof value === "string") return isSecretValue(value) ? REDACTED : cleanString(value)
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
 * authorization, apikey, private/shared/api key … at any depth; not `token_kind` or `shared_key_id`) and
 * every string that is a credential (an `atom_` token, a JWT, a bearer header, a PEM private key) is
 * replaced, and the rest is made plain JSON (no
 * undefined, no NaN, dates as RFC 3339, bounded depth and size), so the hash covers exactly what
 * Postgres keeps.
 */
export const scrubDetails = (details: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> =>
  details === undefined ? {} : scrubObject(details, 0)
