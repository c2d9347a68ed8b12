import { isJsonObject } from "./isJsonObject.js"

const hasOwn = Object.prototype.hasOwnProperty

/** Type-strict structural JSON equality: `"true"` ≠ true, key order irrelevant, arrays ordered. */
export const jsonEquals = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEquals(a[i], b[i])) return false
    return true
  }
  if (!isJsonObject(a) || !isJsonObject(b)) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) if (!hasOwn.call(b, key) || !jsonEquals(a[key], b[key])) return false
  return true
}
