import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { CheckRequest } from "../authz/CheckRequest.js"
import { LifecycleDetails } from "../authz/Decision.js"
import { Grant } from "../authz/Grant.js"
import { EntityId, GroupId, ObjectId, RoleId, TenantId } from "../authz/ids.js"
import { RoleHolder } from "../authz/RoleHolder.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** What `authzCheck` answers (api.md §3.6). */
export const CheckDecision = Schema.Struct({
  allowed: Schema.Boolean,
  reason: Schema.String,
  details: Schema.NullOr(LifecycleDetails),
})

/** `authzExplain`: the decision and the grants behind it, the JSON blobs snake_case as GraphQL sends them. */
export const ExplainResult = Schema.Struct({
  allowed: Schema.Boolean,
  reason: Schema.String,
  subject: Schema.Unknown,
  resource: Schema.Unknown,
  capability: Schema.Unknown,
  matchedBinding: Schema.Unknown,
  evaluatedBindings: Schema.Array(Schema.Unknown),
  nearestBinding: Schema.Unknown,
})

export const GrantOnWire = Schema.Struct({ ...Grant.fields, expiresAt: Schema.NullOr(Schema.Date) })

export const BulkCheckPayload = Schema.Struct({ checks: Schema.Array(CheckRequest) })

export const AuthorizedObjectIdsPayload = Schema.Struct({
  subjectId: EntityId,
  action: Schema.String,
  objectKind: Schema.String,
  objectType: Optional(Schema.String),
  tenantId: Optional(TenantId),
  q: Optional(Schema.String),
  ...PageFields,
})

export const AuthorizedObjectIdsResult = Schema.Struct({ ids: Schema.Array(Schema.String), total: Schema.Int })

export const EntityAccessPayload = Schema.Struct({ entityId: EntityId, tenantId: Optional(TenantId), ...PageFields })

export const ResourceAccessPayload = Schema.Struct({
  objectKind: Schema.String,
  objectId: ObjectId,
  action: Optional(Schema.String),
  ...PageFields,
})

/** One subject allowed one action on the inspected object, and the grant that decided it. */
export const ObjectAccessOnWire = Schema.Struct({
  subjectId: Schema.String,
  subjectName: Schema.String,
  subjectKind: Schema.String,
  subjectTenantId: Schema.NullOr(Schema.String),
  action: Schema.String,
  grant: GrantOnWire,
})

export const RoleHoldersPayload = Schema.Struct({ roleId: RoleId, ...PageFields })

export const RoleHoldersResult = Schema.Struct({
  roleId: Schema.String,
  roleName: Schema.String,
  items: Schema.Array(RoleHolder),
  total: Schema.Int,
})

export const GroupAccessPayload = Schema.Struct({ groupId: GroupId, ...PageFields })

/** What a principal group grants its members (its own and its ancestors' grants). */
export const GroupAccessResult = Schema.Struct({
  groupId: Schema.String,
  groupName: Schema.String,
  items: Schema.Array(GrantOnWire),
  total: Schema.Int,
})

export const EffectiveActionsPayload = Schema.Struct({
  subjectId: EntityId,
  objectKind: Schema.String,
  objectId: ObjectId,
})

/** One applicable action decided for the subject, with the grant that decided it (none for a deny). */
export const EffectiveActionOnWire = Schema.Struct({
  action: Schema.String,
  allowed: Schema.Boolean,
  reason: Schema.String,
  grant: Schema.NullOr(GrantOnWire),
})

/** Runtime authorization and the inspection queries (api.md §3.5–3.7, authz.md §4). */
export class AuthzRpcs extends RpcGroup.make(
  Rpc.make("Check", { payload: CheckRequest, success: CheckDecision, error: AtomRpcError }),
  Rpc.make("Explain", { payload: CheckRequest, success: ExplainResult, error: AtomRpcError }),
  Rpc.make("BulkCheck", { payload: BulkCheckPayload, success: Schema.Array(CheckDecision), error: AtomRpcError }),
  Rpc.make("AuthorizedObjectIds", {
    payload: AuthorizedObjectIdsPayload,
    success: AuthorizedObjectIdsResult,
    error: AtomRpcError,
  }),
  Rpc.make("EntityAccess", { payload: EntityAccessPayload, success: PageOf(GrantOnWire), error: AtomRpcError }),
  Rpc.make("ResourceAccess", {
    payload: ResourceAccessPayload,
    success: PageOf(ObjectAccessOnWire),
    error: AtomRpcError,
  }),
  Rpc.make("RoleHolders", { payload: RoleHoldersPayload, success: RoleHoldersResult, error: AtomRpcError }),
  Rpc.make("GroupAccess", { payload: GroupAccessPayload, success: GroupAccessResult, error: AtomRpcError }),
  Rpc.make("EffectiveActions", {
    payload: EffectiveActionsPayload,
    success: PageOf(EffectiveActionOnWire),
    error: AtomRpcError,
  }),
) {}
