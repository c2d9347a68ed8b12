import { Schema } from "effect"
import { ActionName } from "../authz/ActionName.js"
import { CatalogueObjectKind } from "../authz/CatalogueObjectKind.js"
import { ActionId } from "./ids.js"

/** One applicability row with its action's name, as `actionApplicability` lists it. */
export const ActionApplicabilityEntry = Schema.Struct({
  id: Schema.UUID,
  actionId: ActionId,
  actionName: ActionName,
  description: Schema.NullOr(Schema.String),
  objectKind: CatalogueObjectKind,
  objectType: Schema.NullOr(Schema.String),
  createdAt: Schema.DateFromSelf,
})
export type ActionApplicabilityEntry = typeof ActionApplicabilityEntry.Type
