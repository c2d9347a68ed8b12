import { blockTargets } from "./blockTargets.js"
import type { GuardrailAssignment, GuardrailBlock, GuardrailHolder } from "./GuardrailAssignment.js"

/**
 * Every distinct assignment a write creates: each holder's entity kinds × each block's targets, under the
 * holder's tenant boundary, in a stable order (holders, kinds, blocks, actions).
 */
export const assignmentsOf = (
  holders: ReadonlyArray<GuardrailHolder>,
  blocks: ReadonlyArray<GuardrailBlock>,
): Array<GuardrailAssignment> => {
  const targets = blocks.flatMap(blockTargets)
  const seen = new Set<string>()
  const out: Array<GuardrailAssignment> = []
  for (const holder of holders) {
    for (const entityKind of holder.entityKinds) {
      for (const target of targets) {
        const key = JSON.stringify([holder.tenantId, entityKind, target.action, target.objectKind, target.objectType])
        if (seen.has(key)) continue
        seen.add(key)
        out.push({ entityKind, tenantId: holder.tenantId, ...target })
      }
    }
  }
  return out
}
