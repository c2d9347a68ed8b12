import { type ChainSummary, makeChainVerifier } from "@atom/engines/audit"
import { AuditLogs, AuditRetentionRuns, type AuditRow } from "@atom/repositories/audit"
import { Effect } from "effect"

const PAGE = 1000

/**
 * Walks every chain in (chain_id, chain_seq) order, a page at a time (memory stays flat), checking each
 * link and hash against the retention anchors (`atom audit verify`).
 */
export const verifyAuditChains = Effect.gen(function* () {
  const logs = yield* AuditLogs
  const runs = yield* AuditRetentionRuns
  const verifier = makeChainVerifier(yield* runs.anchors)
  let after: { readonly chainId: string; readonly seq: number } | null = null
  while (true) {
    const rows: ReadonlyArray<AuditRow> = yield* logs.chainWalk(after, PAGE)
    for (const row of rows) verifier.feed(row)
    const last: AuditRow | undefined = rows[rows.length - 1]
    if (last === undefined || rows.length < PAGE) break
    after = { chainId: last.chainId, seq: last.chainSeq }
  }
  return verifier.summary() satisfies ChainSummary
}).pipe(Effect.withSpan("Audit.verify"))
