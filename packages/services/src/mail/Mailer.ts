import { AtomConfig } from "@atom/domain/config"
import { Internal } from "@atom/domain/errors"
import {
  EMAIL_TEMPLATE_LINK,
  type EmailTemplateName,
  type RenderedEmail,
  renderEmailTemplate,
} from "@atom/engines/mail"
import type { DbFailure } from "@atom/repositories/db"
import { MailOutbox, type OutboxMessage } from "@atom/repositories/mail"
import { Effect, Option, Redacted } from "effect"
import { loadEmailTemplates } from "./emailTemplates.js"
import { smtpDelivery } from "./smtpDelivery.js"

export interface MailRequest {
  readonly template: EmailTemplateName
  readonly recipient: string
  /** The template's one link, carrying a one-time token: never logged, never kept after SMTP delivery. */
  readonly link: Redacted.Redacted<string>
  /** Other template variables; nothing secret. */
  readonly vars?: Readonly<Record<string, string>>
}

export type MailerMode = "smtp" | "outbox"

/** The link as an SMTP delivery record keeps it: the token's value is gone. */
const redactedLink = (link: string): string => link.replace(/([?&]token=)[^&#]*/g, "$1[redacted]")

/**
 * Sends Atom's mail (DESIGN.md §3): over SMTP when `ATOM_SMTP_HOST` and `ATOM_SMTP_FROM` are set, else
 * into the `mail_outbox` table, where development and tests read it. Statements run on the caller's
 * transaction, so a message composed inside a use case exists only if the use case commits; an SMTP
 * refusal fails the call (500 `internal error`) and so rolls that use case back.
 */
export class Mailer extends Effect.Service<Mailer>()("atom/Mailer", {
  scoped: Effect.gen(function* () {
    const config = yield* AtomConfig
    const outbox = yield* MailOutbox
    const templates = yield* Effect.orDie(loadEmailTemplates(config.mail.templatesDir))
    const smtp = yield* Option.match(config.mail.smtp, {
      onNone: () =>
        Effect.as(
          Effect.logWarning("SMTP is not configured: mail is kept in the mail_outbox table (development only)"),
          Option.none<ReturnType<typeof smtpDelivery>>(),
        ),
      onSome: (c) =>
        Effect.map(
          Effect.acquireRelease(
            Effect.sync(() => smtpDelivery(c)),
            (d) => d.close,
          ),
          Option.some,
        ),
    })
    const mode: MailerMode = Option.isSome(smtp) ? "smtp" : "outbox"

    const compose = (request: MailRequest, link: string): OutboxMessage & RenderedEmail => {
      const rendered = renderEmailTemplate(templates[request.template], {
        ...request.vars,
        [EMAIL_TEMPLATE_LINK[request.template]]: link,
      })
      return {
        template: request.template,
        recipient: request.recipient,
        subject: rendered.subject,
        contentType: rendered.contentType,
        body: rendered.body,
      }
    }

    const send = (request: MailRequest): Effect.Effect<void, Internal | DbFailure> =>
      Effect.gen(function* () {
        const link = Redacted.value(request.link)
        if (Option.isNone(smtp)) return yield* outbox.pending(compose(request, link))
        const message = compose(request, link)
        const record = compose(request, redactedLink(link))
        const delivered = yield* Effect.either(smtp.value.deliver(request.recipient, message))
        if (delivered._tag === "Right") return yield* outbox.sent(record)
        yield* Effect.logWarning("mail delivery failed").pipe(
          Effect.annotateLogs({ template: request.template, error: delivered.left.message }),
        )
        yield* outbox.failed(record, delivered.left.message)
        return yield* new Internal()
      }).pipe(Effect.withSpan("Mailer.send", { attributes: { template: request.template, mode } }))

    return { mode, send } as const
  }),
  dependencies: [MailOutbox.Default],
}) {}
