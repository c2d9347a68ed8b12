/**
 * One text per JSON value: object keys sorted by code unit, no whitespace, numbers and strings as
 * JSON.stringify writes them. jsonb reorders keys, so the hash must not depend on their order.
 */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null"
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) out += (i === 0 ? "" : ",") + canonicalJson(value[i])
    return `${out}]`
  }
  // the default sort orders strings by UTF-16 code units, natively (a comparator in JS costs more)
  const keys = Object.keys(value).sort()
  let out = "{"
  let first = true
  for (const key of keys) {
    const v: unknown = Reflect.get(value, key)
    if (v === undefined) continue
    out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(v)}`
    first = false
  }
  return `${out}}`
}
