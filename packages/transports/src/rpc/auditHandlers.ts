import { AuditRpcs } from "@atom/domain/rpc"
import { AuditReader, type AuditRow } from "@atom/services/audit"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

const auditLogs = (page: { readonly items: ReadonlyArray<AuditRow>; readonly total: number }) => ({
  items: page.items.map((row) => ({ ...row, actorEntityId: row.actorId })),
  total: page.total,
})

/** Audit reads over RPC: the calls `auditModule` makes. */
export const auditHandlers = AuditRpcs.of({
  ListAuditLogs: (fields) =>
    asCaller((caller) => Effect.flatMap(AuditReader, (reader) => Effect.map(reader.list(caller, fields), auditLogs))),
  EntityAuditLogs: ({ entityId }) =>
    asCaller((caller) =>
      Effect.flatMap(AuditReader, (reader) => Effect.map(reader.forEntity(caller, entityId), auditLogs)),
    ),
})
