import { Schema } from "effect"

/** What a credential row is (identity-certs §2.1); the GraphQL `CredentialKind` enum. */
export const CredentialKind = Schema.Literal("password", "access_token", "certificate", "shared_key")
export type CredentialKind = typeof CredentialKind.Type
