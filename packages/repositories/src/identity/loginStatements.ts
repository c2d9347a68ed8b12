import { SqlClient } from "@effect/sql"
import { Effect, Option, Schema } from "effect"
import { DbBackend } from "../db/DbBackend.js"
import { decodeRows } from "../db/decodeRows.js"
import { AuthEntityRow } from "./rows.js"

/** One way an identifier may name an entity (identity-certs §2.2), tried in the order given. */
export type LoginResolutionStep =
  | { readonly by: "email"; readonly email: string }
  | { readonly by: "attributeEmail"; readonly email: string }
  | { readonly by: "id"; readonly id: string }
  | { readonly by: "name"; readonly name: string }
  | { readonly by: "alias"; readonly alias: string }

export interface LoginLookupInput {
  /** the normalised identifier the lockout counts under */
  readonly attemptKey: string
  /** the selected tenant: the lockout scope and the resolution's tenant (null = none) */
  readonly tenantId: string | null
  readonly windowSecs: number
  readonly steps: ReadonlyArray<LoginResolutionStep>
}

/** An entity the first matching step found, with what verifying a login against it needs. */
export const LoginCandidateRow = Schema.Struct({
  failures: Schema.Number,
  ...AuthEntityRow.fields,
  /** the email the identifier matched (steps email and attributeEmail), else null */
  hint: Schema.NullOr(Schema.String),
  /** the one ranked password: for the hint, else the null identifier, else the newest */
  passwordId: Schema.NullOr(Schema.String),
  passwordHash: Schema.NullOr(Schema.String),
  emailCount: Schema.Number,
  emailVerified: Schema.Boolean,
})
export type LoginCandidateRow = typeof LoginCandidateRow.Type

const NoCandidateRow = Schema.Struct({ failures: Schema.Number, id: Schema.Null })
const LiveRow = Schema.Struct({ live: Schema.Boolean })

export interface LoginLookup {
  /** failed attempts of (attemptKey, tenant) within the window */
  readonly failures: number
  /** the first step's matches: none, one, or two (ambiguous) */
  readonly candidates: ReadonlyArray<LoginCandidateRow>
}

export interface LoginSuccessInput {
  readonly attemptKey: string
  readonly tenantId: string | null
  readonly entityId: string
  readonly credentialId: string
  /** opens this session when the entity (and its home tenant) is still active */
  readonly session?: { readonly id: string; readonly expiresAt: Date }
}

const ENTITY_COLUMNS = `e.id, e.kind, e.name, e.tenant_id, e.status, (e.deleted_at IS NOT NULL) AS deleted,
  t.status AS tenant_status, (t.deleted_at IS NOT NULL) AS tenant_deleted`

/**
 * A login's database work in two statements (it was seven, three of them separate write transactions):
 * `lookup` reads the lockout count, resolves the identifier and brings the ranked password and the email
 * state; `succeed` records the attempt, touches the credential and opens the session atomically.
 */
