import { Schema } from "effect"

// The atom.v1 messages the client sends and receives. proto3 has no absent scalars: an unset string
// arrives as "", so the responses' strings are never null.

export interface CheckRequest {
  readonly subject_id: string
  readonly action: string
  /** legacy target; `object_kind` + `object_id` win when both are given */
  readonly resource_id?: string
  readonly context?: Readonly<Record<string, string>>
  readonly object_kind?: string
  readonly object_id?: string
}
export const CheckResponse = Schema.Struct({ allowed: Schema.Boolean, reason: Schema.String })
export type CheckResponse = typeof CheckResponse.Type

export interface AuthenticateRequest {
  /** a session JWT or an `atom_…` access token */
  readonly token: string
}
export const AuthenticateResponse = Schema.Struct({
  entity_id: Schema.String,
  tenant_id: Schema.String,
  session_id: Schema.String,
})
export type AuthenticateResponse = typeof AuthenticateResponse.Type

export interface AuthenticateCredentialRequest {
  readonly identifier: string
  readonly secret: string
  /** `password` or `shared_key`; empty lets Atom try both */
  readonly kind?: string
  readonly tenant_id?: string
  readonly tenant_alias?: string
}
export const AuthenticateCredentialResponse = Schema.Struct({
  entity_id: Schema.String,
  tenant_id: Schema.String,
  credential_id: Schema.String,
})
export type AuthenticateCredentialResponse = typeof AuthenticateCredentialResponse.Type

export interface ResolveCertificateRequest {
  /** hex, any case, colons allowed */
  readonly serial_number: string
  /** when given, the certificate must also have this SHA-256 fingerprint */
  readonly fingerprint_sha256?: string
}
export const ResolveCertificateResponse = Schema.Struct({
  entity_id: Schema.String,
  tenant_id: Schema.String,
  credential_id: Schema.String,
  expires_at: Schema.String,
})
export type ResolveCertificateResponse = typeof ResolveCertificateResponse.Type

export interface RevokeEntityCertificatesRequest {
  readonly entity_id: string
  readonly reason?: string
}
/** `revoked` is a uint64, carried as a decimal string. */
export const RevokeEntityCertificatesResponse = Schema.Struct({ revoked: Schema.String })
export type RevokeEntityCertificatesResponse = typeof RevokeEntityCertificatesResponse.Type

export interface ResolveAliasRequest {
  readonly tenant_id?: string
  readonly tenant_alias?: string
  readonly object_kind?: string
  readonly object_alias?: string
  readonly global?: boolean
}
export const ResolveAliasResponse = Schema.Struct({ tenant_id: Schema.String, object_id: Schema.String })
export type ResolveAliasResponse = typeof ResolveAliasResponse.Type
