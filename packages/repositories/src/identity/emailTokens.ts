import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"

/** A stored one-time token tied to an address: only the verifier of its secret is kept. */
export const EmailTokenRow = Schema.Struct({
  id: Schema.String,
  entityId: Schema.String,
  emailId: Schema.String,
  secretHash: Schema.String,
  expiresAt: Schema.DateFromSelf,
  consumedAt: Schema.NullOr(Schema.DateFromSelf),
})
export type EmailTokenRow = typeof EmailTokenRow.Type

const Id = Schema.Struct({ id: Schema.String })

export interface EmailTokenInsert {
  readonly id: string
  readonly entityId: string
  readonly emailId: string
  readonly secretHash: string
  readonly expiresAt: Date
}

/** The same three statements over `email_verification_tokens` or `password_reset_tokens`. */
const emailTokenTable = (table: "email_verification_tokens" | "password_reset_tokens") =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const name = sql(table)
    return {
      insert: (row: EmailTokenInsert) =>
        execute(
          sql`INSERT INTO ${name} (id, entity_id, email_id, secret_hash, expires_at)
              VALUES (${row.id}, ${row.entityId}, ${row.emailId}, ${row.secretHash}, ${row.expiresAt})`,
        ),
      byId: (id: string) =>
        decodeRows(EmailTokenRow)(
          sql`SELECT id, entity_id, email_id, secret_hash, expires_at, consumed_at FROM ${name} WHERE id = ${id}`,
        ).pipe(Effect.map((r) => r[0])),
      /** Spends the token once: false when it was already used or has expired meanwhile. */
      consume: (id: string) =>
        decodeRows(Id)(
          sql`UPDATE ${name} SET consumed_at = now()
              WHERE id = ${id} AND consumed_at IS NULL AND expires_at > now() RETURNING id`,
        ).pipe(Effect.map((r) => r.length > 0)),
    }
  })

/** `atomv_…` tokens that confirm an address. */
export class EmailVerificationTokens extends Effect.Service<EmailVerificationTokens>()("atom/EmailVerificationTokens", {
  effect: emailTokenTable("email_verification_tokens"),
}) {}

/** `atomr_…` tokens that set a new password (30 minutes). */
export class PasswordResetTokens extends Effect.Service<PasswordResetTokens>()("atom/PasswordResetTokens", {
  effect: emailTokenTable("password_reset_tokens"),
}) {}
