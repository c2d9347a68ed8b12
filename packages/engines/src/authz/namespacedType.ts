import type { ResolvedObject } from "@atom/domain/authz"

/** `<coarse kind>:<sub-kind>`, e.g. `resource:channel`, `tenant:tenant`. */
export const namespacedType = (object: ResolvedObject): string => `${object.kind}:${object.subKind}`

/** Splits a namespaced type at its first colon; a bare type (no colon) yields undefined. */
export const splitType = (type: string): { readonly kind: string; readonly subKind: string } | undefined => {
  const colon = type.indexOf(":")
  return colon < 0 ? undefined : { kind: type.slice(0, colon), subKind: type.slice(colon + 1) }
}
