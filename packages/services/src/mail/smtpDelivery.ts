import type { SmtpConfig } from "@atom/domain/config"
import { Effect, Redacted } from "effect"
import { createTransport } from "nodemailer"

/**
 * An SMTP server refused or could not take a message; `message` never holds the mail's body. `permanent`:
 * the server answered 5xx (a retry would be refused again); otherwise (4xx, no connection, a timeout) a
 * later attempt may succeed.
 */
export class SmtpFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message)
  }
}

const responseCode = (e: unknown): number | undefined =>
  typeof e === "object" && e !== null && "responseCode" in e && typeof e.responseCode === "number"
    ? e.responseCode
    : undefined

/** A composed message as the outbox holds it (`text/html` or plain text). */
export interface OutgoingMail {
  readonly subject: string
  readonly contentType: string
  readonly body: string
}

export interface SmtpDelivery {
  readonly deliver: (recipient: string, mail: OutgoingMail) => Effect.Effect<void, SmtpFailure>
  readonly close: Effect.Effect<void>
}

/**
 * SMTP delivery (identity-certs §6.1): `tls` connects over TLS, `starttls` requires the upgrade,
 * `none` sends in the clear. Credentials are used only as a pair. Every stage is bounded in time.
 */
export const smtpDelivery = (smtp: SmtpConfig): SmtpDelivery => {
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === "tls",
    requireTLS: smtp.tls === "starttls",
    ignoreTLS: smtp.tls === "none",
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...(smtp.credentials._tag === "Some"
      ? { auth: { user: smtp.credentials.value.username, pass: Redacted.value(smtp.credentials.value.password) } }
      : {}),
  })
  return {
    deliver: (recipient, mail) =>
      Effect.tryPromise({
        try: () =>
          transport.sendMail({
            from: smtp.from,
            to: recipient,
            subject: mail.subject,
            ...(mail.contentType === "text/html" ? { html: mail.body } : { text: mail.body }),
          }),
        catch: (e) =>
          new SmtpFailure(e instanceof Error ? e.message : "SMTP delivery failed", (responseCode(e) ?? 0) >= 500),
      }).pipe(Effect.asVoid),
    close: Effect.sync(() => transport.close()),
  }
}
