import { AuditEventName } from "@atom/domain/audit"
import { AtomConfig } from "@atom/domain/config"
import type { DbFailure } from "@atom/repositories/db"
import { AuthzReferences, Entities, PURGE_TABLES, type PurgeTable, TombstonePurges } from "@atom/repositories/entities"
import { PermissionBlocks, Roles } from "@atom/repositories/policy"
import { Tenants } from "@atom/repositories/tenants"
import { SqlClient } from "@effect/sql"
import { Clock, Context, Duration, Effect, Layer, Ref, Schedule } from "effect"
import { AuditLog } from "../audit/AuditLog.js"
import { bumpRevisionOn, transactionally } from "./transactionally.js"

/** What one purge run removed. */
export interface PurgeSummary {
  /** Rows removed from the purged tables (their cascades not counted), the reference's `deleted_rows`. */
  readonly deletedRows: number
  readonly cutoff: Date
  readonly byTable: Readonly<Record<PurgeTable, number>>
  /** False when another replica's run held the lock: this run removed nothing. */
  readonly ran: boolean
}

/** The latest run of this process, as health's `soft_delete_purge.last_run` shows it. */
export interface PurgeRun {
  readonly startedAt: Date
  readonly finishedAt: Date
  readonly status: "ok" | "skipped" | "error"
  readonly deletedRows: number
  readonly cutoff: Date
  readonly error: string | null
}

/** A run on the wire (snake_case, RFC 3339); `skipped`: another replica's run held the lock. */
export const purgeRunJson = (run: PurgeRun) => ({
  status: run.status,
  deleted_rows: run.deletedRows,
  cutoff: run.cutoff.toISOString(),
  started_at: run.startedAt.toISOString(),
  finished_at: run.finishedAt.toISOString(),
  ...(run.error === null ? {} : { error: run.error }),
})

const total = (byTable: Readonly<Record<PurgeTable, number>>): number =>
  PURGE_TABLES.reduce((sum, table) => sum + byTable[table], 0)

const noneRemoved = (): Record<PurgeTable, number> => ({
  object_groups: 0,
  principal_groups: 0,
  resources: 0,
  entities: 0,
  roles: 0,
  tenants: 0,
})

/**
 * The background purge of soft-deleted rows (identity-certs §1.7, `ATOM_PURGE_*`): every
 * ATOM_PURGE_INTERVAL_SECS, starting at startup, one run removes at most ATOM_PURGE_BATCH_SIZE rows per table
 * whose tombstone is older than ATOM_PURGE_RETENTION_DAYS, with what an explicit purge removes beside them:
 * the cascades, the permission blocks only those roles used, and the authorization rows naming any removed
 * id (credentials of removed entities and the children of removed tenants included). A run is one
 * transaction under a cross-replica advisory lock taken without waiting, and when it removed anything its
 * `purge.cleanup` record is written in that transaction (the reference writes it after the commit, so a
 * crash in between left a purge without its record).
 */
export class TombstonePurge extends Context.Tag("atom/TombstonePurge")<
  TombstonePurge,
  {
    /** One run now, whatever the schedule or ATOM_PURGE_ENABLED (tests, operators). */
    readonly runOnce: Effect.Effect<PurgeSummary, DbFailure>
    /** This process's latest finished run, for health (none yet: undefined). */
    readonly lastRun: Effect.Effect<PurgeRun | undefined>
  }
