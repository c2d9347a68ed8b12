import { type AuditFilter, AuditOutcome } from "@atom/domain/audit"
import { InvalidInput } from "@atom/domain/errors"
import { type Instant, parseRfc3339 } from "@atom/engines/conditions"
import { Effect, Schema } from "effect"
import { type Page, type PageBounds, pageOf } from "../authz/pagination.js"

/** `auditLogs` arguments as a transport received them (api.md §3.5); REST export uses the same names. */
export interface AuditQueryFields {
  readonly actorEntityId?: string | null | undefined
  readonly tenantId?: string | null | undefined
  readonly targetKind?: string | null | undefined
  readonly targetId?: string | null | undefined
  readonly event?: string | null | undefined
  readonly outcome?: string | null | undefined
  readonly from?: string | null | undefined
  readonly to?: string | null | undefined
  readonly limit?: number | null | undefined
  readonly offset?: number | null | undefined
}

/** Audit lists: 50 by default, at most 200 (api.md §3.4). */
export const AUDIT_PAGE: PageBounds = { defaultLimit: 50, maxLimit: 200 }

const isUuid = Schema.is(Schema.UUID)
const isOutcome = Schema.is(AuditOutcome)

const given = (value: string | null | undefined): value is string =>
  value !== undefined && value !== null && value !== ""

const uuidField = (name: string, value: string | null | undefined) =>
  !given(value)
    ? Effect.succeed(null)
    : isUuid(value)
      ? Effect.succeed(value.toLowerCase())
      : Effect.fail(new InvalidInput({ message: `${name} must be a UUID` }))

/**
 * An instant as Postgres text with microseconds, rounded up: stored times have microseconds at most, so
 * `>= from` and `< to` keep their meaning for a bound with more digits.
 */
const microsText = (instant: Instant): string => {
  const micros = Math.min(999_999, Math.ceil(instant.nanos / 1000))
  const whole = new Date(instant.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "")
  return `${whole}.${String(micros).padStart(6, "0")}Z`
}

const timeField = (name: string, value: string | null | undefined) => {
  if (!given(value)) return Effect.succeed(null)
  const instant = parseRfc3339(value)
  return instant === undefined
    ? Effect.fail(new InvalidInput({ message: `${name} must be RFC3339` }))
    : Effect.succeed(microsText(instant))
}

/** Validates the filters: ids must be UUIDs, times RFC 3339 (`from` inclusive, `to` exclusive). */
export const parseAuditFilter = (fields: AuditQueryFields): Effect.Effect<AuditFilter, InvalidInput> =>
  Effect.gen(function* () {
    const outcome = given(fields.outcome) ? fields.outcome : null
    if (outcome !== null && !isOutcome(outcome)) {
      return yield* new InvalidInput({ message: "outcome must be allow, deny or error" })
    }
    return {
      actorId: yield* uuidField("actorEntityId", fields.actorEntityId),
      tenantId: yield* uuidField("tenantId", fields.tenantId),
      targetKind: given(fields.targetKind) ? fields.targetKind : null,
      targetId: yield* uuidField("targetId", fields.targetId),
      event: given(fields.event) ? fields.event : null,
      outcome,
      from: yield* timeField("from", fields.from),
      to: yield* timeField("to", fields.to),
    }
  })

export const auditPage = (fields: AuditQueryFields): Page => pageOf(fields.limit, fields.offset, AUDIT_PAGE)
