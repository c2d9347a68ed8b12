import { isJsonObject } from "./definitionRules.js"

/** Follows `a.b.0` into a JSON value: numeric segments index arrays, others read object keys. */
export const selectPath = (value: unknown, path: string): unknown => {
  let current: unknown = value
  for (const part of path.split(".")) {
    if (/^\d+$/.test(part)) {
      if (!Array.isArray(current)) return undefined
      current = current[Number(part)]
    } else {
      if (!isJsonObject(current) || !Object.hasOwn(current, part)) return undefined
      current = current[part]
    }
    if (current === undefined) return undefined
  }
  return current
}
