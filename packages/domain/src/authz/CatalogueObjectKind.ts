import { Schema } from "effect"

/** The canonical object kinds of action applicability, guardrails and block `object_kind`. */
export const CatalogueObjectKind = Schema.Literal(
  "entity",
  "resource",
  "group",
  "tenant",
  "role",
  "policy",
  "credential",
  "audit_log",
  "signing_key",
)
export type CatalogueObjectKind = typeof CatalogueObjectKind.Type
