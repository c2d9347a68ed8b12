import { Schema } from "effect"
import { EntityId, ObjectId } from "./ids.js"

/** A PDP check as the transports receive it (authz.md §2.1); the target is normalised by the engine. */
export const CheckRequest = Schema.Struct({
  subjectId: EntityId,
  action: Schema.String,
  resourceId: Schema.optional(Schema.NullOr(ObjectId)),
  objectKind: Schema.optional(Schema.NullOr(Schema.String)),
  objectId: Schema.optional(Schema.NullOr(ObjectId)),
  context: Schema.optional(Schema.Unknown),
})
export type CheckRequest = typeof CheckRequest.Type
