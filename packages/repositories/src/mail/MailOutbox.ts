import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { execute } from "../db/decodeRows.js"

export interface OutboxMessage {
  /** the template used: verification | password_reset | invitation */
  readonly template: string
  readonly recipient: string
  readonly subject: string
  readonly contentType: string
  readonly body: string
}

/**
 * The mail outbox: without SMTP a message waits here as `pending` (readable in development); with SMTP a
 * row records each delivery attempt, `sent` or `failed`.
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
      sent: (m: OutboxMessage) =>
        execute(
          sql`INSERT INTO mail_outbox (template, recipient, subject, content_type, body, status, attempts, sent_at)
              VALUES (${m.template}, ${m.recipient}, ${m.subject}, ${m.contentType}, ${m.body}, 'sent', 1, now())`,
        ),
      failed: (m: OutboxMessage, error: string) =>
        execute(
          sql`INSERT INTO mail_outbox (template, recipient, subject, content_type, body, status, attempts, last_error)
              VALUES (${m.template}, ${m.recipient}, ${m.subject}, ${m.contentType}, ${m.body}, 'failed', 1, ${error})`,
        ),
    }
  }),
}) {}