export class LoginStatements extends Effect.Service<LoginStatements>()("atom/LoginStatements", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // PGlite is one session and a statement runs alone (a transaction holds the session for its whole scope), so
    // no suspension can commit between `succeed`'s read and its writes: the row lock would only cost (it writes
    // the tuple's lock marker, about a third of the statement). Postgres, or a backend not named, takes it.
    const lockEntity = Option.match(yield* Effect.serviceOption(DbBackend), {
      onNone: () => true,
      onSome: (backend) => backend.kind !== "pglite",
    })
    const rows = decodeRows(Schema.Union(NoCandidateRow, LoginCandidateRow))
    const liveRows = decodeRows(LiveRow)
    const entityColumns = sql.unsafe(ENTITY_COLUMNS)
    const fromEntities = sql`FROM entities e LEFT JOIN tenants t ON t.id = e.tenant_id`
    const inTenant = (tenantId: string | null) => (tenantId === null ? sql`TRUE` : sql`e.tenant_id = ${tenantId}`)

    // each step is one branch of a UNION ALL, LIMIT 2 (enough to tell "ambiguous"); the first step with rows
    // wins. Every branch is an index lookup (emails are stored lowercase, so lower(m.email) is the live index).
    const branch = (step: LoginResolutionStep, n: number, tenantId: string | null) => {
      const head = sql`SELECT ${sql.literal(String(n))} AS step, ${entityColumns}`
      switch (step.by) {
        case "email":
          return sql`(${head}, ${step.email}::text AS hint ${fromEntities}
            JOIN entity_emails m ON m.entity_id = e.id AND m.deleted_at IS NULL
            WHERE lower(m.email) = ${step.email} AND e.deleted_at IS NULL AND ${inTenant(tenantId)} LIMIT 2)`
        case "attributeEmail":
          return sql`(${head}, ${step.email}::text AS hint ${fromEntities}
            WHERE lower(btrim(e.attributes->>'email')) = ${step.email}
              AND e.deleted_at IS NULL AND ${inTenant(tenantId)} LIMIT 2)`
        case "id":
          return sql`(${head}, NULL::text AS hint ${fromEntities}
            WHERE e.id = ${step.id} AND e.deleted_at IS NULL AND ${inTenant(tenantId)})`
        case "name":
          return sql`(${head}, NULL::text AS hint ${fromEntities}
            WHERE e.name = ${step.name} AND e.deleted_at IS NULL AND ${inTenant(tenantId)} LIMIT 2)`
        case "alias":
          return sql`(${head}, NULL::text AS hint ${fromEntities}
            WHERE lower(e.alias) = ${step.alias.toLowerCase()} AND e.deleted_at IS NULL AND ${inTenant(tenantId)}
            LIMIT 2)`
      }
    }

    const lookup = (input: LoginLookupInput) => {
      const sameTenant = input.tenantId === null ? sql`a.tenant_id IS NULL` : sql`a.tenant_id = ${input.tenantId}`
      // one step (a plain name without a tenant: the common login) needs no choosing, and PGlite plans it faster
      const [only] = input.steps
      const chosen =
        only === undefined
          ? sql`(SELECT ${entityColumns}, NULL::text AS hint ${fromEntities} WHERE FALSE)`
          : input.steps.length === 1
            ? branch(only, 1, input.tenantId)
            : sql`(WITH found AS (${sql.join(" UNION ALL ", false)(input.steps.map((step, i) => branch(step, i + 1, input.tenantId)))})
                SELECT * FROM found WHERE step = (SELECT min(step) FROM found))`
      return rows(
        sql`
        SELECT f.failures, c.id, c.kind, c.name, c.tenant_id, c.status, c.deleted, c.tenant_status, c.tenant_deleted,
               c.hint, p.id AS password_id, p.secret_hash AS password_hash,
               m.email_count, m.email_verified
        FROM (SELECT count(*)::int AS failures FROM auth_login_attempts a
              WHERE a.identifier = ${input.attemptKey} AND ${sameTenant} AND NOT a.success
                AND a.created_at > now() - make_interval(secs => ${input.windowSecs})) f
        LEFT JOIN ${chosen} c ON TRUE
        LEFT JOIN LATERAL (
          SELECT id, secret_hash FROM credentials
          WHERE entity_id = c.id AND kind = 'password' AND status = 'active'
            AND (expires_at IS NULL OR expires_at > now())
          ORDER BY coalesce(identifier = c.hint, false) DESC, (identifier IS NULL) DESC, created_at DESC
          LIMIT 1) p ON TRUE
        LEFT JOIN LATERAL (
          SELECT count(*)::int AS email_count, coalesce(bool_or(verified_at IS NOT NULL), false) AS email_verified
          FROM entity_emails WHERE entity_id = c.id AND deleted_at IS NULL) m ON TRUE`,
      ).pipe(
        Effect.map(
          (r): LoginLookup => ({
            failures: r[0]?.failures ?? 0,
            candidates: r.filter((row): row is LoginCandidateRow => row.id !== null),
          }),
        ),
      )
    }

    /**
     * The attempt, `last_used_at` (stamped when null or older than 5 minutes, as for access tokens: a row
     * rewritten on every login only costs a write) and the session in one statement, so one transaction. With a
     * session, the entity is relocked on Postgres (FOR SHARE: a concurrent suspension waits for this login, or
     * this login sees it) and nothing but a failed attempt is written unless it is still active. Answers whether it was.
     */
    const succeed = (input: LoginSuccessInput) => {
      const session = input.session
      const live =
        session === undefined
          ? sql`SELECT ${input.entityId}::uuid AS id`
          : sql`SELECT e.id FROM entities e LEFT JOIN tenants t ON t.id = e.tenant_id
              WHERE e.id = ${input.entityId} AND e.status = 'active' AND e.deleted_at IS NULL
                AND (e.tenant_id IS NULL OR (t.status = 'active' AND t.deleted_at IS NULL))
              ${sql.literal(lockEntity ? "FOR SHARE OF e" : "")}`
      const opened =
        session === undefined
          ? sql.literal("")
          : sql`, opened AS (INSERT INTO sessions (id, entity_id, expires_at)
              SELECT ${session.id}::uuid, live.id, ${session.expiresAt}::timestamptz FROM live)`
      return liveRows(
        sql`WITH live AS (${live}),
          attempt AS (INSERT INTO auth_login_attempts (identifier, tenant_id, success)
            SELECT ${input.attemptKey}, ${input.tenantId}::uuid, EXISTS (SELECT 1 FROM live)),
          used AS (UPDATE credentials SET last_used_at = now()
            WHERE id = ${input.credentialId} AND EXISTS (SELECT 1 FROM live)
              AND (last_used_at IS NULL OR last_used_at < now() - interval '5 minutes'))${opened}
        SELECT EXISTS (SELECT 1 FROM live) AS live`,
      ).pipe(Effect.map((r) => r[0]?.live === true))
    }

    return { lookup, succeed } as const
  }),
}) {}
