import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { execute } from "../db/decodeRows.js"

/**
 * Failed logins per normalised identifier and tenant (identity-certs §2.2 lockout). Counting them and
 * recording successes are part of LoginStatements' two statements.
 */
export class LoginAttempts extends Effect.Service<LoginAttempts>()("atom/LoginAttempts", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      recordFailure: (identifier: string, tenantId: string | null) =>
        execute(
          sql`INSERT INTO auth_login_attempts (identifier, tenant_id, success) VALUES (${identifier}, ${tenantId}, false)`,
        ),
    }
  }),
}) {}
