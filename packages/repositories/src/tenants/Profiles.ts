import type { Paging, Profile, ProfileObjectKind, ProfileStatus } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { CountRow, PROFILE_COLUMNS, ProfileRow } from "./rows.js"

export interface ProfileFilter {
  readonly objectKind: ProfileObjectKind | null
  readonly kind: string | null
  /** null: every profile, global and tenant-owned */
  readonly tenantId: string | null
  readonly status: ProfileStatus | null
}

export interface NewProfile {
  readonly id: string
  readonly tenantId: string | null
  readonly objectKind: ProfileObjectKind
  readonly kind: string
  readonly key: string
  readonly displayName: string
  readonly description: string | null
  readonly status: ProfileStatus
}

/** An absent field keeps the column; `description: null` clears it. */
export interface ProfilePatch {
  readonly displayName?: string | undefined
  readonly description?: string | null | undefined
  readonly status?: ProfileStatus | undefined
}

/** Profiles: named attribute schemas per object kind, global or per tenant. */
export class Profiles extends Effect.Service<Profiles>()("atom/Profiles", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(ProfileRow)
    const columns = sql.unsafe(PROFILE_COLUMNS)
    const first = Effect.map((r: ReadonlyArray<Profile>) => r[0])
    const where = (f: ProfileFilter) =>
      sql.and([
        f.objectKind === null ? sql`TRUE` : sql`p.object_kind = ${f.objectKind}`,
        f.kind === null ? sql`TRUE` : sql`p.kind = ${f.kind}`,
        f.tenantId === null ? sql`TRUE` : sql`p.tenant_id = ${f.tenantId}`,
        f.status === null ? sql`TRUE` : sql`p.status = ${f.status}`,
      ])
    return {
      byId: (id: string) => rows(sql`SELECT ${columns} FROM profiles p WHERE p.id = ${id}`).pipe(first),
      page: (filter: ProfileFilter, page: Paging) =>
        rows(
          sql`SELECT ${columns} FROM profiles p WHERE ${where(filter)}
              ORDER BY p.object_kind, p.kind, p.key, p.id LIMIT ${page.limit} OFFSET ${page.offset}`,
        ),
      count: (filter: ProfileFilter) =>
        decodeRows(CountRow)(sql`SELECT count(*)::int AS total FROM profiles p WHERE ${where(filter)}`).pipe(
          Effect.map((r) => r[0]?.total ?? 0),
        ),
      insert: (p: NewProfile) =>
        rows(
          sql`INSERT INTO profiles AS p (id, tenant_id, object_kind, kind, key, display_name, description, status)
              VALUES (${p.id}, ${p.tenantId}, ${p.objectKind}, ${p.kind}, ${p.key}, ${p.displayName},
                      ${p.description}, ${p.status})
              RETURNING ${columns}`,
        ).pipe(first),
      update: (id: string, patch: ProfilePatch) =>
        rows(
          sql`UPDATE profiles AS p SET
                display_name = COALESCE(${patch.displayName ?? null}::text, p.display_name),
                description = CASE WHEN ${patch.description !== undefined}::boolean
                                   THEN ${patch.description ?? null}::text ELSE p.description END,
                status = COALESCE(${patch.status ?? null}::text, p.status),
                updated_at = now()
              WHERE p.id = ${id}
              RETURNING ${columns}`,
        ).pipe(first),
    }
  }),
}) {}
