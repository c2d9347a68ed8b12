import { Schema } from "effect"
import { ActionName } from "../authz/ActionName.js"
import { CatalogueObjectKind } from "../authz/CatalogueObjectKind.js"
import { ActionId } from "./ids.js"

/** An (object kind, namespaced type) an action applies to; type null = every sub-type of the kind. */
export const ApplicabilityTarget = Schema.Struct({
  objectKind: CatalogueObjectKind,
  objectType: Schema.NullOr(Schema.String),
})
export type ApplicabilityTarget = typeof ApplicabilityTarget.Type

/** An action of the vocabulary with where it applies (authz.md §1 actions / action_applicability). */
export const Action = Schema.Struct({
  id: ActionId,
  name: ActionName,
  description: Schema.NullOr(Schema.String),
  applicability: Schema.Array(ApplicabilityTarget),
  createdAt: Schema.DateFromSelf,
  updatedAt: Schema.DateFromSelf,
})
export type Action = typeof Action.Type
