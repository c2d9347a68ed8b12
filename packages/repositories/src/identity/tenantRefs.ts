import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { TenantRefRow } from "./rows.js"

/** Tenant selectors of login and alias resolution: by id or by case-insensitive alias. */
export class TenantRefs extends Effect.Service<TenantRefs>()("atom/TenantRefs", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(TenantRefRow)
    return {
      byId: (id: string) =>
        rows(sql`SELECT id, status, deleted_at IS NOT NULL AS deleted FROM tenants WHERE id = ${id}`).pipe(
          Effect.map((r) => r[0]),
        ),
      byAlias: (alias: string) =>
        rows(
          sql`SELECT id, status, deleted_at IS NOT NULL AS deleted FROM tenants
              WHERE lower(alias) = ${alias.trim().toLowerCase()} AND deleted_at IS NULL`,
        ).pipe(Effect.map((r) => r[0])),
    }
  }),
}) {}
