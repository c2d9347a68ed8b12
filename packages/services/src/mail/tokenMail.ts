import { type EmailTemplateName, linkWithToken } from "@atom/engines/mail"
import { generateOpaqueToken, hashOpaqueSecret, type OpaqueTokenPrefix } from "@atom/engines/tokens"
import type { DbFailure } from "@atom/repositories/db"
import { Effect, Redacted } from "effect"
import type { Mailer } from "./Mailer.js"

export interface TokenMail {
  readonly prefix: OpaqueTokenPrefix
  /** the token's id: a fresh UUID unless given (a re-sent invitation keeps its id) */
  readonly id?: string
  readonly template: EmailTemplateName
  /** where the link goes; null stores the token without a mail */
  readonly recipient: string | null
  /** the link's base URL, from configuration (never from the requester unless trusted) */
  readonly linkBase: string
  readonly vars?: Readonly<Record<string, string>>
}

/** What a flow stores for a token: its id and the verifier of its secret (never the secret). */
export interface StoredToken {
  readonly id: string
  readonly secretHash: string
}

/**
 * The one-time-token mail shared by signup, verification resend, password reset and invitations: a fresh
 * opaque token, its verifier stored by the flow's `store`, and the mail carrying the link composed into the
 * outbox. Run it inside the flow's transaction: token and mail exist together or not at all, and delivery
 * happens later, outside it. Returns the token's id.
 */
export const sendTokenMail = <E, R>(
  mailer: Mailer,
  mail: TokenMail,
  store: (token: StoredToken) => Effect.Effect<void, E, R>,
): Effect.Effect<string, E | DbFailure, R> =>
  Effect.gen(function* () {
    const token = generateOpaqueToken(mail.prefix, mail.id)
    yield* store({ id: token.id, secretHash: hashOpaqueSecret(token.secret) })
    if (mail.recipient !== null) {
      yield* mailer.send({
        template: mail.template,
        recipient: mail.recipient,
        link: Redacted.make(linkWithToken(mail.linkBase, token.token)),
        ...(mail.vars === undefined ? {} : { vars: mail.vars }),
      })
    }
    return token.id
  })
