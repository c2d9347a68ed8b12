import type { CheckTarget, MissingObjectKind } from "@atom/domain/authz"
import { Either } from "effect"

const objectKinds: ReadonlySet<string> = new Set<MissingObjectKind>([
  "resource",
  "tenant",
  "entity",
  "group",
  "credential",
])

const isObjectKind = (kind: string): kind is MissingObjectKind => objectKinds.has(kind)

const present = (value: string | null | undefined): value is string =>
  value !== undefined && value !== null && value !== ""

/** Names of the target fields of a check request; empty strings count as absent (gRPC). */
export interface CheckTargetFields {
  readonly resourceId?: string | null | undefined
  readonly objectKind?: string | null | undefined
  readonly objectId?: string | null | undefined
}

/**
 * Normalises a check's target (authz.md §2.1): an explicit (objectKind, objectId) pair wins over the
 * legacy resourceId; anything else is a request error, not a deny.
 */
export const resolveCheckTarget = (fields: CheckTargetFields): Either.Either<CheckTarget, string> => {
  const { objectKind, objectId, resourceId } = fields
  if (present(objectKind)) {
    if (objectKind === "platform") {
      return present(objectId)
        ? Either.left("objectId must be empty for objectKind platform")
        : Either.right({ kind: "platform" })
    }
    if (!isObjectKind(objectKind)) return Either.left(`unsupported objectKind '${objectKind}'`)
    if (!present(objectId)) return Either.left(`objectId is required for objectKind ${objectKind}`)
    return Either.right({ kind: objectKind, id: objectId })
  }
  if (present(objectId)) return Either.left("objectKind is required with objectId")
  if (present(resourceId)) return Either.right({ kind: "resource", id: resourceId })
  return Either.left("resourceId or objectKind and objectId is required")
}
