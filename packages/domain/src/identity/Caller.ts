/** Who is calling, as proven by a token: identity only, never permissions. */
export interface Caller {
  readonly entityId: string
  /** The entity's home tenant, null for global entities. */
  readonly tenantId: string | null
  /** The session behind a JWT; null for access tokens. */
  readonly sessionId: string | null
  /** The credential behind an access token; null for JWTs. */
  readonly credentialId: string | null
  readonly tokenKind: "jwt" | "access_token"
  /** A scoped access token: its permission ceiling bounds what it may do (fail closed). */
  readonly scoped: boolean
  /** When the token stops being valid. */
  readonly expiresAt: Date | null
}
