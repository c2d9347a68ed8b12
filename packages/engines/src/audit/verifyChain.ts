import type { AuditRecord, ChainAnchor } from "@atom/domain/audit"
import { hashContent } from "./chainHash.js"

/** The first link of a chain that does not hold, and why. */
export interface BrokenLink {
  readonly chainId: string
  readonly seq: number
  readonly rowId: string
  readonly reason: string
}

export interface ChainSummary {
  readonly chains: number
  readonly rows: number
  readonly broken: ReadonlyArray<BrokenLink>
}

interface Position {
  readonly chainId: string
  readonly seq: number
  readonly hash: string
  /** a break was already reported for this chain: report only its first */
  readonly broken: boolean
}

/**
 * Checks rows fed in (chain_id, chain_seq) order, one chain after another: each row's hash is its content's,
 * its sequence follows the previous one and its prev_hash is the previous row's hash. A chain starts at 1
 * with no prev_hash, or right after the anchor retention left for it. Reports the first broken link of
 * each chain. A deleted middle row shows as a gap, an edited row as a hash mismatch (and its successor's
 * link); rows cut from a chain's end can only be seen against an external copy of the head.
 */
export const makeChainVerifier = (anchors: ReadonlyMap<string, ChainAnchor>) => {
  let at: Position | null = null
  let chains = 0
  let rows = 0
  const broken: Array<BrokenLink> = []

  const report = (row: AuditRecord, reason: string) =>
    broken.push({ chainId: row.chainId, seq: row.chainSeq, rowId: row.id, reason })

  const startLink = (row: AuditRecord): string | null => {
    const anchor = anchors.get(row.chainId)
    if (row.chainSeq === 1) return row.prevHash === null ? null : "first row of a chain carries a prev_hash"
    if (anchor === undefined) return `chain starts at seq ${row.chainSeq}: rows 1..${row.chainSeq - 1} are missing`
    if (row.chainSeq !== anchor.seq + 1)
      return `chain resumes at seq ${row.chainSeq} but retention ended at seq ${anchor.seq}`
    return row.prevHash === anchor.hash ? null : "prev_hash differs from the hash retention recorded"
  }

  const nextLink = (row: AuditRecord, prev: Position): string | null => {
    if (row.chainSeq !== prev.seq + 1) return `rows ${prev.seq + 1}..${row.chainSeq - 1} are missing`
    return row.prevHash === prev.hash ? null : "prev_hash differs from the previous row's hash"
  }

  const feed = (row: AuditRecord): void => {
    rows++
    const prev = at !== null && at.chainId === row.chainId ? at : null
    if (prev === null) chains++
    const linkProblem = prev === null ? startLink(row) : nextLink(row, prev)
    const problem = linkProblem ?? (hashContent(row) === row.hash ? null : "hash does not match the row's content")
    const alreadyBroken = prev?.broken === true
    if (problem !== null && !alreadyBroken) report(row, problem)
    at = { chainId: row.chainId, seq: row.chainSeq, hash: row.hash, broken: alreadyBroken || problem !== null }
  }

  const summary = (): ChainSummary => ({ chains, rows, broken: [...broken] })

  return { feed, summary }
}
