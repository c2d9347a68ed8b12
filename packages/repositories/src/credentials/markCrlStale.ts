import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { type DbFailure, fromSqlError } from "../db/sqlErrors.js"

/**
 * A certificate was revoked: the cached CRL no longer lists every revoked serial, so mark it for
 * regeneration. Only touches existing `crl_state` rows (the certificate area creates them); with
 * none yet there is nothing cached to be stale. Run it in the revoking transaction.
 */
export const markCrlStale: Effect.Effect<void, DbFailure, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) => sql`UPDATE crl_state SET dirty = true, updated_at = now() WHERE NOT dirty`,
).pipe(Effect.asVoid, Effect.mapError(fromSqlError))