>() {
  static readonly Live = Layer.scoped(
    TombstonePurge,
    Effect.gen(function* () {
      const { enabled, retentionDays, intervalSecs, batchSize } = (yield* AtomConfig).purge
      const sql = yield* SqlClient.SqlClient
      const purges = yield* TombstonePurges
      const blocks = yield* PermissionBlocks
      const roles = yield* Roles
      const entities = yield* Entities
      const tenants = yield* Tenants
      const references = yield* AuthzReferences
      const audit = yield* AuditLog
      const last = yield* Ref.make<PurgeRun | undefined>(undefined)

      /**
       * Removes one batch of `table` and answers how many rows went and the ids whose blocks and grants the
       * shared clean-up after the batches must remove.
       */
      const purgeTable = (table: PurgeTable, cutoff: Date) =>
        Effect.gen(function* () {
          const doomed = yield* purges.expired(table, cutoff, batchSize)
          if (doomed.length === 0) return { removed: 0, ids: [] }
          switch (table) {
            case "entities": {
              const credentials = yield* entities.credentialIds(doomed)
              return { removed: yield* purges.remove(table, doomed), ids: [...doomed, ...credentials] }
            }
            case "roles": {
              const linked = yield* roles.linkedBlocks(doomed)
              const removed = yield* purges.remove(table, doomed)
              yield* blocks.deleteUnreferenced(linked)
              return { removed, ids: doomed }
            }
            case "tenants": {
              // what the tenants' contents leave dangling, as an explicit tenant purge removes it
              yield* tenants.deleteBlocksTargetingTenants(doomed)
              yield* tenants.deleteBindingsOfTenantSubjects(doomed)
              // no ids for the shared clean-up: the blocks that target the tenants went just above, and
              // grants name entities and groups, never a tenant
              return { removed: yield* purges.remove(table, doomed), ids: [] }
            }
            default:
              return { removed: yield* purges.remove(table, doomed), ids: doomed }
          }
        })

      /** The run's transaction: nothing when another replica holds the lock, else one batch per table. */
      const purgeAll = (cutoff: Date) =>
        Effect.gen(function* () {
          const byTable = noneRemoved()
          if (!(yield* purges.tryLock)) return { ran: false, byTable }
          const removedIds: Array<string> = []
          for (const table of PURGE_TABLES) {
            const { removed, ids } = yield* purgeTable(table, cutoff)
            byTable[table] = removed
            removedIds.push(...ids)
          }
          const deletedRows = total(byTable)
          if (deletedRows > 0) {
            // blocks targeting removed ids and grants they held (uuids are unique: no need to sort by kind)
            yield* references.removeBlocksTargeting(removedIds)
            yield* references.removeGrantsOf("entity", removedIds)
            yield* references.removeGrantsOf("group", removedIds)
            yield* bumpRevisionOn(sql)
            yield* audit.recordInTx({
              event: AuditEventName.purgeCleanup,
              outcome: "allow",
              details: {
                deleted_rows: deletedRows,
                cutoff: cutoff.toISOString(),
                retention_days: retentionDays,
                batch_size: batchSize,
                tables: byTable,
              },
            })
          }
          return { ran: true, byTable }
        })

      const runOnce = Effect.gen(function* () {
        const startedAt = new Date(yield* Clock.currentTimeMillis)
        const cutoff = new Date(startedAt.getTime() - retentionDays * 86_400_000)
        const finished = (status: PurgeRun["status"], deletedRows: number, error: string | null) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Ref.set(last, { startedAt, finishedAt: new Date(now), status, deletedRows, cutoff, error }),
          )
        const { ran, byTable } = yield* transactionally(sql)(purgeAll(cutoff)).pipe(
          Effect.tapError((e) => finished("error", 0, e.message)),
        )
        const deletedRows = total(byTable)
        yield* finished(ran ? "ok" : "skipped", deletedRows, null)
        if (deletedRows > 0) {
          yield* Effect.logInfo("soft-delete purge").pipe(
            Effect.annotateLogs({ deleted_rows: deletedRows, cutoff: cutoff.toISOString() }),
          )
        }
        return { deletedRows, cutoff, byTable, ran }
      }).pipe(Effect.withSpan("TombstonePurge.runOnce"))

      if (enabled) {
        yield* Effect.forkScoped(
          runOnce.pipe(
            Effect.catchAll((e) =>
              Effect.logWarning("soft-delete purge failed").pipe(Effect.annotateLogs({ error: e.message })),
            ),
            Effect.catchAllDefect((d) => Effect.logError("soft-delete purge crashed", d)),
            Effect.repeat(Schedule.spaced(Duration.seconds(intervalSecs))),
          ),
        )
      } else {
        yield* Effect.logDebug("soft-delete purge disabled (ATOM_PURGE_ENABLED=false)")
      }
      return { runOnce, lastRun: Ref.get(last) }
    }),
  )
}
