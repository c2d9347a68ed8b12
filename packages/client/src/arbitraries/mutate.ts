import { FastCheck as fc } from "effect"
import type { Json } from "../Json.js"
import { hostileValue, unknownFieldName } from "./hostile.js"

type JsonObject = { readonly [key: string]: Json }

const isObject = (v: Json | undefined): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v)

/** The paths of an object's fields, one level into nested objects (`["input", "name"]`). */
const fieldPaths = (value: JsonObject): ReadonlyArray<ReadonlyArray<string>> =>
  Object.entries(value).flatMap(([key, v]) => [[key], ...(isObject(v) ? Object.keys(v).map((k) => [key, k]) : [])])

/** `value` with the field at `path` set (`replacement` given) or removed (`undefined`). */
const setPath = (value: JsonObject, path: ReadonlyArray<string>, replacement: Json | undefined): JsonObject => {
  const [head, ...rest] = path
  if (head === undefined) return value
  const copy: Record<string, Json> = { ...value }
  // an own property even for `__proto__`, so it reaches the wire
  const set = (v: Json) =>
    Object.defineProperty(copy, head, { value: v, enumerable: true, writable: true, configurable: true })
  if (rest.length === 0) {
    if (replacement === undefined) delete copy[head]
    else set(replacement)
    return copy
  }
  const inner = copy[head]
  set(setPath(isObject(inner) ? inner : {}, rest, replacement))
  return copy
}

/**
 * Hostile variants of well-formed variables: one field replaced by a value of the wrong type or shape,
 * one field removed, unknown fields added (at the top or inside an input object), or the whole thing
 * replaced.
 */
export const mutateVariables = (valid: JsonObject): fc.Arbitrary<Json> => {
  const paths = fieldPaths(valid)
  const somePath = paths.length > 0 ? fc.constantFrom(...paths) : fc.constant<ReadonlyArray<string>>(["input"])
  const levels: ReadonlyArray<ReadonlyArray<string>> = [
    [],
    ...paths.filter((p) => p.length === 1 && isObject(valid[p[0] ?? ""])),
  ]
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(somePath, hostileValue).map(([path, v]) => setPath(valid, path, v)) },
    { weight: 2, arbitrary: somePath.map((path) => setPath(valid, path, undefined)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...levels), unknownFieldName, hostileValue)
        .map(([level, name, v]) => setPath(valid, [...level, name], v)),
    },
    { weight: 1, arbitrary: hostileValue },
  )
}
