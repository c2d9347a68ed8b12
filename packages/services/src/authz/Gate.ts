import type { ObjectKind } from "@atom/domain/authz"
import type { Forbidden } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { DbFailure } from "@atom/repositories/db"
import { Context, type Effect } from "effect"

/** Where an admin operation needs its permission, by reference; the gate loads what it names. */
export type ScopeRef =
  | { readonly _tag: "Platform" }
  /** `tenantId: null` means Platform ("S(T)" of authz.md §3.2) */
  | { readonly _tag: "Tenant"; readonly tenantId: string | null }
  | { readonly _tag: "Object"; readonly kind: ObjectKind; readonly id: string }

export interface Requirement {
  readonly action: string
  readonly scope: ScopeRef
}

export const Platform: ScopeRef = { _tag: "Platform" }
export const Tenant = (tenantId: string | null): ScopeRef => ({ _tag: "Tenant", tenantId })
export const ObjectScope = (kind: ObjectKind, id: string): ScopeRef => ({ _tag: "Object", kind, id })

/** `actions` at each scope, as a flat list of alternatives. */
export const anyOf = (actions: ReadonlyArray<string>, ...scopes: ReadonlyArray<ScopeRef>): Array<Requirement> =>
  scopes.flatMap((scope) => actions.map((action) => ({ action, scope })))

/**
 * The admin gate (authz.md §3.1): the caller passes when any alternative passes, decided by the
 * one PDP engine in fail-closed gate mode, on the current state (no cached permissions in tokens).
 */
export class Gate extends Context.Tag("atom/Gate")<
  Gate,
  {
    readonly allows: (caller: Caller, alternatives: ReadonlyArray<Requirement>) => Effect.Effect<boolean, DbFailure>
    /** Fails with `forbidden` unless some alternative passes. */
    readonly require: (
      caller: Caller,
      alternatives: ReadonlyArray<Requirement>,
    ) => Effect.Effect<void, Forbidden | DbFailure>
  }
>() {}
