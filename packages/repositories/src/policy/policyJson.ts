import { ActionName, EntityKind, ScopeMode } from "@atom/domain/authz"
import {
  Action,
  ActionApplicabilityEntry,
  ActionAssignmentRule,
  DirectPolicy,
  OrphanPolicy,
  PermissionBlock,
  Role,
  RoleAssignment,
} from "@atom/domain/policy"
import { Schema } from "effect"

// Reads return rows as `json_build_object(...)::text` columns: text is never touched by the client's
// camelCase result transform, so condition keys arrive exactly as stored, and one statement can carry a
// page and its total. In JSON, timestamps are ISO strings: `Schema.Date` turns them back into Dates.

export const ActionJson = Schema.Struct({ ...Action.fields, createdAt: Schema.Date, updatedAt: Schema.Date })
export const ApplicabilityEntryJson = Schema.Struct({ ...ActionApplicabilityEntry.fields, createdAt: Schema.Date })
export const AssignmentRuleJson = Schema.Struct({ ...ActionAssignmentRule.fields, createdAt: Schema.Date })
export const PermissionBlockJson = Schema.Struct({
  ...PermissionBlock.fields,
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
})
export const RoleJson = Schema.Struct({
  ...Role.fields,
  deletedAt: Schema.NullOr(Schema.Date),
  createdAt: Schema.Date,
  updatedAt: Schema.Date,
})
export const RoleAssignmentJson = Schema.Struct({ ...RoleAssignment.fields, createdAt: Schema.Date })
export const DirectPolicyJson = Schema.Struct({ ...DirectPolicy.fields, createdAt: Schema.Date })
export const OrphanPolicyJson = Schema.Struct({ ...OrphanPolicy.fields, createdAt: Schema.Date })

/** A column holding a JSON array of `item`. */
export const JsonList = <A, I>(item: Schema.Schema<A, I>) => Schema.parseJson(Schema.Array(item))

/** One page and the count of every row its filters match. */
export const PageRow = <A, I>(item: Schema.Schema<A, I>) => Schema.Struct({ items: JsonList(item), total: Schema.Int })

/** The guardrail view of one block (engines/guardrails GuardrailBlock). */
export const GuardrailBlockJson = Schema.Struct({
  scopeMode: ScopeMode,
  objectKind: Schema.NullOr(Schema.String),
  objectType: Schema.NullOr(Schema.String),
  target: Schema.NullOr(
    Schema.Struct({
      kind: Schema.Literal("resource", "entity", "group", "tenant"),
      type: Schema.NullOr(Schema.String),
    }),
  ),
  actions: Schema.Array(ActionName),
  covers: Schema.Array(
    Schema.Struct({ action: ActionName, objectKind: Schema.String, objectType: Schema.NullOr(Schema.String) }),
  ),
})
export type GuardrailBlockJson = typeof GuardrailBlockJson.Type

/** Blocks handed out under one tenant boundary. */
export const BoundBlocksJson = Schema.Struct({
  tenantId: Schema.NullOr(Schema.UUID),
  block: GuardrailBlockJson,
})
export type BoundBlocksJson = typeof BoundBlocksJson.Type

/** The distinct entity kinds reached under one tenant boundary. */
export const HolderKindsJson = Schema.Struct({
  tenantId: Schema.NullOr(Schema.UUID),
  entityKinds: Schema.Array(EntityKind),
})
export type HolderKindsJson = typeof HolderKindsJson.Type
