import { PolicyRpcs } from "@atom/domain/rpc"
import {
  DirectPolicyService,
  OrphanPolicyService,
  PermissionBlockService,
  RoleAssignmentService,
  RoleService,
} from "@atom/services/policy"
import { Effect } from "effect"
import { HYGIENE_LIST, LIST, page, text } from "../graphql/policy/policyArgs.js"
import { asCaller } from "./toRpcError.js"

/** Permission blocks, roles, assignments and direct policies over RPC: the calls of the policy resolvers. */
export const policyHandlers = PolicyRpcs.of({
  CreatePermissionBlock: (input) =>
    asCaller((caller) => Effect.flatMap(PermissionBlockService, (s) => s.create(caller, input))),
  ListPermissionBlocks: (p) =>
    asCaller((caller) =>
      Effect.flatMap(PermissionBlockService, (s) =>
        s.list(caller, {
          tenantId: p.tenantId ?? null,
          scopeMode: text(p.scopeMode ?? null),
          page: page(p.limit ?? null, p.offset ?? null, LIST),
        }),
      ),
    ),
  GetPermissionBlock: ({ id }) =>
    asCaller((caller) => Effect.flatMap(PermissionBlockService, (s) => s.get(caller, id))),
  DeletePermissionBlock: ({ id }) =>
    asCaller((caller) => Effect.flatMap(PermissionBlockService, (s) => s.remove(caller, id))),
  CreateRole: (input) => asCaller((caller) => Effect.flatMap(RoleService, (s) => s.create(caller, input))),
  GetRole: ({ id }) => asCaller((caller) => Effect.flatMap(RoleService, (s) => s.get(caller, id))),
  ListRoles: (p) =>
    asCaller((caller) =>
      Effect.flatMap(RoleService, (s) =>
        s.list(caller, {
          tenantId: p.tenantId ?? null,
          derivedKind: p.derivedKind ?? null,
          q: p.q?.trim() || null,
          deleted: p.deleted ?? "live",
          page: page(p.limit ?? null, p.offset ?? null, LIST),
        }),
      ),
    ),
  UpdateRole: ({ id, name, description }) =>
    asCaller((caller) =>
      Effect.flatMap(RoleService, (s) =>
        s.update(caller, id, {
          ...(name == null ? {} : { name }),
          ...(description == null ? {} : { description }),
        }),
      ),
    ),
  DeleteRole: ({ id }) => asCaller((caller) => Effect.flatMap(RoleService, (s) => s.remove(caller, id))),
  RestoreRole: ({ id }) => asCaller((caller) => Effect.flatMap(RoleService, (s) => s.restore(caller, id))),
  PurgeRole: ({ id }) => asCaller((caller) => Effect.flatMap(RoleService, (s) => s.purge(caller, id))),
  ReplaceRolePermissionBlocks: ({ roleId, permissionBlockIds }) =>
    asCaller((caller) => Effect.flatMap(RoleService, (s) => s.replaceBlocks(caller, roleId, permissionBlockIds))),
  CreateRoleAssignment: (input) =>
    asCaller((caller) => Effect.flatMap(RoleAssignmentService, (s) => s.create(caller, input))),
  ListRoleAssignments: (p) =>
    asCaller((caller) =>
      Effect.flatMap(RoleAssignmentService, (s) =>
        s.list(caller, {
          tenantId: p.tenantId ?? null,
          subjectKind: p.subjectKind ?? null,
          subjectId: p.subjectId ?? null,
          roleId: p.roleId ?? null,
          page: page(p.limit ?? null, p.offset ?? null, LIST),
        }),
      ),
    ),
  DeleteRoleAssignment: ({ id }) =>
    asCaller((caller) => Effect.flatMap(RoleAssignmentService, (s) => s.remove(caller, id))),
  CreateDirectPolicy: (input) =>
    asCaller((caller) => Effect.flatMap(DirectPolicyService, (s) => s.create(caller, input))),
  ListDirectPolicies: (p) =>
    asCaller((caller) =>
      Effect.flatMap(DirectPolicyService, (s) =>
        s.list(caller, {
          tenantId: p.tenantId ?? null,
          subjectKind: p.subjectKind ?? null,
          subjectId: p.subjectId ?? null,
          permissionBlockId: p.permissionBlockId ?? null,
          page: page(p.limit ?? null, p.offset ?? null, LIST),
        }),
      ),
    ),
  DeleteDirectPolicy: ({ id }) =>
    asCaller((caller) => Effect.flatMap(DirectPolicyService, (s) => s.remove(caller, id))),
  OrphanPolicies: (p) =>
    asCaller((caller) =>
      Effect.flatMap(OrphanPolicyService, (s) =>
        Effect.map(s.list(caller, page(p.limit ?? null, p.offset ?? null, HYGIENE_LIST)), (list) => list.items),
      ),
    ),
})
