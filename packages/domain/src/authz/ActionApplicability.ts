import { Schema } from "effect"
import { ActionName } from "./ActionName.js"
import { CatalogueObjectKind } from "./CatalogueObjectKind.js"

/** One applicability row: the action applies to that kind, and to every sub-type when objectType is null. */
export const ActionApplicability = Schema.Struct({
  action: ActionName,
  objectKind: CatalogueObjectKind,
  /** namespaced, e.g. `resource:channel`; null = all sub-types */
  objectType: Schema.NullOr(Schema.String),
})
export type ActionApplicability = typeof ActionApplicability.Type
