import { Schema } from "effect"

/** Which rows a soft-deletable listing shows; anything but `live` needs platform manage. */
export const DeletedFilter = Schema.Literal("live", "deleted", "all")
export type DeletedFilter = typeof DeletedFilter.Type
