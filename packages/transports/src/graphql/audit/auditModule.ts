import { AuditReader, type AuditRow } from "@atom/services/audit"
import { requireCaller } from "@atom/services/auth"
import { Effect, Schema } from "effect"
import { decodeArgs } from "../decodeArgs.js"
import type { GraphqlModule } from "../GraphqlContext.js"
import { graphqlTime } from "../time.js"

const optional = <S extends Schema.Schema.Any>(s: S) => Schema.optional(Schema.NullOr(s))

const AuditLogsArgs = Schema.Struct({
  actorEntityId: optional(Schema.String),
  tenantId: optional(Schema.String),
  targetKind: optional(Schema.String),
  targetId: optional(Schema.String),
  event: optional(Schema.String),
  outcome: optional(Schema.String),
  from: optional(Schema.String),
  to: optional(Schema.String),
  limit: optional(Schema.Number),
  offset: optional(Schema.Number),
})
const EntityAuditLogsArgs = Schema.Struct({ entityId: Schema.String })

/** `AuditLog` as the contract shapes it (Appendix A): the actor column is `actorEntityId`. */
const auditLog = (row: AuditRow) => ({
  id: row.id,
  actorEntityId: row.actorId,
  tenantId: row.tenantId,
  targetKind: row.targetKind,
  targetId: row.targetId,
  event: row.event,
  outcome: row.outcome,
  details: row.details,
  createdAt: graphqlTime(row.createdAt),
})

const auditLogList = (page: { readonly items: ReadonlyArray<AuditRow>; readonly total: number }) => ({
  items: page.items.map(auditLog),
  total: page.total,
})

/** auditLogs and entityAuditLogs (api.md §3.5): tenant-scoped reads, newest first. */
export const auditModule: GraphqlModule<AuditReader> = {
  typeDefs: "",
  resolvers: {
    Query: {
      auditLogs: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const fields = yield* decodeArgs(AuditLogsArgs, args)
            const reader = yield* AuditReader
            return auditLogList(yield* reader.list(caller, fields))
          }),
        ),
      entityAuditLogs: (_, args, ctx) =>
        ctx.run(
          Effect.gen(function* () {
            const caller = yield* requireCaller(ctx.caller)
            const { entityId } = yield* decodeArgs(EntityAuditLogsArgs, args)
            const reader = yield* AuditReader
            return auditLogList(yield* reader.forEntity(caller, entityId))
          }),
        ),
    },
  },
}
