import { selectPath } from "./selectPath.js"

/**
 * The response body (identity-certs §5 step 10): an empty mapping answers the whole `data`; otherwise each
 * key takes a `$.a.b` selector read from `data` (missing → null) or a literal value.
 */
export const applyResponseMapping = (mapping: Readonly<Record<string, unknown>>, data: unknown): unknown => {
  const entries = Object.entries(mapping)
  if (entries.length === 0) return data
  const out: Record<string, unknown> = {}
  for (const [key, selector] of entries) {
    out[key] =
      typeof selector === "string" && selector.startsWith("$.")
        ? (selectPath(data, selector.slice(2)) ?? null)
        : selector
  }
  return out
}
