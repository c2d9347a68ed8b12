import { Schema } from "effect"

/** An action's unique name, e.g. `read`, `policy.manage`. */
export const ActionName = Schema.NonEmptyTrimmedString.pipe(Schema.maxLength(200))
export type ActionName = typeof ActionName.Type

/** The 13 actions seeded by the first migration. */
export const SeededActionNames = [
  "read",
  "create",
  "write",
  "delete",
  "revoke",
  "rotate",
  "publish",
  "subscribe",
  "execute",
  "manage",
  "policy.manage",
  "role.manage",
  "authz.check",
] as const satisfies ReadonlyArray<ActionName>
