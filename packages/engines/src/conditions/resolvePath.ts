import { isJsonObject } from "./isJsonObject.js"

/** Returned when a dot path does not resolve; distinct from a present JSON null. */
export const MISSING_PATH: unique symbol = Symbol("MissingPath")
export type MissingPath = typeof MISSING_PATH

const hasOwn = Object.prototype.hasOwnProperty

/** Walks object keys only (no array indices); a present null can be read but not descended. */
export const resolvePath = (root: unknown, segments: ReadonlyArray<string>): unknown => {
  let current: unknown = root
  for (const segment of segments) {
    if (!isJsonObject(current) || !hasOwn.call(current, segment)) return MISSING_PATH
    current = current[segment]
  }
  return current
}
