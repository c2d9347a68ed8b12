import type { AuditCursor, AuditFilter, AuditScope } from "@atom/domain/audit"
import type { Forbidden, InvalidInput } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { AuditLogs, type AuditPageRow, type AuditRow } from "@atom/repositories/audit"
import type { DbFailure } from "@atom/repositories/db"
import { Context, Effect, Layer } from "effect"
import { AuthzState } from "../authz/AuthzState.js"
import { Gate } from "../authz/Gate.js"
import { uuidArgument } from "../authz/uuidArgument.js"
import { type AuditQueryFields, auditPage, parseAuditFilter } from "./auditQuery.js"
import { auditScopeOf, requireScopeCovers } from "./auditReadScope.js"

export type { AuditPageRow, AuditRow } from "@atom/repositories/audit"

export type AuditReadFailure = InvalidInput | Forbidden | DbFailure

/** A validated export: the filter and the caller's scope, fixed when the stream starts. */
export interface AuditExport {
  readonly filter: AuditFilter
  readonly scope: AuditScope
}

const ENTITY_PAGE = 50

/** Audit reads (api.md §3.5): `auditLogs`, `entityAuditLogs`, and the streaming export (REST, ours). */
export class AuditReader extends Context.Tag("atom/AuditReader")<
  AuditReader,
  {
    readonly list: (
      caller: Caller,
      fields: AuditQueryFields,
    ) => Effect.Effect<{ readonly items: ReadonlyArray<AuditRow>; readonly total: number }, AuditReadFailure>
    /** Rows targeting an entity, newest 50, under the same tenant scoping. */
    readonly forEntity: (
      caller: Caller,
      entityId: string,
    ) => Effect.Effect<{ readonly items: ReadonlyArray<AuditRow>; readonly total: number }, AuditReadFailure>
    readonly openExport: (caller: Caller, fields: AuditQueryFields) => Effect.Effect<AuditExport, AuditReadFailure>
    /** The next rows of an export, newest first after the cursor (keyset, so memory stays flat). */
    readonly exportPage: (
      plan: AuditExport,
      cursor: AuditCursor | null,
      limit: number,
    ) => Effect.Effect<ReadonlyArray<AuditPageRow>, DbFailure>
  }
>() {
  static readonly Live = Layer.effect(
    AuditReader,
    Effect.gen(function* () {
      const gate = yield* Gate
      const state = yield* AuthzState
      const logs = yield* AuditLogs

      const authorized = (caller: Caller, fields: AuditQueryFields) =>
        Effect.gen(function* () {
          const filter = yield* parseAuditFilter(fields)
          const scope = yield* Effect.flatMap(auditScopeOf(gate, state, caller), (s) => requireScopeCovers(s, filter))
          return { filter, scope }
        })

      const list = (caller: Caller, fields: AuditQueryFields) =>
        Effect.gen(function* () {
          const { filter, scope } = yield* authorized(caller, fields)
          const page = auditPage(fields)
          return yield* logs.page(filter, scope, page.limit, page.offset)
        }).pipe(Effect.withSpan("AuditReader.list"))

      const forEntity = (caller: Caller, entityId: string) =>
        Effect.gen(function* () {
          const id = yield* uuidArgument("entityId", entityId)
          return yield* list(caller, { targetKind: "entity", targetId: id, limit: ENTITY_PAGE })
        }).pipe(Effect.withSpan("AuditReader.forEntity"))

      const openExport = (caller: Caller, fields: AuditQueryFields) =>
        authorized(caller, fields).pipe(Effect.withSpan("AuditReader.openExport"))

      const exportPage = (plan: AuditExport, cursor: AuditCursor | null, limit: number) =>
        logs.after(plan.filter, plan.scope, cursor, limit).pipe(Effect.withSpan("AuditReader.exportPage"))

      return { list, forEntity, openExport, exportPage }
    }),
  ).pipe(Layer.provide(AuthzState.Live))
}
