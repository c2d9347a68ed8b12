import type { ExecutionStatus } from "@atom/domain/endpoints"
import type { Paging } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { CountRow, EXECUTION_COLUMNS, ExecutionRow } from "./rows.js"

/** One execution to record; both summaries are already redacted. */
export interface NewExecution {
  readonly endpointId: string | null
  readonly callerEntityId: string | null
  readonly status: ExecutionStatus
  readonly requestSummary: Readonly<Record<string, unknown>>
  readonly responseSummary: unknown
  readonly error: string | null
}

/** The execution log of custom endpoints (identity-certs §5). */
export class ApiEndpointExecutions extends Effect.Service<ApiEndpointExecutions>()("atom/ApiEndpointExecutions", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(ExecutionRow)
    const columns = sql.unsafe(EXECUTION_COLUMNS)
    return {
      /** Many executions in one multi-row INSERT. */
      insertMany: (executions: ReadonlyArray<NewExecution>) =>
        executions.length === 0
          ? Effect.void
          : execute(
              sql`INSERT INTO api_endpoint_executions
                    (endpoint_id, caller_entity_id, status, request_summary, response_summary, error)
                  SELECT x.endpoint_id, x.caller_entity_id, x.status, x.request_summary, x.response_summary, x.error
                  FROM jsonb_to_recordset(${JSON.stringify(
                    executions.map((e) => ({
                      endpoint_id: e.endpointId,
                      caller_entity_id: e.callerEntityId,
                      status: e.status,
                      request_summary: e.requestSummary,
                      response_summary: e.responseSummary ?? {},
                      error: e.error,
                    })),
                  )}::jsonb) AS x(endpoint_id uuid, caller_entity_id uuid, status text, request_summary jsonb,
                                  response_summary jsonb, error text)`,
            ),
      page: (endpointId: string, page: Paging) =>
        rows(
          sql`SELECT ${columns} FROM api_endpoint_executions x WHERE x.endpoint_id = ${endpointId}
              ORDER BY x.created_at DESC, x.id LIMIT ${page.limit} OFFSET ${page.offset}`,
        ),
      count: (endpointId: string) =>
        decodeRows(CountRow)(
          sql`SELECT count(*)::int AS total FROM api_endpoint_executions x WHERE x.endpoint_id = ${endpointId}`,
        ).pipe(Effect.map((r) => r[0]?.total ?? 0)),
    }
  }),
}) {}
