/** GraphQL renders timestamps as RFC 3339 with a `+00:00` offset (api.md §1.1), unlike REST's `Z`. */
export const graphqlTime = (d: Date): string => d.toISOString().replace("Z", "+00:00")

export const graphqlTimeOrNull = (d: Date | null): string | null => (d === null ? null : graphqlTime(d))
