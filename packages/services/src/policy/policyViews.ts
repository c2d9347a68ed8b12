import type {
  DirectPolicy,
  DirectPolicyView,
  PermissionBlock,
  PermissionBlockView,
  Role,
  RoleAssignment,
  RoleAssignmentView,
  RoleView,
} from "@atom/domain/policy"
import { derivedKindOf } from "@atom/domain/policy"
import type { DbFailure } from "@atom/repositories/db"
import { PermissionBlocks, PolicyActions, Roles } from "@atom/repositories/policy"
import { Effect } from "effect"

// Assembles what the API shows from stored rows: each level is one batched read, never one per row.

const unique = <A>(values: ReadonlyArray<A>): Array<A> => [...new Set(values)]

const byId = <A extends { readonly id: string }>(rows: ReadonlyArray<A>): Map<string, A> =>
  new Map(rows.map((row) => [row.id, row]))

/** Blocks with their actions. */
export const blockViews = (
  blocks: ReadonlyArray<PermissionBlock>,
): Effect.Effect<Array<PermissionBlockView>, DbFailure, PolicyActions> =>
  Effect.gen(function* () {
    const actions = byId(yield* (yield* PolicyActions).byIds(unique(blocks.flatMap((b) => b.actionIds))))
    return blocks.map((block) => ({
      ...block,
      actions: block.actionIds.flatMap((id) => {
        const action = actions.get(id)
        return action === undefined ? [] : [action]
      }),
    }))
  })

/** Roles with their derived kind and blocks. */
export const roleViews = (
  roles: ReadonlyArray<Role>,
): Effect.Effect<Array<RoleView>, DbFailure, PolicyActions | PermissionBlocks> =>
  Effect.gen(function* () {
    const stored = yield* (yield* PermissionBlocks).byIds(unique(roles.flatMap((r) => r.permissionBlockIds)))
    const blocks = byId(yield* blockViews(stored))
    return roles.map((role) => ({
      ...role,
      derivedKind: derivedKindOf(role),
      permissionBlocks: role.permissionBlockIds.flatMap((id) => {
        const block = blocks.get(id)
        return block === undefined ? [] : [block]
      }),
    }))
  })

/** Assignments with their roles (tombstoned roles included: the row still names one). */
export const assignmentViews = (
  assignments: ReadonlyArray<RoleAssignment>,
): Effect.Effect<Array<RoleAssignmentView>, DbFailure, PolicyActions | PermissionBlocks | Roles> =>
  Effect.gen(function* () {
    const roles = byId(yield* roleViews(yield* (yield* Roles).byIds(unique(assignments.map((a) => a.roleId)))))
    return yield* Effect.forEach(assignments, (assignment) => {
      const role = roles.get(assignment.roleId)
      // the foreign key cascades, so an assignment always has its role
      return role === undefined
        ? Effect.dieMessage(`role ${assignment.roleId} vanished`)
        : Effect.succeed({ ...assignment, role })
    })
  })

/** Direct policies with their blocks. */
export const directPolicyViews = (
  policies: ReadonlyArray<DirectPolicy>,
): Effect.Effect<Array<DirectPolicyView>, DbFailure, PolicyActions | PermissionBlocks> =>
  Effect.gen(function* () {
    const stored = yield* (yield* PermissionBlocks).byIds(unique(policies.map((p) => p.permissionBlockId)))
    const blocks = byId(yield* blockViews(stored))
    return yield* Effect.forEach(policies, (policy) => {
      const block = blocks.get(policy.permissionBlockId)
      return block === undefined
        ? Effect.dieMessage(`permission block ${policy.permissionBlockId} vanished`)
        : Effect.succeed({ ...policy, permissionBlock: block })
    })
  })
