import { AuditEventName } from "./AuditEventName.js"
import type { AuditOutcome } from "./AuditOutcome.js"

/** The hot-path decision events whose allows are stored only on request (identity-certs §4). */
export type HotPathCategory = "authz_check" | "auth_login" | "auth_credential_authenticate"

const HOT_PATH: ReadonlyMap<string, HotPathCategory> = new Map([
  [AuditEventName.authzCheck, "authz_check"],
  [AuditEventName.authLogin, "auth_login"],
  [AuditEventName.credentialAuthenticate, "auth_credential_authenticate"],
])

/** The category of a hot-path event, or undefined for every other event. */
export const hotPathCategory = (event: string): HotPathCategory | undefined => HOT_PATH.get(event)

/**
 * The `atom_audit_db_suppressed_total` category when this event is NOT to be stored: a hot-path allow
 * while `ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED` is off. Denies and errors are always kept.
 */
export const suppressedCategory = (
  event: string,
  outcome: AuditOutcome,
  hotPathAllowDbEnabled: boolean,
): HotPathCategory | undefined => (outcome === "allow" && !hotPathAllowDbEnabled ? hotPathCategory(event) : undefined)
