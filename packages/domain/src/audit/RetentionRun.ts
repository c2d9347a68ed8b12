/** One retention pass (audit_retention_runs), as health's `last_cleanup` shows it. */
export interface RetentionRun {
  readonly id: string
  readonly startedAt: Date
  readonly finishedAt: Date | null
  readonly cutoff: Date
  readonly retentionDays: number
  readonly batchSize: number
  readonly deletedRows: number
  readonly status: "running" | "ok" | "error"
  readonly error: string | null
}

/** Where a chain continues after retention deleted its oldest rows: the newest deleted row. */
export interface ChainAnchor {
  readonly seq: number
  /** hex SHA-256 */
  readonly hash: string
}
