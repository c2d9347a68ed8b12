import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { decodeRows, execute } from "../db/decodeRows.js"
import { EntityIdRow } from "./rows.js"

export interface OAuthIdentityLink {
  readonly entityId: string
  readonly provider: string
  readonly subject: string
  readonly email: string
  readonly profile: Readonly<Record<string, unknown>>
}

/** Links from an OIDC `(provider, subject)` to the entity it signs in as (`oauth_identities`). */
export class OAuthIdentities extends Effect.Service<OAuthIdentities>()("atom/OAuthIdentities", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return {
      entityOf: (provider: string, subject: string) =>
        decodeRows(EntityIdRow)(
          sql`SELECT entity_id FROM oauth_identities WHERE provider = ${provider} AND subject = ${subject}`,
        ).pipe(Effect.map((r) => r[0]?.entityId)),
      /** Keeps the provider's latest email and profile on an existing link. */
      refresh: (link: Omit<OAuthIdentityLink, "entityId">) =>
        execute(
          sql`UPDATE oauth_identities
              SET email = ${link.email}, email_verified = true, profile = ${JSON.stringify(link.profile)}::jsonb,
                  updated_at = now()
              WHERE provider = ${link.provider} AND subject = ${link.subject}`,
        ),
      insert: (link: OAuthIdentityLink) =>
        execute(
          sql`INSERT INTO oauth_identities (entity_id, provider, subject, email, email_verified, profile)
              VALUES (${link.entityId}, ${link.provider}, ${link.subject}, ${link.email}, true,
                      ${JSON.stringify(link.profile)}::jsonb)`,
        ),
    }
  }),
}) {}
