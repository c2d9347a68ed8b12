import { createHash } from "node:crypto"

/**
 * The dataset's ids and pseudo-random choices, computed the same way in SQL (statements.ts) and here, so the
 * bench can name subjects and objects without reading them back. Everything derives from md5 of
 * `<seed>:<kind>:<n>`: deterministic from the seed, and distinct per kind.
 */
const md5 = (text: string) => createHash("md5").update(text).digest("hex")

/** The uuid the generator gives row `n` of `kind` (md5 hex read as a uuid, exactly as `md5(…)::uuid`). */
export const datasetId = (seed: number, kind: string, n: number | string): string => {
  const h = md5(`${seed}:${kind}:${n}`)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

/** An unsigned 32-bit hash of `<seed>:<kind>:<n>`: the SQL `hashOf` below. */
export const datasetHash = (seed: number, kind: string, n: number | string): number =>
  Number.parseInt(md5(`${seed}:${kind}:${n}`).slice(0, 8), 16)

/** SQL for `datasetId(seed, kind, <expr>)`. `expr` is SQL text built only from numbers and column names. */
export const idSql = (seed: number, kind: string, expr: string): string => `md5('${seed}:${kind}:' || (${expr}))::uuid`

/** SQL for `datasetHash(seed, kind, <expr>)` (a bigint from 0 to 2^32 - 1). */
export const hashSql = (seed: number, kind: string, expr: string): string =>
  `(('x' || substr(md5('${seed}:${kind}:' || (${expr})), 1, 8))::bit(32)::bigint)`
