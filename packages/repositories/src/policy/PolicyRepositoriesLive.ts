import { Layer } from "effect"
import { AssignmentRules } from "./AssignmentRules.js"
import { DirectPolicies } from "./DirectPolicies.js"
import { OrphanPolicies } from "./OrphanPolicies.js"
import { PermissionBlocks } from "./PermissionBlocks.js"
import { PolicyActions } from "./PolicyActions.js"
import { PolicySubjects } from "./PolicySubjects.js"
import { PolicyTargets } from "./PolicyTargets.js"
import { RoleAssignments } from "./RoleAssignments.js"
import { Roles } from "./Roles.js"

/** The policy area's repositories, for the Repositories tier of the application layer. */
export const PolicyRepositoriesLive = Layer.mergeAll(
  PolicyActions.Default,
  AssignmentRules.Default,
  PermissionBlocks.Default,
  Roles.Default,
  RoleAssignments.Default,
  DirectPolicies.Default,
  PolicySubjects.Default,
  PolicyTargets.Default,
  OrphanPolicies.Default,
)
