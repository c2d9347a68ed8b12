import type {
  ApiEndpoint,
  EndpointAuthMode,
  EndpointMethod,
  EndpointStatus,
  OperationKind,
} from "@atom/domain/endpoints"
import type { Paging } from "@atom/domain/tenants"
import { SqlClient } from "@effect/sql"
import { Effect, Schema } from "effect"
import { decodeRows } from "../db/decodeRows.js"
import { fromSqlError } from "../db/sqlErrors.js"
import { ApiEndpointRow, CountRow, ENDPOINT_COLUMNS } from "./rows.js"

export interface EndpointFilter {
  /** null: every endpoint, platform and tenant-owned */
  readonly tenantId: string | null
  readonly status: EndpointStatus | null
}

/** A definition as stored; the service has validated every field. */
export interface EndpointFields {
  readonly tenantId: string | null
  readonly key: string
  readonly name: string
  readonly description: string | null
  readonly method: EndpointMethod
  readonly path: string
  readonly operationKind: OperationKind
  readonly graphql: string
  readonly authMode: EndpointAuthMode
  readonly serviceEntityId: string | null
  readonly variablesMapping: Readonly<Record<string, unknown>>
  readonly requestSchema: Readonly<Record<string, unknown>>
  readonly responseMapping: Readonly<Record<string, unknown>>
  readonly status: EndpointStatus
}

const MethodRow = Schema.Struct({ method: Schema.String })
const RevisionRow = Schema.Struct({ revision: Schema.BigInt, id: Schema.NullOr(Schema.String) })

/** The active endpoint for a route (if any), with the authz revision of the same snapshot. */
export interface ActiveLookup {
  readonly endpoint: ApiEndpoint | undefined
  readonly revision: bigint
}

/** What running as a service entity needs to know about it and its tenant. */
export const ServiceIdentityRow = Schema.Struct({
  id: Schema.UUID,
  tenantId: Schema.NullOr(Schema.UUID),
  entityActive: Schema.Boolean,
  /** null for a global entity */
  tenantActive: Schema.NullOr(Schema.Boolean),
})
export type ServiceIdentityRow = typeof ServiceIdentityRow.Type

