import { Forbidden } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { DbFailure } from "@atom/repositories/db"
import { type Context, Effect } from "effect"
import { anyOf, type Gate, ObjectScope, Platform, type Requirement, Tenant } from "../authz/Gate.js"

// A platform grant satisfies every tenant and object gate; naming Platform keeps that true when the
// tenant or object does not resolve (an inactive tenant, a missing entity), so platform admins reach
// the validation and its precise message.

/** `actions` on the entity object, at its tenant, or at the platform. */
export const onEntity = (
  actions: ReadonlyArray<string>,
  entityId: string,
  tenantId: string | null,
): Array<Requirement> => anyOf(actions, ObjectScope("entity", entityId), Tenant(tenantId), Platform)

/** `actions` on the certificate credential itself. */
export const onCertificate = (actions: ReadonlyArray<string>, credentialId: string): Array<Requirement> =>
  anyOf(actions, ObjectScope("credential", credentialId))

/**
 * "Credential management" (api.md §3.5): never a scoped access token; otherwise the entity itself
 * (self-service, spec §8.3), or manage on the entity or at its tenant.
 */
export const requireCredentialManagement = (
  gate: Context.Tag.Service<typeof Gate>,
  caller: Caller,
  entityId: string,
  tenantId: string | null,
): Effect.Effect<void, Forbidden | DbFailure> => {
  if (caller.scoped) return Effect.fail(new Forbidden({ reason: "scoped access tokens cannot manage credentials" }))
  if (caller.entityId === entityId) return Effect.void
  return gate.require(caller, onEntity(["manage"], entityId, tenantId))
}

/** `actions` on the certificate, otherwise credential management of its owner. */
export const requireCertificateAction = (
  gate: Context.Tag.Service<typeof Gate>,
  caller: Caller,
  actions: ReadonlyArray<string>,
  certificate: { readonly id: string; readonly entityId: string; readonly tenantId: string | null },
): Effect.Effect<void, Forbidden | DbFailure> =>
  Effect.flatMap(gate.allows(caller, onCertificate(actions, certificate.id)), (allowed) =>
    allowed ? Effect.void : requireCredentialManagement(gate, caller, certificate.entityId, certificate.tenantId),
  )
