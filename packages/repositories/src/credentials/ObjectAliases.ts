import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { IdRow } from "./rows.js"

export type AliasedKind = "entity" | "resource"

/**
 * Alias lookups for gRPC ResolveAlias (api.md §2.5): a live entity or resource by its alias,
 * case-insensitively, inside one tenant or among global objects (`tenantId` null).
 */
export class ObjectAliases extends Effect.Service<ObjectAliases>()("atom/ObjectAliases", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const ids = decodeRows(IdRow)
    const inTenant = (tenantId: string | null) =>
      tenantId === null ? sql`tenant_id IS NULL` : sql`tenant_id = ${tenantId}`
    return {
      resolve: (kind: AliasedKind, tenantId: string | null, alias: string) =>
        ids(
          kind === "entity"
            ? sql`SELECT id FROM entities WHERE ${inTenant(tenantId)} AND lower(alias) = ${alias.toLowerCase()}
                  AND deleted_at IS NULL`
            : sql`SELECT id FROM resources WHERE ${inTenant(tenantId)} AND lower(alias) = ${alias.toLowerCase()}
                  AND deleted_at IS NULL`,
        ).pipe(Effect.map((r) => r[0]?.id)),
    }
  }),
}) {}
