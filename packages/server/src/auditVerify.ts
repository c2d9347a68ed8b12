import type { AtomConfigShape } from "@atom/domain/config"
import { AuditLogs, AuditRetentionRuns } from "@atom/repositories/audit"
import { DbLive } from "@atom/repositories/db"
import { verifyAuditChains } from "@atom/services/audit"
import { Console, Effect, Layer } from "effect"

/**
 * `atom audit verify`: walks every audit chain (identity-certs §4, migration 0006) and reports the first
 * broken link of each broken chain. Succeeds with the exit code: 0 when every chain holds, 1 otherwise.
 * An Effect, not a promise, so that it prints through the caller's Console.
 */
export const auditVerify = (config: AtomConfigShape) =>
  Effect.gen(function* () {
    const summary = yield* verifyAuditChains
    for (const b of summary.broken) {
      yield* Console.error(`audit chain ${b.chainId}: broken at seq ${b.seq} (row ${b.rowId}): ${b.reason}`)
    }
    const verdict = summary.broken.length === 0 ? "ok" : `${summary.broken.length} broken`
    yield* Console.log(`audit verify: ${summary.rows} rows in ${summary.chains} chains, ${verdict}`)
    return summary.broken.length === 0 ? 0 : 1
  }).pipe(
    Effect.provide(
      Layer.mergeAll(AuditLogs.Default, AuditRetentionRuns.Default).pipe(
        Layer.provideMerge(DbLive({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, pool: config.db })),
      ),
    ),
  )

/** auditVerify as a promise of the exit code. */
export const runAuditVerifyCommand = (config: AtomConfigShape): Promise<number> =>
  Effect.runPromise(auditVerify(config))
