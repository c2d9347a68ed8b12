import { BindingId, ObjectId, PermissionBlockId, RoleId, TenantId } from "@atom/domain/authz"
import { SubjectKind } from "@atom/domain/policy"
import { DirectPolicyService, OrphanPolicyService, RoleAssignmentService } from "@atom/services/policy"
import { Effect, Schema } from "effect"
import type { Resolver } from "../GraphqlContext.js"
import { handle } from "./handle.js"
import { HYGIENE_LIST, id, LIST, Nullable, optionalId, page } from "./policyArgs.js"
import { encodeAssignment, encodeDirectPolicy, encodeList, encodeOrphan } from "./policyEncoders.js"

type BindingServices = RoleAssignmentService | DirectPolicyService | OrphanPolicyService

const IdArgs = Schema.Struct({ id: Schema.String })
const PageArgs = Schema.Struct({ limit: Nullable(Schema.Number), offset: Nullable(Schema.Number) })

const AssignmentsArgs = Schema.Struct({
  tenantId: Nullable(Schema.String),
  subjectKind: Nullable(SubjectKind),
  subjectId: Nullable(Schema.String),
  roleId: Nullable(Schema.String),
  limit: Nullable(Schema.Number),
  offset: Nullable(Schema.Number),
})

const PoliciesArgs = Schema.Struct({
  tenantId: Nullable(Schema.String),
  subjectKind: Nullable(SubjectKind),
  subjectId: Nullable(Schema.String),
  permissionBlockId: Nullable(Schema.String),
  limit: Nullable(Schema.Number),
  offset: Nullable(Schema.Number),
})

const CreateAssignmentArgs = Schema.Struct({
  input: Schema.Struct({
    tenantId: Nullable(Schema.String),
    subjectKind: SubjectKind,
    subjectId: Schema.String,
    roleId: Schema.String,
  }),
})

const CreatePolicyArgs = Schema.Struct({
  input: Schema.Struct({
    tenantId: Nullable(Schema.String),
    subjectKind: SubjectKind,
    subjectId: Schema.String,
    permissionBlockId: Schema.String,
  }),
})

const tenantArg = optionalId(TenantId, "tenantId")
const bindingId = id(BindingId, "id")

/** roleAssignments, directPolicies, orphanPolicies. */
export const bindingQueries: Record<string, Resolver<BindingServices>> = {
  roleAssignments: handle(AssignmentsArgs, (caller, a) =>
    Effect.gen(function* () {
      const filter = {
        tenantId: yield* tenantArg(a.tenantId),
        subjectKind: a.subjectKind,
        subjectId: yield* optionalId(ObjectId, "subjectId")(a.subjectId),
        roleId: yield* optionalId(RoleId, "roleId")(a.roleId),
        page: page(a.limit, a.offset, LIST),
      }
      return encodeList(yield* Effect.flatMap(RoleAssignmentService, (s) => s.list(caller, filter)), encodeAssignment)
    }),
  ),
  directPolicies: handle(PoliciesArgs, (caller, a) =>
    Effect.gen(function* () {
      const filter = {
        tenantId: yield* tenantArg(a.tenantId),
        subjectKind: a.subjectKind,
        subjectId: yield* optionalId(ObjectId, "subjectId")(a.subjectId),
        permissionBlockId: yield* optionalId(PermissionBlockId, "permissionBlockId")(a.permissionBlockId),
        page: page(a.limit, a.offset, LIST),
      }
      return encodeList(yield* Effect.flatMap(DirectPolicyService, (s) => s.list(caller, filter)), encodeDirectPolicy)
    }),
  ),
  // paged but a bare array (api.md §3.4)
  orphanPolicies: handle(PageArgs, (caller, a) =>
    Effect.map(
      Effect.flatMap(OrphanPolicyService, (s) => s.list(caller, page(a.limit, a.offset, HYGIENE_LIST))),
      (list) => list.items.map(encodeOrphan),
    ),
  ),
}

/** create/deleteRoleAssignment, create/deleteDirectPolicy. */
export const bindingMutations: Record<string, Resolver<BindingServices>> = {
  createRoleAssignment: handle(CreateAssignmentArgs, (caller, { input }) =>
    Effect.gen(function* () {
      const assignment = {
        tenantId: yield* tenantArg(input.tenantId),
        subjectKind: input.subjectKind,
        subjectId: yield* id(ObjectId, "subjectId")(input.subjectId),
        roleId: yield* id(RoleId, "roleId")(input.roleId),
      }
      return encodeAssignment(yield* Effect.flatMap(RoleAssignmentService, (s) => s.create(caller, assignment)))
    }),
  ),
  deleteRoleAssignment: handle(IdArgs, (caller, a) =>
    Effect.flatMap(bindingId(a.id), (binding) =>
      Effect.flatMap(RoleAssignmentService, (s) => s.remove(caller, binding)),
    ),
  ),
  createDirectPolicy: handle(CreatePolicyArgs, (caller, { input }) =>
    Effect.gen(function* () {
      const policy = {
        tenantId: yield* tenantArg(input.tenantId),
        subjectKind: input.subjectKind,
        subjectId: yield* id(ObjectId, "subjectId")(input.subjectId),
        permissionBlockId: yield* id(PermissionBlockId, "permissionBlockId")(input.permissionBlockId),
      }
      return encodeDirectPolicy(yield* Effect.flatMap(DirectPolicyService, (s) => s.create(caller, policy)))
    }),
  ),
  deleteDirectPolicy: handle(IdArgs, (caller, a) =>
    Effect.flatMap(bindingId(a.id), (binding) => Effect.flatMap(DirectPolicyService, (s) => s.remove(caller, binding))),
  ),
}
