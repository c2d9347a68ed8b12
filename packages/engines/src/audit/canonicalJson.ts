/** Sorts a short array of keys in place by UTF-16 code units (`<` on strings), as the default sort would. */
const sortKeys = (keys: Array<string>): Array<string> => {
  // Array.prototype.sort allocates a work area on each call; details carry a handful of keys
  if (keys.length > 32) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] ?? ""
    let j = i - 1
    for (; j >= 0 && (keys[j] ?? "") > key; j--) keys[j + 1] = keys[j] ?? ""
    keys[j + 1] = key
  }
  return keys
}

/** Adds the keys of every object inside `value` (nested in objects and arrays) to `into`. */
const collectKeys = (value: object, into: Set<string>): void => {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === "object" && item !== null) collectKeys(item, into)
    return
  }
  for (const key of Object.keys(value)) {
    into.add(key)
    const v: unknown = Reflect.get(value, key)
    if (typeof v === "object" && v !== null) collectKeys(v, into)
  }
}

/** Whether an object's values are all scalars (the common shape of audit details). */
const isFlat = (value: object, keys: ReadonlyArray<string>): boolean => {
  for (const key of keys) {
    const v: unknown = Reflect.get(value, key)
    if (typeof v === "object" && v !== null) return false
  }
  return true
}

/**
 * One text per JSON value: object keys sorted by code unit, no whitespace, numbers and strings as
 * JSON.stringify writes them. jsonb reorders keys, so the hash must not depend on their order.
 *
 * Written by JSON.stringify itself, given the sorted keys as its property list: it then writes every
 * object's properties in that list's order, skipping those an object lacks, at any depth. The list is
 * the union of every nested object's keys, so each object comes out with exactly its own keys, sorted —
 * the same text as sorting each object's keys recursively, in one native call instead of a string built
 * piece by piece (the audit writer hashes thousands of rows a second; test/audit.test.ts checks the two
 * agree on arbitrary JSON).
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (!Array.isArray(value)) {
    const keys = Object.keys(value)
    if (isFlat(value, keys)) return JSON.stringify(value, sortKeys(keys))
  }
  const all = new Set<string>()
  collectKeys(value, all)
  // the list is read with [[Get]]: an object without an own `__proto__` would show its prototype's
  return all.has("__proto__") ? pieceByPiece(value) : JSON.stringify(value, sortKeys([...all]))
}

/** The same text built recursively, key by key: for values where some object has an own `__proto__` key. */
const pieceByPiece = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) return `[${value.map(pieceByPiece).join(",")}]`
  const parts: Array<string> = []
  for (const key of sortKeys(Object.keys(value))) {
    const v: unknown = Reflect.get(value, key)
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${pieceByPiece(v)}`)
  }
  return `{${parts.join(",")}}`
}
