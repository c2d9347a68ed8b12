import type { ResolvedObject, Subject } from "@atom/domain/authz"

/** The document ABAC conditions are evaluated against (authz.md §2.7), keys in snake_case as stored. */
export interface AbacDocument {
  readonly entity: {
    readonly id: string
    readonly kind: string
    readonly tenant_id: string | null
    readonly status: string
    readonly attributes: unknown
  }
  readonly object: {
    readonly id: string | null
    readonly kind: string
    readonly type: string | null
    readonly tenant_id: string | null
    readonly attributes: unknown
    readonly parent_group_id: string | null
    readonly ancestor_group_ids: ReadonlyArray<string>
  }
  readonly resource: {
    readonly id: string | null
    readonly kind: string
    readonly tenant_id: string | null
    readonly attributes: unknown
    readonly parent_group_id: string | null
    readonly ancestor_group_ids: ReadonlyArray<string>
  }
  readonly tenant: { readonly id: string; readonly status: string; readonly attributes: unknown } | null
  readonly context: unknown
}

/** Builds the ABAC document; the server injects nothing, so `context` is the caller's JSON verbatim. */
export const buildAbacDocument = (subject: Subject, object: ResolvedObject, context: unknown): AbacDocument => {
  const tenant = object.tenant
  const tenantId = tenant === null ? null : tenant.id
  const typed = object.kind === "entity" || object.kind === "resource"
  return {
    entity: {
      id: subject.id,
      kind: subject.kind,
      tenant_id: subject.tenantId,
      status: subject.status,
      attributes: subject.attributes,
    },
    object: {
      id: object.id,
      kind: object.kind,
      type: typed ? `${object.kind}:${object.subKind}` : null,
      tenant_id: tenantId,
      attributes: object.attributes,
      parent_group_id: object.parentGroupId,
      ancestor_group_ids: object.ancestorGroupIds,
    },
    resource: {
      id: object.id,
      kind: object.subKind,
      tenant_id: tenantId,
      attributes: object.attributes,
      parent_group_id: object.parentGroupId,
      ancestor_group_ids: object.ancestorGroupIds,
    },
    tenant: tenant === null ? null : { id: tenant.id, status: tenant.status, attributes: tenant.attributes },
    context: context === undefined || context === null ? {} : context,
  }
}
