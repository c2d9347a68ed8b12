import { AtomConfig } from "@atom/domain/config"
import { EMAIL_TEMPLATE_LINK, type EmailTemplateName, renderEmailTemplate } from "@atom/engines/mail"
import type { DbFailure } from "@atom/repositories/db"
import { MailOutbox } from "@atom/repositories/mail"
import { Effect, Option, Redacted } from "effect"
import { loadEmailTemplates } from "./emailTemplates.js"

export interface MailRequest {
  readonly template: EmailTemplateName
  readonly recipient: string
  /** The template's one link, carrying a one-time token: never logged, redacted once the mail is delivered. */
  readonly link: Redacted.Redacted<string>
  /** Other template variables; nothing secret. */
  readonly vars?: Readonly<Record<string, string>>
}

export type MailerMode = "smtp" | "outbox"

/**
 * Composes Atom's mail (DESIGN.md §3) into the `mail_outbox` table, on the caller's transaction: a message
 * exists only if its use case commits, and no use case ever waits on (or rolls back for) an SMTP server.
 * With `ATOM_SMTP_HOST` and `ATOM_SMTP_FROM` set, `MailDelivery` sends pending rows in the background;
 * without, they stay pending, where development and tests read them.
 */
export class Mailer extends Effect.Service<Mailer>()("atom/Mailer", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const outbox = yield* MailOutbox
    const templates = yield* Effect.orDie(loadEmailTemplates(config.mail.templatesDir))
    const mode: MailerMode = Option.isSome(config.mail.smtp) ? "smtp" : "outbox"
    if (mode === "outbox")
      yield* Effect.logWarning("SMTP is not configured: mail is kept in the mail_outbox table (development only)")

    const send = (request: MailRequest): Effect.Effect<void, DbFailure> =>
      Effect.suspend(() => {
        const rendered = renderEmailTemplate(templates[request.template], {
          ...request.vars,
          [EMAIL_TEMPLATE_LINK[request.template]]: Redacted.value(request.link),
        })
        return outbox.pending({
          template: request.template,
          recipient: request.recipient,
          subject: rendered.subject,
          contentType: rendered.contentType,
          body: rendered.body,
        })
      }).pipe(Effect.withSpan("Mailer.send", { attributes: { template: request.template, mode } }))

    return { mode, send } as const
  }),
  dependencies: [MailOutbox.Default],
}) {}
