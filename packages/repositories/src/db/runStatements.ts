import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Duration, Effect } from "effect"

/** A labelled SQL text with no parameters (bulk loads, maintenance scripts). */
export interface LabelledStatement {
  readonly label: string
  readonly sql: string
}

export interface StatementTiming {
  readonly label: string
  readonly ms: number
}

/**
 * Runs trusted, parameterless statements one after another and times each; with `inTransaction` all of them
 * commit together or not at all. For generators and maintenance tools, never for request input.
 */
export const runStatements = (
  statements: ReadonlyArray<LabelledStatement>,
  options: { readonly inTransaction: boolean },
): Effect.Effect<ReadonlyArray<StatementTiming>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const all = Effect.forEach(statements, (s) =>
      Effect.map(Effect.timed(sql.unsafe(s.sql)), ([d]) => ({ label: s.label, ms: Math.round(Duration.toMillis(d)) })),
    )
    return options.inTransaction ? sql.withTransaction(all) : all
  })

/** Rows of one trusted, parameterless query, untyped: the caller decodes what it reads. */
export const queryRows = (text: string): Effect.Effect<ReadonlyArray<unknown>, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text))
