import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"

/** Failed-login counting per normalised identifier and tenant (identity-certs §2.2 lockout). */
export class LoginAttempts extends Effect.Service<LoginAttempts>()("atom/LoginAttempts", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const sameTenant = (tenantId: string | null) =>
      tenantId === null ? sql`tenant_id IS NULL` : sql`tenant_id = ${tenantId}`
    return {
      recentFailures: (identifier: string, tenantId: string | null, windowSecs: number) =>
        decodeRows(Schema.Struct({ n: Schema.Number }))(
          sql`SELECT count(*)::int AS n FROM auth_login_attempts
              WHERE identifier = ${identifier} AND ${sameTenant(tenantId)} AND NOT success
                AND created_at > now() - make_interval(secs => ${windowSecs})`,
        ).pipe(Effect.map((r) => r[0]?.n ?? 0)),
      record: (identifier: string, tenantId: string | null, success: boolean) =>
        execute(
          sql`INSERT INTO auth_login_attempts (identifier, tenant_id, success) VALUES (${identifier}, ${tenantId}, ${success})`,
        ),
    }
  }),
}) {}
