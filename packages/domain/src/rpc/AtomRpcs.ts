import { ActionRpcs } from "./ActionRpcs.js"
import { AuditRpcs } from "./AuditRpcs.js"
import { AuthzRpcs } from "./AuthzRpcs.js"
import { CertificateRpcs } from "./CertificateRpcs.js"
import { CredentialRpcs } from "./CredentialRpcs.js"
import { EndpointRpcs } from "./EndpointRpcs.js"
import { EntityRpcs } from "./EntityRpcs.js"
import { GroupRpcs } from "./GroupRpcs.js"
import { MembershipRpcs } from "./MembershipRpcs.js"
import { PolicyRpcs } from "./PolicyRpcs.js"
import { ProfileRpcs } from "./ProfileRpcs.js"
import { ResourceRpcs } from "./ResourceRpcs.js"
import { RpcAuthentication } from "./RpcAuthentication.js"
import { SystemRpcs } from "./SystemRpcs.js"
import { TenantRpcs } from "./TenantRpcs.js"

/**
 * Atom's typed RPC contract, served at `/rpc` (HTTP NDJSON and WebSocket): the admin and runtime
 * operations, every call authenticated by its bearer token and failing with `AtomRpcError`.
 */
export class AtomRpcs extends TenantRpcs.merge(
  MembershipRpcs,
  ProfileRpcs,
  EntityRpcs,
  GroupRpcs,
  ResourceRpcs,
  PolicyRpcs,
  ActionRpcs,
  AuthzRpcs,
  CredentialRpcs,
  CertificateRpcs,
  AuditRpcs,
  EndpointRpcs,
  SystemRpcs,
).middleware(RpcAuthentication) {}
