import { Schema } from "effect"

export const EntityKind = Schema.Literal("human", "device", "service", "workload", "application")
export type EntityKind = typeof EntityKind.Type
