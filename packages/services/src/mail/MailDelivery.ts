import { AtomConfig } from "@atom/domain/config"
import { redactTokenLinks } from "@atom/engines/mail"
import { type ClaimedMail, MailOutbox } from "@atom/repositories/mail"
import { Duration, Effect, Layer, Option, Schedule } from "effect"
import { type SmtpDelivery, smtpDelivery } from "./smtpDelivery.js"

export interface MailDeliveryOptions {
  /** how often the worker looks for due messages */
  readonly pollInterval: Duration.DurationInput
  /** messages claimed per look */
  readonly batchSize: number
  /** attempts before a message that keeps failing (4xx, no connection) is given up */
  readonly maxAttempts: number
  /** pause after the first failed attempt, doubled after each further one, at most `maxRetryDelay` */
  readonly retryDelay: Duration.DurationInput
  readonly maxRetryDelay: Duration.DurationInput
  /** how long a claimed message is kept from other workers while this one delivers it */
  readonly lease: Duration.DurationInput
}

export const DEFAULT_MAIL_DELIVERY: MailDeliveryOptions = {
  pollInterval: Duration.millis(500),
  batchSize: 20,
  maxAttempts: 6,
  retryDelay: Duration.seconds(30),
  maxRetryDelay: Duration.minutes(30),
  lease: Duration.minutes(2),
}

const seconds = (d: Duration.DurationInput): number => Duration.toMillis(d) / 1000

/**
 * The mail delivery worker (issue 4): one fiber, started with the runtime when SMTP is configured and
 * interrupted at shutdown, that sends the outbox's pending messages. A message is delivered outside any
 * use case's transaction, so a slow or refusing SMTP server never holds a transaction open nor rolls a
 * signup back: a 5xx answer marks the message `failed`, anything else is retried with backoff until
 * `maxAttempts`. The stored body loses its token links once the message is sent or given up.
 */
const makeMailDelivery = (options: MailDeliveryOptions) =>
  Effect.gen(function* () {
    const config = yield* AtomConfig
    const outbox = yield* MailOutbox
    const settings = config.mail.smtp
    if (Option.isNone(settings)) return
    const smtp = yield* Effect.acquireRelease(
      Effect.sync(() => smtpDelivery(settings.value)),
      (d) => d.close,
    )

    const retryAfter = (attempts: number): number =>
      Math.min(seconds(options.retryDelay) * 2 ** Math.max(0, attempts - 1), seconds(options.maxRetryDelay))

    // each message's attempt and its record run to the end once started (SMTP stages are time-bounded)
    const deliverOne = (smtp: SmtpDelivery, mail: ClaimedMail) =>
      Effect.uninterruptible(
        Effect.gen(function* () {
          const sent = yield* Effect.either(
            smtp.deliver(mail.recipient, { subject: mail.subject, contentType: mail.contentType, body: mail.body }),
          )
          if (sent._tag === "Right") return yield* outbox.markSent(mail.id, redactTokenLinks(mail.body))
          const error = sent.left
          const givingUp = error.permanent || mail.attempts >= options.maxAttempts
          yield* Effect.logWarning(
            givingUp ? "mail delivery failed, giving up" : "mail delivery failed, will retry",
          ).pipe(Effect.annotateLogs({ template: mail.template, attempts: mail.attempts, error: error.message }))
          if (givingUp) return yield* outbox.markFailed(mail.id, error.message, redactTokenLinks(mail.body))
          yield* outbox.markRetry(mail.id, error.message, retryAfter(mail.attempts))
        }),
      ).pipe(Effect.withSpan("MailDelivery.deliver", { attributes: { template: mail.template } }))

    const round = Effect.gen(function* () {
      const due = yield* outbox.claimDue(options.batchSize, seconds(options.lease))
      for (const mail of due) yield* deliverOne(smtp, mail)
    }).pipe(
      Effect.catchAll((e) =>
        Effect.logWarning("mail delivery: outbox unavailable").pipe(Effect.annotateLogs({ error: e.message })),
      ),
    )

    yield* Effect.forkScoped(Effect.repeat(round, Schedule.spaced(options.pollInterval)))
  })

/** The outbox's delivery worker; a layer with nothing to call, only a fiber for the runtime's lifetime. */
export const MailDelivery = {
  layer: (options: Partial<MailDeliveryOptions> = {}) =>
    Layer.scopedDiscard(makeMailDelivery({ ...DEFAULT_MAIL_DELIVERY, ...options })).pipe(
      Layer.provide(MailOutbox.Default),
    ),
}
