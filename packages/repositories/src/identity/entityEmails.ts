import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"

/** A live address and its entity. */
export const EmailOwnerRow = Schema.Struct({ emailId: Schema.String, entityId: Schema.String })
export type EmailOwnerRow = typeof EmailOwnerRow.Type

const Address = Schema.Struct({ email: Schema.String })

/** The live address of an active human whose home tenant (if any) is active: who self-service mails. */
const ACTIVE_HUMAN_ADDRESS = `
  SELECT m.id AS email_id, m.entity_id
  FROM entity_emails m
  JOIN entities e ON e.id = m.entity_id
  LEFT JOIN tenants t ON t.id = e.tenant_id
  WHERE m.deleted_at IS NULL AND e.kind = 'human' AND e.status = 'active' AND e.deleted_at IS NULL
    AND (e.tenant_id IS NULL OR (t.status = 'active' AND t.deleted_at IS NULL))`

/** Entity email addresses (identity-certs §1.6): stored lowercase, verified by a one-time token. */
export class EntityEmails extends Effect.Service<EntityEmails>()("atom/EntityEmails", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const owners = decodeRows(EmailOwnerRow)
    const base = sql.unsafe(ACTIVE_HUMAN_ADDRESS)
    return {
      /** An unverified address; a live duplicate is a unique violation (409 `already exists`). */
      insert: (row: { id: string; entityId: string; email: string }) =>
        execute(
          sql`INSERT INTO entity_emails (id, entity_id, email) VALUES (${row.id}, ${row.entityId}, ${row.email})`,
        ),
      markVerified: (id: string) =>
        execute(
          sql`UPDATE entity_emails SET verified_at = COALESCE(verified_at, now()), updated_at = now() WHERE id = ${id}`,
        ),
      /** The address text of an email row, live or not. */
      address: (id: string) =>
        decodeRows(Address)(sql`SELECT email FROM entity_emails WHERE id = ${id}`).pipe(Effect.map((r) => r[0]?.email)),
      /** An active human's live address (password reset). */
      activeHumanOwner: (email: string) =>
        owners(sql`${base} AND m.email = ${email} LIMIT 1`).pipe(Effect.map((r) => r[0])),
      /** An active human's live, still unverified address (verification resend). */
      unverifiedActiveHumanOwner: (email: string) =>
        owners(sql`${base} AND m.email = ${email} AND m.verified_at IS NULL LIMIT 1`).pipe(Effect.map((r) => r[0])),
    }
  }),
}) {}
