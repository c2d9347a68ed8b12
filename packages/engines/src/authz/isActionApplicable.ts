import type { ActionApplicability, ResolvedObject } from "@atom/domain/authz"
import { namespacedType } from "./namespacedType.js"

/** Whether any applicability row of the action covers the object's kind and namespaced type (§2.2 step 5). */
export const isActionApplicable = (
  applicability: ReadonlyArray<ActionApplicability>,
  action: string,
  object: ResolvedObject,
): boolean => {
  let type: string | undefined
  for (const row of applicability) {
    if (row.action !== action || row.objectKind !== object.kind) continue
    if (row.objectType === null) return true
    type ??= namespacedType(object)
    if (row.objectType === type) return true
  }
  return false
}
