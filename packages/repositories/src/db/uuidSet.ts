import type { Statement } from "@effect/sql"

/** `(SELECT uuid …)`: a list of ids passed as one JSON parameter, for `IN (…)` and joins (empty lists welcome). */
export const uuidSet = (sql: Statement.Constructor, ids: ReadonlyArray<string>) =>
  sql`(SELECT value::uuid FROM json_array_elements_text(${JSON.stringify(ids)}::json))`
