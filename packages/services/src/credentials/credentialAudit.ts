import type { AuditEvent } from "@atom/domain/audit"
import type { Caller } from "@atom/domain/identity"
import type { DbFailure } from "@atom/repositories/db"
import { Effect, Option } from "effect"
import { AuditLog } from "../audit/AuditLog.js"
import { enqueueAudit } from "../audit/enqueueAudit.js"

/**
 * Records a credential change (`credential.create|update|revoke|reveal`, identity-certs §4) in the
 * caller's transaction, so a committed change always has its record; where no audit log is wired
 * (tests of a use case alone) the event goes to the queue, if any. Details never carry a secret.
 */
export const recordCredentialEvent = (event: AuditEvent): Effect.Effect<void, DbFailure> =>
  Effect.flatMap(Effect.serviceOption(AuditLog), (log) =>
    Option.isSome(log) ? log.value.recordInTx(event) : enqueueAudit(event),
  )

/** A `credential.*` allow event by the caller. */
export const credentialEvent = (
  caller: Caller,
  event: "credential.create" | "credential.update" | "credential.revoke" | "credential.reveal",
  target: { readonly kind: "credential" | "entity"; readonly id: string; readonly tenantId: string | null },
  details: Readonly<Record<string, unknown>>,
): AuditEvent => ({
  event,
  outcome: "allow",
  actorId: caller.entityId,
  tenantId: target.tenantId,
  targetKind: target.kind,
  targetId: target.id,
  details,
})
