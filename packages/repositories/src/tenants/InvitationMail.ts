import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { execute } from "../db/decodeRows.js"

export interface InvitationMessage {
  readonly recipient: string
  readonly tenantName: string
  /** `<redirect>?token=atomi_…`: the only place the token goes */
  readonly invitationUrl: string
}

/** Queues an invitation email in the outbox the mailer drains (DESIGN.md §3 `Mailer`). */
export class InvitationMail extends Effect.Service<InvitationMail>()("atom/InvitationMail", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      enqueue: (m: InvitationMessage) =>
        execute(
          sql`INSERT INTO mail_outbox (template, recipient, subject, body)
              VALUES ('invitation', ${m.recipient}, ${`You are invited to join ${m.tenantName}`},
                      ${`You have been invited to join ${m.tenantName}.\n\ninvitation_url=${m.invitationUrl}\n`})`,
        ),
    }
  }),
}) {}
