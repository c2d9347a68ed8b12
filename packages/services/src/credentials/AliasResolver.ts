import { InvalidInput, NotFound } from "@atom/domain/errors"
import { type AliasedKind, ObjectAliases } from "@atom/repositories/credentials"
import { TenantRefs } from "@atom/repositories/identity"
import { Effect } from "effect"

export interface ResolveAliasInput {
  readonly tenantId: string
  readonly tenantAlias: string
  readonly objectKind: string
  readonly objectAlias: string
  readonly global: boolean
}

export interface ResolvedAlias {
  /** null for global objects */
  readonly tenantId: string | null
  readonly objectId: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const invalid = (message: string) => new InvalidInput({ message })

const aliasedKind = (kind: string): AliasedKind | undefined => {
  const k = kind.trim().toLowerCase()
  return k === "entity" || k === "resource" ? k : undefined
}

/**
 * gRPC ResolveAlias (api.md §2.5): an entity or resource alias to its id, inside exactly one of a
 * tenant (by id or case-insensitive alias; it must be active) or the global namespace. Any
 * authenticated caller may ask: resolution grants nothing, the later Check by id does.
 */
export class AliasResolver extends Effect.Service<AliasResolver>()("atom/AliasResolver", {
  effect: Effect.gen(function* () {
    const tenants = yield* TenantRefs
    const aliases = yield* ObjectAliases

    const selectTenant = (input: ResolveAliasInput) =>
      Effect.gen(function* () {
        const tenantId = input.tenantId === "" ? null : input.tenantId
        if (tenantId !== null && !UUID.test(tenantId)) return yield* invalid("invalid tenant_id: expected UUID")
        const tenantAlias = input.tenantAlias.trim() === "" ? null : input.tenantAlias.trim()
        const selectors = [tenantId !== null, tenantAlias !== null, input.global].filter(Boolean).length
        return { tenantId, tenantAlias, selectors }
      })

    const resolve = (input: ResolveAliasInput) =>
      Effect.gen(function* () {
        const { tenantId, tenantAlias, selectors } = yield* selectTenant(input)
        const kind = aliasedKind(input.objectKind)
        if (kind === undefined) return yield* invalid("invalid object_kind: expected 'entity' or 'resource'")
        if (selectors !== 1) {
          return yield* invalid("provide exactly one tenant selector: tenant_id, tenant_alias, or global")
        }
        let scope: string | null = null
        if (tenantId !== null) {
          const tenant = yield* tenants.byId(tenantId.toLowerCase())
          if (!tenant || tenant.deleted || tenant.status !== "active") {
            return yield* new NotFound({ message: `active tenant ${tenantId.toLowerCase()} not found` })
          }
          scope = tenant.id
        } else if (tenantAlias !== null) {
          const tenant = yield* tenants.byAlias(tenantAlias)
          if (!tenant || tenant.deleted || tenant.status !== "active") {
            return yield* new NotFound({ message: `tenant alias '${tenantAlias}' not found` })
          }
          scope = tenant.id
        }
        const alias = input.objectAlias.trim().toLowerCase()
        if (alias === "") return yield* invalid("object_alias must not be empty")
        const objectId = yield* aliases.resolve(kind, scope, alias)
        if (objectId === undefined) {
          return yield* new NotFound({
            message: `alias '${alias}' not found in ${scope === null ? "global scope" : `tenant ${scope}`}`,
          })
        }
        const resolved: ResolvedAlias = { tenantId: scope, objectId }
        return resolved
      }).pipe(Effect.withSpan("AliasResolver.resolve"))

    return { resolve } as const
  }),
}) {}
