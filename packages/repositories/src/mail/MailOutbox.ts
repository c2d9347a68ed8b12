import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"

export interface OutboxMessage {
  /** the template used: verification | password_reset | invitation */
  readonly template: string
  readonly recipient: string
  readonly subject: string
  readonly contentType: string
  readonly body: string
}

/** A pending message taken for one delivery attempt (its `attempts` already counts this one). */
export const ClaimedMail = Schema.Struct({
  id: Schema.String,
  template: Schema.String,
  recipient: Schema.String,
  subject: Schema.String,
  contentType: Schema.String,
  body: Schema.String,
  attempts: Schema.Number,
})
export type ClaimedMail = typeof ClaimedMail.Type

/**
 * The mail outbox (migration 0010): use cases write `pending` rows in their own transaction; without SMTP
 * they stay there (readable in development), with SMTP the delivery worker claims due rows, sends them
 * and records `sent` or `failed` (or the next attempt's time).
 */
export class MailOutbox extends Effect.Service<MailOutbox>()("atom/MailOutbox", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      pending: (m: OutboxMessage) =>
        execute(
          sql`INSERT INTO mail_outbox (template, recipient, subject, content_type, body)
              VALUES (${m.template}, ${m.recipient}, ${m.subject}, ${m.contentType}, ${m.body})`,
        ),

      /**
       * Takes up to `limit` due pending rows for one attempt each: the attempt is counted and the row is
       * leased for `leaseSecs` (another worker skips it; a worker that dies leaves it due again later).
       */
      claimDue: (limit: number, leaseSecs: number) =>
        decodeRows(ClaimedMail)(
          sql`UPDATE mail_outbox o
              SET attempts = o.attempts + 1, updated_at = now(),
                  next_attempt_at = now() + make_interval(secs => ${leaseSecs})
              WHERE o.id IN (
                SELECT id FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
              RETURNING o.id, o.template, o.recipient, o.subject, o.content_type, o.body, o.attempts`,
        ),

      /** Delivered: the body keeps only a redacted copy (no one-time token survives delivery). */
      markSent: (id: string, redactedBody: string) =>
        execute(
          sql`UPDATE mail_outbox SET status = 'sent', sent_at = now(), updated_at = now(), last_error = NULL,
                body = ${redactedBody}
              WHERE id = ${id}::uuid`,
        ),

      /** A failed attempt to try again no earlier than `delaySecs` from now. */
      markRetry: (id: string, error: string, delaySecs: number) =>
        execute(
          sql`UPDATE mail_outbox SET last_error = ${error}, updated_at = now(),
                next_attempt_at = now() + make_interval(secs => ${delaySecs})
              WHERE id = ${id}::uuid`,
        ),

      /** Given up: refused for good or out of attempts; the token is redacted here too. */
      markFailed: (id: string, error: string, redactedBody: string) =>
        execute(
          sql`UPDATE mail_outbox SET status = 'failed', last_error = ${error}, updated_at = now(),
                body = ${redactedBody}
              WHERE id = ${id}::uuid`,
        ),
    }
  }),
}) {}
