import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { EntityIdRow, SignInEntityRow } from "./rows.js"

/** The entity side of an OIDC sign-in: find by email, lock for sign-in, onboard a new human. */
export class OAuthAccounts extends Effect.Service<OAuthAccounts>()("atom/OAuthAccounts", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      /** The live entity that owns a live email address. */
      ownerOfEmail: (email: string) =>
        decodeRows(EntityIdRow)(
          sql`SELECT m.entity_id FROM entity_emails m JOIN entities e ON e.id = m.entity_id
              WHERE lower(m.email) = ${email} AND m.deleted_at IS NULL AND e.deleted_at IS NULL`,
        ).pipe(Effect.map((r) => r[0]?.entityId)),
      /** The live entity, row-locked until the transaction ends, with whether its tenant is active. */
      lockForSignIn: (entityId: string) =>
        decodeRows(SignInEntityRow)(
          sql`SELECT e.id, e.tenant_id, e.status,
                     (e.tenant_id IS NULL OR (t.status = 'active' AND t.deleted_at IS NULL)) AS tenant_active
              FROM entities e LEFT JOIN tenants t ON t.id = e.tenant_id
              WHERE e.id = ${entityId} AND e.deleted_at IS NULL
              FOR UPDATE OF e`,
        ).pipe(Effect.map((r) => r[0])),
      /** A new global human (no tenant, no principal groups). */
      insertHuman: (h: { id: string; name: string }) =>
        execute(sql`INSERT INTO entities (id, kind, name, tenant_id) VALUES (${h.id}, 'human', ${h.name}, NULL)`),
      insertVerifiedEmail: (entityId: string, email: string) =>
        execute(sql`INSERT INTO entity_emails (entity_id, email, verified_at) VALUES (${entityId}, ${email}, now())`),
      /** The provider vouched for the address: mark it verified if it was not. */
      markEmailVerified: (entityId: string, email: string) =>
        execute(
          sql`UPDATE entity_emails SET verified_at = COALESCE(verified_at, now()), updated_at = now()
              WHERE entity_id = ${entityId} AND lower(email) = ${email} AND deleted_at IS NULL`,
        ),
    }
  }),
}) {}
