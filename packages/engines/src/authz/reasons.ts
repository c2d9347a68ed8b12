// The exact decision reasons of api.md §3.7; clients compare these strings.
export const ALLOWED = "allowed"
export const SUBJECT_NOT_FOUND = "subject not found"
export const SUBJECT_NOT_ACTIVE = "subject is not active"
export const DENIED_BY_DIRECT_POLICY = "explicitly denied by direct policy"
export const NO_MATCHING_ALLOW = "no matching allow policy"
export const DENIED_BY_CEILING = "denied by access token permission ceiling"

export const objectNotFound = (kind: string): string => `${kind} not found`
export const tenantIs = (status: string): string => `tenant is ${status}`
export const unknownAction = (action: string): string => `unknown action '${action}'`
export const deniedByRole = (roleName: string): string => `explicitly denied by role '${roleName}' block`
