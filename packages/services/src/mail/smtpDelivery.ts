import { X509Certificate } from "node:crypto"
import { readFileSync } from "node:fs"
import { rootCertificates } from "node:tls"
import type { SmtpConfig } from "@atom/domain/config"
import { Effect, Option, Redacted } from "effect"
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

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/**
 * The CAs the SMTP server's certificate may chain to: the system's roots, plus the certificates of
 * `ATOM_SMTP_CA_PATH` when set (a relay with a private CA). Node's `ca` option replaces the default roots,
 * so they are listed too. Throws, naming the variable, when the file cannot be read or holds no certificate:
 * the mail worker starts with the runtime, so a bad file stops startup with that message.
 */
export const smtpTrustedCas = (caPath: Option.Option<string>): ReadonlyArray<string> | undefined => {
  if (Option.isNone(caPath)) return undefined
  let text: string
  try {
    text = readFileSync(caPath.value, "utf8")
  } catch {
    throw new Error(`ATOM_SMTP_CA_PATH (${caPath.value}) is not readable`)
  }
  const pems = text.match(PEM_CERTIFICATE) ?? []
  const valid = pems.filter((pem) => {
    try {
      return new X509Certificate(pem).ca
    } catch {
      return false
    }
  })
  if (valid.length === 0 || valid.length !== pems.length) {
    throw new Error(`ATOM_SMTP_CA_PATH (${caPath.value}) must hold PEM CA certificates only`)
  }
  return [...rootCertificates, ...valid]
}

/**
 * SMTP delivery (identity-certs §6.1): `tls` connects over TLS, `starttls` requires the upgrade,
 * `none` sends in the clear. Over TLS the server's certificate must verify (TLS 1.2 or newer) against
 * the system's CAs or `ATOM_SMTP_CA_PATH`'s; a server that cannot prove itself never sees the message.
 * Credentials are used only as a pair. Every stage is bounded in time.
 */
export const smtpDelivery = (smtp: SmtpConfig): SmtpDelivery => {
  const ca = smtpTrustedCas(smtp.caPath)
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.tls === "tls",
    requireTLS: smtp.tls === "starttls",
    ignoreTLS: smtp.tls === "none",
    tls: { rejectUnauthorized: true, minVersion: "TLSv1.2", ...(ca ? { ca: [...ca] } : {}) },
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
