import { Schema } from "effect"

/** Soft-delete filter of listings (api.md §3.4); anything but `live` needs platform manage. */
export const DeletedFilter = Schema.Literal("live", "deleted", "all")
export type DeletedFilter = typeof DeletedFilter.Type
