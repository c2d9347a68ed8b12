import { Layer } from "effect"
import { ActionService } from "./ActionService.js"
import { AssignmentRuleService } from "./AssignmentRuleService.js"
import { DirectPolicyService } from "./DirectPolicyService.js"
import { OrphanPolicyService } from "./OrphanPolicyService.js"
import { PermissionBlockService } from "./PermissionBlockService.js"
import { RoleAssignmentService } from "./RoleAssignmentService.js"
import { RoleService } from "./RoleService.js"

/** The policy area's use cases, for the Services tier (they need the Gate, the policy repositories and config). */
export const PolicyServicesLive = Layer.mergeAll(
  ActionService.Default,
  AssignmentRuleService.Default,
  PermissionBlockService.Default,
  RoleService.Default,
  RoleAssignmentService.Default,
  DirectPolicyService.Default,
  OrphanPolicyService.Default,
)
