import { EndpointMessages } from "@atom/domain/endpoints"
import { Either } from "effect"
import { isJsonObject } from "./definitionRules.js"
import { selectPath } from "./selectPath.js"

/** What a mapping can read from one request. */
export interface MappingSources {
  readonly body: unknown
  readonly query: ReadonlyMap<string, string>
  /** lowercase names */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly auth: { readonly entityId: string; readonly tenantId: string | null; readonly sessionId: string | null }
  readonly path: string
}

// The caller's own credentials never flow into a stored operation's variables.
const SECRET_HEADERS = new Set(["authorization", "cookie", "proxy-authorization"])

const headerValue = (headers: MappingSources["headers"], name: string): string | undefined => {
  const lower = name.toLowerCase()
  if (SECRET_HEADERS.has(lower)) return undefined
  const value = headers[lower]
  return typeof value === "string" ? value : value?.[0]
}

const authValue = (auth: MappingSources["auth"], key: string): string | undefined => {
  switch (key) {
    case "entityId":
    case "entity_id":
      return auth.entityId
    case "tenantId":
    case "tenant_id":
      return auth.tenantId ?? undefined
    case "sessionId":
    case "session_id":
      return auth.sessionId ?? undefined
    default:
      return undefined
  }
}

/** One source: a non-string is used as is, a string without `$` is a literal; undefined means absent. */
export const resolveSource = (source: unknown, from: MappingSources): Either.Either<unknown, string> => {
  if (typeof source !== "string") return Either.right(source)
  if (!source.startsWith("$")) return Either.right(source)
  const ref = source.slice(1)
  if (ref === "path" || ref === "path.path") return Either.right(from.path)
  if (ref === "body") return Either.right(from.body)
  if (ref.startsWith("body.")) return Either.right(selectPath(from.body, ref.slice(5)))
  if (ref.startsWith("query.")) return Either.right(from.query.get(ref.slice(6)))
  if (ref.startsWith("headers.")) return Either.right(headerValue(from.headers, ref.slice(8)))
  if (ref.startsWith("auth.")) return Either.right(authValue(from.auth, ref.slice(5)))
  return Either.left(EndpointMessages.unsupportedSource(source))
}

/** Sets `a.b.c` in `target`, creating objects along the way; a non-object in the way is refused. */
const setDotted = (target: Record<string, unknown>, path: string, value: unknown): Either.Either<void, string> => {
  if (path === "") return Either.left(EndpointMessages.emptyTarget)
  const parts = path.split(".")
  let current: Record<string, unknown> = target
  for (const part of parts.slice(0, -1)) {
    const next = Object.hasOwn(current, part) ? current[part] : undefined
    if (next === undefined) {
      const created: Record<string, unknown> = {}
      current[part] = created
      current = created
    } else if (isJsonObject(next)) {
      current = next
    } else {
      return Either.left(EndpointMessages.targetNotObject)
    }
  }
  current[parts[parts.length - 1] ?? ""] = value
  return Either.void
}

/**
 * The operation's variables (identity-certs §5 step 7): an empty mapping passes the whole body; otherwise
 * each `target: source` pair is resolved, absent values drop their key, dotted targets nest objects.
 */
export const buildVariables = (
  mapping: Readonly<Record<string, unknown>>,
  from: MappingSources,
): Either.Either<unknown, string> => {
  const entries = Object.entries(mapping)
  if (entries.length === 0) return Either.right(from.body)
  const variables: Record<string, unknown> = {}
  for (const [target, source] of entries) {
    const value = resolveSource(source, from)
    if (Either.isLeft(value)) return value
    if (value.right === undefined) continue
    const set = setDotted(variables, target, value.right)
    if (Either.isLeft(set)) return set
  }
  return Either.right(variables)
}
