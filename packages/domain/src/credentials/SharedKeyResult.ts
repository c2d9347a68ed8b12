/** What creating or revealing a shared key returns: the key in clear, to its manager only. */
export interface SharedKeyResult {
  readonly credentialId: string
  readonly key: string
  readonly expiresAt: Date | null
}
