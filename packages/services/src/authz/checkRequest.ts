import { type CheckTarget, MissingObjectKind, ObjectId } from "@atom/domain/authz"
import { InvalidInput } from "@atom/domain/errors"
import { type Effect, Either, Schema } from "effect"
import type { CheckQuestion } from "./decideCheck.js"

/** A check request as a transport received it: strings, with `""` meaning absent (gRPC). */
export interface CheckRequestFields {
  readonly subjectId: string
  readonly action: string
  readonly resourceId?: string | null | undefined
  readonly objectKind?: string | null | undefined
  readonly objectId?: string | null | undefined
  readonly context?: unknown
}

/**
 * Each transport names fields its own way in errors: gRPC says `invalid subject_id: expected UUID`
 * (api.md §2.6), GraphQL says `subjectId must be a UUID` (api.md §3.3). Target errors share the
 * reference's wording on both.
 */
export type RequestDialect = "grpc" | "graphql"

type UuidField = "subjectId" | "resourceId" | "objectId"

const grpcNames: Record<UuidField, string> = {
  subjectId: "subject_id",
  resourceId: "resource_id",
  objectId: "object_id",
}

export const notAUuid = (dialect: RequestDialect, field: UuidField): InvalidInput =>
  new InvalidInput({
    message: dialect === "grpc" ? `invalid ${grpcNames[field]}: expected UUID` : `${field} must be a UUID`,
  })

const SUPPORTED = "platform, resource, tenant, entity, group, credential"
const isUuid = Schema.is(ObjectId)
const isResolvableKind = Schema.is(MissingObjectKind)
const isJsonObject = (value: unknown): boolean => typeof value === "object" && value !== null && !Array.isArray(value)

const present = (value: string | null | undefined): value is string =>
  value !== undefined && value !== null && value !== ""

// ids are compared as text (self-checks, cache keys): one spelling, lower case
const uuid = (dialect: RequestDialect, field: UuidField, value: string): Either.Either<string, InvalidInput> => {
  const id = value.trim().toLowerCase()
  return isUuid(id) ? Either.right(id) : Either.left(notAUuid(dialect, field))
}

const invalid = (message: string) => Either.left(new InvalidInput({ message }))

/** The explicit (objectKind, objectId) pair wins over the legacy resourceId (authz.md §2.1). */
const targetOf = (fields: CheckRequestFields, dialect: RequestDialect): Either.Either<CheckTarget, InvalidInput> => {
  const { objectKind, objectId, resourceId } = fields
  if (present(objectKind)) {
    if (objectKind === "platform") {
      return present(objectId)
        ? invalid("object_id must be empty when object_kind is platform")
        : Either.right({ kind: "platform" })
    }
    if (!isResolvableKind(objectKind))
      return invalid(`unsupported object_kind '${objectKind}' (supported: ${SUPPORTED})`)
    if (!present(objectId)) return invalid("object_id is required when object_kind is provided")
    return Either.map(uuid(dialect, "objectId", objectId), (id) => ({ kind: objectKind, id }))
  }
  if (present(objectId)) return invalid("object_kind is required when object_id is provided")
  if (present(resourceId))
    return Either.map(uuid(dialect, "resourceId", resourceId), (id) => ({ kind: "resource", id }))
  return invalid("authz check requires either resource_id or (object_kind, object_id)")
}

/** Validates a check request into a question, with the dialect's error wording (no effect to run). */
export const checkQuestionOf = (
  fields: CheckRequestFields,
  dialect: RequestDialect,
): Either.Either<CheckQuestion, InvalidInput> => {
  const subjectId = uuid(dialect, "subjectId", fields.subjectId)
  if (Either.isLeft(subjectId)) return Either.left(subjectId.left)
  const target = targetOf(fields, dialect)
  if (Either.isLeft(target)) return Either.left(target.left)
  const context = fields.context ?? {}
  if (!isJsonObject(context)) return invalid("context must be a JSON object")
  return Either.right({ subjectId: subjectId.right, action: fields.action, target: target.right, context })
}

/** Validates a check request into a question, with the dialect's error wording. */
export const parseCheckRequest = (
  fields: CheckRequestFields,
  dialect: RequestDialect,
): Effect.Effect<CheckQuestion, InvalidInput> => checkQuestionOf(fields, dialect)
