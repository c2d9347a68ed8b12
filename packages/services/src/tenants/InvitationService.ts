import { randomUUID } from "node:crypto"
import { AtomConfig } from "@atom/domain/config"
import { InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import { normalizeInviteeEmail, type Page, type Paging, type TenantInvitation } from "@atom/domain/tenants"
import { isArgon2Verifier, OpaqueTokenPrefix, parseOpaqueToken, verifyOpaqueSecret } from "@atom/engines/tokens"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { TenantInvitations, TenantMemberships, Tenants } from "@atom/repositories/tenants"
import { SqlClient } from "@effect/sql"
import { Clock, Effect, Either, Option, Redacted } from "effect"
import { anyOf, Gate, Tenant } from "../authz/Gate.js"
import { Mailer } from "../mail/Mailer.js"
import { sendTokenMail } from "../mail/tokenMail.js"
import { PasswordHasher } from "../passwords/PasswordHasher.js"
import { inTransaction } from "./inTransaction.js"

export interface CreateInvitationInput {
  readonly inviteeUserId: string | null
  readonly inviteeEmail: string | null
  readonly roleId: string | null
  readonly redirectUrl: string | null
}

const INVALID_TOKEN = "invalid invitation token"
const invalid = (message: string) => new InvalidInput({ message })

const isHttpUrl = (value: string): boolean => {
  if (!URL.canParse(value)) return false
  const { protocol } = new URL(value)
  return protocol === "https:" || protocol === "http:"
}

/**
 * Invitations to a tenant (identity-certs §1.5). The `atomi_…` token embeds the row id; only its hash is
 * stored and it goes out only in the queued email. Accepting upserts an active membership and the
 * invitation's role assignment in one transaction.
 */
export class InvitationService extends Effect.Service<InvitationService>()("atom/InvitationService", {
  effect: Effect.gen(function* () {
    const config = yield* AtomConfig
    const sql = yield* SqlClient.SqlClient
    const gate = yield* Gate
    const hasher = yield* PasswordHasher
    const tenants = yield* Tenants
    const invitations = yield* TenantInvitations
    const memberships = yield* TenantMemberships
    const mailer = yield* Mailer
    const transact = inTransaction(sql)
    const bump = bumpAuthzRevision.pipe(Effect.provideService(SqlClient.SqlClient, sql))

    /** The pending check, in the contract's order (400s). */
    const requirePending = (invitation: TenantInvitation) =>
      Effect.gen(function* () {
        if (invitation.acceptedAt !== null) return yield* invalid("invitation already accepted")
        if (invitation.rejectedAt !== null) return yield* invalid("invitation already rejected")
        if (invitation.revokedAt !== null) return yield* invalid("invitation already revoked")
        const now = yield* Clock.currentTimeMillis
        if (invitation.expiresAt.getTime() <= now) return yield* invalid("invitation expired")
      })

    /** When a conditional end-of-invitation update found nothing, says why from a fresh read. */
    const explainNotPending = (id: string) =>
      Effect.gen(function* () {
        const fresh = yield* invitations.byId(id)
        if (fresh === undefined) return yield* new NotFound({ message: "tenant invitation not found" })
        yield* requirePending(fresh)
        return yield* invalid("invitation expired")
      })

    const create = (caller: Caller, tenantId: string, input: CreateInvitationInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(["manage", "policy.manage"], Tenant(tenantId)))
        if (input.inviteeUserId === null && (input.inviteeEmail === null || input.inviteeEmail.trim() === "")) {
          return yield* invalid("invitee_user_id or invitee_email is required")
        }
        const email =
          input.inviteeEmail === null || input.inviteeEmail.trim() === ""
            ? null
            : yield* Either.match(normalizeInviteeEmail(input.inviteeEmail), {
                onLeft: (message) => Effect.fail(invalid(message)),
                onRight: Effect.succeed,
              })
        if (input.redirectUrl !== null && !isHttpUrl(input.redirectUrl)) {
          return yield* invalid("redirectUrl must be an http(s) URL")
        }
        const tenant = yield* tenants.byId(tenantId)
        if (tenant === undefined || tenant.deletedAt !== null) {
          return yield* new NotFound({ message: `tenant ${tenantId} not found` })
        }
        if (input.inviteeUserId !== null && (yield* memberships.liveSubject(input.inviteeUserId)) === undefined) {
          return yield* new NotFound({ message: `entity ${input.inviteeUserId} not found` })
        }
        if (input.roleId !== null && !(yield* memberships.roleOfTenant(input.roleId, tenantId))) {
          return yield* new NotFound({ message: `role ${input.roleId} not found` })
        }
        // an address that belongs to a live user invites that user
        const inviteeUserId =
          input.inviteeUserId ?? (email === null ? undefined : yield* invitations.ownerOfEmail(email)) ?? null
        const recipient =
          email ?? (inviteeUserId === null ? undefined : yield* invitations.emailOf(inviteeUserId)) ?? null
        const now = yield* Clock.currentTimeMillis
        const write = {
          tenantId,
          inviteeUserId,
          inviteeEmail: email,
          invitedBy: caller.entityId,
          roleId: input.roleId,
          expiresAt: new Date(now + config.selfService.invitationExpirySecs * 1000),
        }
        const id = yield* transact(
          Effect.gen(function* () {
            // an invitation for the same user or address is reset, never duplicated
            const existing = yield* invitations.existingFor(tenantId, inviteeUserId, email)
            return yield* sendTokenMail(
              mailer,
              {
                prefix: OpaqueTokenPrefix.tenantInvitation,
                id: existing ?? randomUUID(),
                template: "invitation",
                recipient,
                linkBase: input.redirectUrl ?? config.selfService.invitationRedirect,
                vars: { tenant_name: tenant.name },
              },
              (token) =>
                existing === undefined
                  ? invitations.insert(token.id, { ...write, secretHash: token.secretHash })
                  : invitations.reset(existing, { ...write, secretHash: token.secretHash }),
            )
          }),
        )
        const created = yield* invitations.byId(id)
        if (created === undefined) return yield* new NotFound({ message: "tenant invitation not found" })
        return created
      }).pipe(Effect.withSpan("InvitationService.create"))

    /** Marks the invitation accepted and makes the caller an active member (with its role), at once. */
    const acceptInvitation = (caller: Caller, invitation: TenantInvitation) =>
      transact(
        Effect.gen(function* () {
          if (!(yield* invitations.markAccepted(invitation.id, caller.entityId))) {
            return yield* explainNotPending(invitation.id)
          }
          const tenant = yield* tenants.byId(invitation.tenantId)
          if (tenant === undefined || tenant.deletedAt !== null || tenant.status !== "active") {
            return yield* new NotFound({ message: `active tenant ${invitation.tenantId} not found` })
          }
          if ((yield* memberships.liveSubject(caller.entityId)) === undefined) {
            return yield* new NotFound({ message: `entity ${caller.entityId} not found` })
          }
          yield* memberships.upsertActive(invitation.tenantId, caller.entityId)
          const roleId = invitation.roleId
          if (roleId !== null && (yield* memberships.roleOfTenant(roleId, invitation.tenantId))) {
            yield* memberships.ensureAssignment({
              id: randomUUID(),
              tenantId: invitation.tenantId,
              entityId: caller.entityId,
              roleId,
            })
          }
          yield* bump
        }),
      )

    const newestFor = (caller: Caller, tenantId: string) =>
      Effect.gen(function* () {
        const invitation = yield* invitations.newestFor(tenantId, caller.entityId)
        if (invitation === undefined) return yield* new NotFound({ message: "tenant invitation not found" })
        yield* requirePending(invitation)
        return invitation
      })

    const accept = (caller: Caller, tenantId: string) =>
      Effect.gen(function* () {
        const invitation = yield* newestFor(caller, tenantId)
        yield* acceptInvitation(caller, invitation)
        return true
      }).pipe(Effect.withSpan("InvitationService.accept"))

    /** Accepts by token; the secret is verified before anything about the invitation is revealed. */
    const acceptToken = (caller: Caller, token: string) =>
      Effect.gen(function* () {
        const parsed = parseOpaqueToken(token.trim(), OpaqueTokenPrefix.tenantInvitation)
        if (Option.isNone(parsed)) return yield* invalid(INVALID_TOKEN)
        const stored = yield* invitations.secretOf(parsed.value.id)
        if (stored === undefined) return yield* new NotFound({ message: "invitation not found" })
        const hash = stored.secretHash
        if (hash === null) return yield* invalid(INVALID_TOKEN)
        const valid = isArgon2Verifier(hash)
          ? yield* hasher.verify(hash, Redacted.make(parsed.value.secret))
          : verifyOpaqueSecret(parsed.value.secret, hash)
        if (!valid) return yield* invalid(INVALID_TOKEN)
        if (!(yield* invitations.isAddressedTo(stored.id, caller.entityId))) {
          return yield* invalid("invitation does not belong to this user")
        }
        const invitation = yield* invitations.byId(stored.id)
        if (invitation === undefined) return yield* new NotFound({ message: "invitation not found" })
        yield* requirePending(invitation)
        yield* acceptInvitation(caller, invitation)
        return invitation.tenantId
      }).pipe(Effect.withSpan("InvitationService.acceptToken"))

    const reject = (caller: Caller, tenantId: string) =>
      Effect.gen(function* () {
        const invitation = yield* newestFor(caller, tenantId)
        if (!(yield* invitations.markRejected(invitation.id))) yield* explainNotPending(invitation.id)
        return true
      }).pipe(Effect.withSpan("InvitationService.reject"))

    const revoke = (caller: Caller, tenantId: string, invitationId: string) =>
      Effect.gen(function* () {
        // plain manage is not enough (identity-certs §1.5)
        yield* gate.require(caller, anyOf(["policy.manage"], Tenant(tenantId)))
        const invitation = yield* invitations.byId(invitationId)
        if (invitation === undefined || invitation.tenantId !== tenantId) {
          return yield* new NotFound({ message: "tenant invitation not found" })
        }
        yield* requirePending(invitation)
        if (!(yield* invitations.markRevoked(invitation.id))) yield* explainNotPending(invitation.id)
        return true
      }).pipe(Effect.withSpan("InvitationService.revoke"))

    const ofTenant = (caller: Caller, tenantId: string, page: Paging) =>
      Effect.gen(function* () {
        yield* gate.require(caller, anyOf(["manage", "policy.manage"], Tenant(tenantId)))
        const [items, total] = yield* Effect.all(
          [invitations.ofTenant(tenantId, page), invitations.countOfTenant(tenantId)],
          { concurrency: 2 },
        )
        return { items, total } satisfies Page<TenantInvitation>
      }).pipe(Effect.withSpan("InvitationService.ofTenant"))

    const mine = (caller: Caller, page: Paging) =>
      Effect.gen(function* () {
        const [items, total] = yield* Effect.all(
          [invitations.addressedTo(caller.entityId, page), invitations.countAddressedTo(caller.entityId)],
          { concurrency: 2 },
        )
        return { items, total } satisfies Page<TenantInvitation>
      }).pipe(Effect.withSpan("InvitationService.mine"))

    return { create, accept, acceptToken, reject, revoke, ofTenant, mine } as const
  }),
}) {}
