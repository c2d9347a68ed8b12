import { Schema } from "effect"
import { ObjectId } from "./ids.js"
import { MissingObjectKind } from "./ResolvedObject.js"

/** The object a check names, before resolution: the platform, or a kind and id. */
export const CheckTarget = Schema.Union(
  Schema.Struct({ kind: Schema.Literal("platform") }),
  Schema.Struct({ kind: MissingObjectKind, id: ObjectId }),
)
export type CheckTarget = typeof CheckTarget.Type
