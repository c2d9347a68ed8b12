import { isJsonObject } from "./definitionRules.js"

const SENSITIVE = ["password", "secret", "token", "authorization", "apikey", "api_key", "api-key"]

export const REDACTED = "<redacted>"

/** Whether a key names a secret (case-insensitive substring match). */
export const isSensitiveKey = (key: string): boolean => {
  const lower = key.toLowerCase()
  return SENSITIVE.some((s) => lower.includes(s))
}

/** A copy of a JSON value with every value under a sensitive key replaced by `<redacted>`, at any depth. */
export const redact = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(redact)
  if (!isJsonObject(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = isSensitiveKey(key) ? REDACTED : redact(inner)
  return out
}
