/** Event names Atom writes (api.md §6.7); the column is free text, these are the ones code emits. */
export const AuditEventName = {
  authLogin: "auth.login",
  authLogout: "auth.logout",
  authSignup: "auth.signup",
  authEmailVerify: "auth.email_verify",
  authPasswordReset: "auth.password_reset",
  credentialAuthenticate: "auth.credential_authenticate",
  authzCheck: "authz.check",
  authzExplain: "authz.explain",
  signingKeyRotate: "signing_key.rotate",
  retentionCleanup: "audit.retention_cleanup",
  purgeCleanup: "purge.cleanup",
} as const
