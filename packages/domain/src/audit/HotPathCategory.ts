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
): HotPathCategory | undefined => sampledOutCategory(event, outcome, hotPathAllowDbEnabled ? 1 : 0, noDraw)

/** At rates 0 and 1 nothing is drawn. */
const noDraw = (): number => 0

/**
 * The share of hot-path allows stored: none while ATOM_AUDIT_HOT_PATH_ALLOW_DB_ENABLED is off, else
 * ATOM_AUDIT_HOT_PATH_ALLOW_SAMPLE_RATE (1 keeps them all).
 */
export const storedAllowRate = (audit: {
  readonly hotPathAllowDbEnabled: boolean
  readonly hotPathAllowSampleRate: number
}): number => (audit.hotPathAllowDbEnabled ? audit.hotPathAllowSampleRate : 0)

/**
 * `suppressedCategory` with sampling, for the one place that decides whether an event is stored: a hot-path
 * allow is kept with probability `rate` (`draw` gives a uniform number in [0, 1)), counted otherwise.
 */
export const sampledOutCategory = (
  event: string,
  outcome: AuditOutcome,
  rate: number,
  draw: () => number,
): HotPathCategory | undefined => {
  if (outcome !== "allow" || rate >= 1) return undefined
  const category = hotPathCategory(event)
  return category !== undefined && (rate <= 0 || draw() >= rate) ? category : undefined
}
