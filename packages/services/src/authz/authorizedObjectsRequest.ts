import { InvalidInput } from "@atom/domain/errors"
import { Effect, Schema } from "effect"
import { AUTHORIZED_IDS_PAGE, type Page, pageOf } from "./pagination.js"

/** `AuthorizedObjectIdsInput` as GraphQL delivers it. */
export interface AuthorizedObjectIdsFields {
  readonly subjectId: string
  readonly action: string
  readonly objectKind: string
  readonly objectType?: string | null | undefined
  readonly tenantId?: string | null | undefined
  readonly q?: string | null | undefined
  readonly limit?: number | null | undefined
  readonly offset?: number | null | undefined
}

export type ListableKind = "entity" | "resource" | "group"

export interface AuthorizedObjectsRequest {
  readonly subjectId: string
  readonly action: string
  readonly kind: ListableKind
  /** entity/resource sub-kind; null = all */
  readonly subKind: string | null
  /** the type filter names another kind: nothing can match */
  readonly matchesNothing: boolean
  readonly tenantId: string | null
  readonly q: string | null
  readonly page: Page
}

const isUuid = Schema.is(Schema.UUID)
const isListableKind = Schema.is(Schema.Literal("entity", "resource", "group"))

const blank = (value: string | null | undefined): value is null | undefined =>
  value === null || value === undefined || value.trim() === ""

type TypeFilter = Pick<AuthorizedObjectsRequest, "subKind" | "matchesNothing">

const ANY: TypeFilter = { subKind: null, matchesNothing: false }
const NOTHING: TypeFilter = { subKind: null, matchesNothing: true }

// The type filter accepts a bare sub-kind or a namespaced `<kind>:<sub>` (authz.md §4).
const typeFilterOf = (kind: ListableKind, type: string | null | undefined): TypeFilter => {
  if (blank(type)) return ANY
  const colon = type.indexOf(":")
  const prefix = colon < 0 ? kind : type.slice(0, colon)
  const sub = colon < 0 ? type : type.slice(colon + 1)
  if (prefix !== kind) return NOTHING
  if (kind === "group") return sub === "group" ? ANY : NOTHING
  return { subKind: sub, matchesNothing: false }
}

/** Validates an authorized-id listing request with GraphQL's wording (api.md §3.3). */
export const parseAuthorizedObjectsRequest = (
  fields: AuthorizedObjectIdsFields,
): Effect.Effect<AuthorizedObjectsRequest, InvalidInput> => {
  const subjectId = fields.subjectId.trim().toLowerCase()
  if (!isUuid(subjectId)) return Effect.fail(new InvalidInput({ message: "subjectId must be a UUID" }))
  if (!isListableKind(fields.objectKind)) {
    return Effect.fail(new InvalidInput({ message: "objectKind must be a valid object kind" }))
  }
  const tenantId = blank(fields.tenantId) ? null : fields.tenantId.trim().toLowerCase()
  if (tenantId !== null && !isUuid(tenantId)) {
    return Effect.fail(new InvalidInput({ message: "tenantId must be a UUID" }))
  }
  return Effect.succeed({
    subjectId,
    action: fields.action,
    kind: fields.objectKind,
    ...typeFilterOf(fields.objectKind, fields.objectType),
    tenantId,
    q: blank(fields.q) ? null : fields.q.trim(),
    page: pageOf(fields.limit, fields.offset, AUTHORIZED_IDS_PAGE),
  })
}
