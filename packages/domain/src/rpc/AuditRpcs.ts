import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema, Struct } from "effect"
import { AuditContent } from "../audit/AuditRecord.js"
import { EntityId } from "../authz/ids.js"
import { AtomRpcError } from "./AtomRpcError.js"
import { Optional, PageFields, PageOf } from "./Paging.js"

/** `AuditLog` as the contract shapes it (Appendix A): the actor column is `actorEntityId`. */
export const AuditLogOnWire = Schema.Struct({
  ...Struct.pick(AuditContent.fields, "id", "tenantId", "targetKind", "targetId", "event", "outcome", "details"),
  actorEntityId: AuditContent.fields.actorId,
  createdAt: Schema.Date,
})

/** The filters of `auditLogs`; ids and instants are checked by the service with the contract's messages. */
export const ListAuditLogsPayload = Schema.Struct({
  actorEntityId: Optional(Schema.String),
  tenantId: Optional(Schema.String),
  targetKind: Optional(Schema.String),
  targetId: Optional(Schema.String),
  event: Optional(Schema.String),
  outcome: Optional(Schema.String),
  from: Optional(Schema.String),
  to: Optional(Schema.String),
  ...PageFields,
})

/** Audit reads (api.md §3.5): tenant-scoped, newest first. */
export class AuditRpcs extends RpcGroup.make(
  Rpc.make("ListAuditLogs", { payload: ListAuditLogsPayload, success: PageOf(AuditLogOnWire), error: AtomRpcError }),
  Rpc.make("EntityAuditLogs", {
    payload: { entityId: EntityId },
    success: PageOf(AuditLogOnWire),
    error: AtomRpcError,
  }),
) {}
