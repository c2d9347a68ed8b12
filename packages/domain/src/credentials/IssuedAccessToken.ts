/** What minting returns: the token itself is shown here once and never again. */
export interface IssuedAccessToken {
  readonly credentialId: string
  readonly token: string
  readonly name: string
  readonly description: string | null
  readonly expiresAt: Date | null
}