/** API endpoint definitions (identity-certs §5). */
export class ApiEndpoints extends Effect.Service<ApiEndpoints>()("atom/ApiEndpoints", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const rows = decodeRows(ApiEndpointRow)
    const columns = sql.unsafe(ENDPOINT_COLUMNS)
    const first = Effect.map((r: ReadonlyArray<ApiEndpoint>) => r[0])
    const where = (f: EndpointFilter) =>
      sql.and([
        f.tenantId === null ? sql`TRUE` : sql`e.tenant_id = ${f.tenantId}`,
        f.status === null ? sql`TRUE` : sql`e.status = ${f.status}`,
      ])
    return {
      byId: (id: string) => rows(sql`SELECT ${columns} FROM api_endpoints e WHERE e.id = ${id}`).pipe(first),
      /** The active endpoint answering this method and path (the partial unique index). */
      active: (method: string, path: string) =>
        rows(
          sql`SELECT ${columns} FROM api_endpoints e
              WHERE e.method = ${method} AND e.path = ${path} AND e.status = 'active'`,
        ).pipe(first),
      /**
       * `active`, with the authz revision read in the same statement: endpoint writes bump it, so a cached
       * lookup stays current while no later revision has been announced.
       */
      activeWithRevision: (method: string, path: string) =>
        sql`SELECT r.revision::text AS revision, ${columns}
            FROM authz_revision r
            LEFT JOIN api_endpoints e ON e.method = ${method} AND e.path = ${path} AND e.status = 'active'`.pipe(
          Effect.mapError(fromSqlError),
          Effect.flatMap((found) =>
            Effect.orDie(
              Effect.gen(function* () {
                const head = yield* Schema.decodeUnknown(RevisionRow)(found[0])
                const endpoint = head.id === null ? undefined : yield* Schema.decodeUnknown(ApiEndpointRow)(found[0])
                return { endpoint, revision: head.revision } satisfies ActiveLookup
              }),
            ),
          ),
        ),
      /** Methods of the active endpoints at a path, for a 405's Allow header. */
      activeMethodsAt: (path: string) =>
        decodeRows(MethodRow)(
          sql`SELECT e.method FROM api_endpoints e WHERE e.path = ${path} AND e.status = 'active' ORDER BY e.method`,
        ).pipe(Effect.map((r) => r.map((m) => m.method))),
      page: (filter: EndpointFilter, page: Paging) =>
        rows(
          sql`SELECT ${columns} FROM api_endpoints e WHERE ${where(filter)}
              ORDER BY e.tenant_id NULLS FIRST, e.key, e.id LIMIT ${page.limit} OFFSET ${page.offset}`,
        ),
      count: (filter: EndpointFilter) =>
        decodeRows(CountRow)(sql`SELECT count(*)::int AS total FROM api_endpoints e WHERE ${where(filter)}`).pipe(
          Effect.map((r) => r[0]?.total ?? 0),
        ),
      insert: (id: string, f: EndpointFields, by: string) =>
        rows(
          sql`INSERT INTO api_endpoints AS e (id, tenant_id, key, name, description, method, path, operation_kind,
                graphql, auth_mode, service_entity_id, variables_mapping, request_schema, response_mapping, status,
                created_by, updated_by)
              VALUES (${id}, ${f.tenantId}, ${f.key}, ${f.name}, ${f.description}, ${f.method}, ${f.path},
                ${f.operationKind}, ${f.graphql}, ${f.authMode}, ${f.serviceEntityId},
                ${JSON.stringify(f.variablesMapping)}::jsonb, ${JSON.stringify(f.requestSchema)}::jsonb,
                ${JSON.stringify(f.responseMapping)}::jsonb, ${f.status}, ${by}, ${by})
              RETURNING ${columns}`,
        ).pipe(first),
      /** Writes every field (the service merged the patch onto the stored row under a lock). */
      update: (id: string, f: EndpointFields, by: string) =>
        rows(
          sql`UPDATE api_endpoints AS e SET
                key = ${f.key}, name = ${f.name}, description = ${f.description}, method = ${f.method},
                path = ${f.path}, operation_kind = ${f.operationKind}, graphql = ${f.graphql},
                auth_mode = ${f.authMode}, service_entity_id = ${f.serviceEntityId},
                variables_mapping = ${JSON.stringify(f.variablesMapping)}::jsonb,
                request_schema = ${JSON.stringify(f.requestSchema)}::jsonb,
                response_mapping = ${JSON.stringify(f.responseMapping)}::jsonb,
                status = ${f.status}, updated_by = ${by}, updated_at = now()
              WHERE e.id = ${id}
              RETURNING ${columns}`,
        ).pipe(first),
      /** A service_context identity: the entity (live) with whether it and its tenant are active and live. */
      serviceIdentity: (entityId: string) =>
        decodeRows(ServiceIdentityRow)(
          sql`SELECT en.id, en.tenant_id,
                     (en.status = 'active') AS entity_active,
                     CASE WHEN en.tenant_id IS NULL THEN NULL
                          ELSE (t.status = 'active' AND t.deleted_at IS NULL) END AS tenant_active
              FROM entities en LEFT JOIN tenants t ON t.id = en.tenant_id
              WHERE en.id = ${entityId} AND en.deleted_at IS NULL`,
        ).pipe(Effect.map((r) => r[0])),
      /** The row, locked for the rest of the transaction. */
      lock: (id: string) => rows(sql`SELECT ${columns} FROM api_endpoints e WHERE e.id = ${id} FOR UPDATE`).pipe(first),
    }
  }),
}) {}
