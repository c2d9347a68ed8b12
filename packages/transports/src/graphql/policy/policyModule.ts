import type {
  ActionService,
  AssignmentRuleService,
  DirectPolicyService,
  OrphanPolicyService,
  PermissionBlockService,
  RoleAssignmentService,
  RoleService,
} from "@atom/services/policy"
import type { GraphqlModule } from "../GraphqlContext.js"
import { actionMutations, actionQueries } from "./actionResolvers.js"
import { bindingMutations, bindingQueries } from "./bindingResolvers.js"
import { blockMutations, blockQueries } from "./blockResolvers.js"
import { roleMutations, roleQueries } from "./roleResolvers.js"

export type PolicyServices =
  | ActionService
  | AssignmentRuleService
  | DirectPolicyService
  | OrphanPolicyService
  | PermissionBlockService
  | RoleAssignmentService
  | RoleService

/**
 * Policy objects and guardrails (api.md §3.5): roles, actions and their applicability, guardrail rules,
 * permission blocks, role assignments, direct policies and orphan hygiene. The contract's SDL already
 * declares every field, so the module adds resolvers only.
 */
export const policyModule: GraphqlModule<PolicyServices> = {
  typeDefs: "",
  resolvers: {
    Query: { ...roleQueries, ...actionQueries, ...blockQueries, ...bindingQueries },
    Mutation: { ...roleMutations, ...actionMutations, ...blockMutations, ...bindingMutations },
  },
}
