import type { AtomConfigShape } from "@atom/domain/config"
import { OpaqueTokenPrefix } from "@atom/engines/tokens"
import type { EmailVerificationTokens } from "@atom/repositories/identity"
import { Clock, Effect } from "effect"
import type { Mailer } from "../mail/Mailer.js"
import { sendTokenMail } from "../mail/tokenMail.js"

/** The address a verification token is for. */
export interface VerificationTarget {
  readonly entityId: string
  readonly emailId: string
  readonly email: string
}

/**
 * A verification token for an address and its mail (signup and resend): run inside the caller's
 * transaction, so the token, the outbox row and the caller's other writes commit together.
 */
export const sendVerificationMail = (
  config: AtomConfigShape,
  mailer: Mailer,
  tokens: EmailVerificationTokens,
  target: VerificationTarget,
) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    sendTokenMail(
      mailer,
      {
        prefix: OpaqueTokenPrefix.emailVerification,
        template: "verification",
        recipient: target.email,
        linkBase: config.selfService.emailVerificationRedirect,
      },
      (token) =>
        tokens.insert({
          ...token,
          entityId: target.entityId,
          emailId: target.emailId,
          expiresAt: new Date(now + config.selfService.emailVerificationExpirySecs * 1000),
        }),
    ),
  )
