import { EndpointMessages, type EndpointMethod } from "@atom/domain/endpoints"
import { Either } from "effect"

const METHODS: ReadonlyArray<EndpointMethod> = ["GET", "POST", "PUT", "PATCH", "DELETE"]
const FORBIDDEN_OPERATIONS = ["createDomain", "createClient", "createChannel"] as const

/** A method, uppercased, when it is one an endpoint may answer. */
export const normalizeMethod = (method: string): Either.Either<EndpointMethod, string> => {
  const upper = method.toUpperCase()
  const found = METHODS.find((m) => m === upper)
  return found === undefined ? Either.left(EndpointMessages.unsupportedMethod) : Either.right(found)
}

/** Under `/api/custom/`, with no `//`, `..`, `?` or `#`. */
export const checkPath = (path: string): Either.Either<string, string> => {
  if (!path.startsWith("/api/custom/")) return Either.left(EndpointMessages.pathPrefix)
  if (path.includes("//") || path.includes("..") || path.includes("?") || path.includes("#")) {
    return Either.left(EndpointMessages.pathInvalid)
  }
  return Either.right(path)
}

/** Introspection anywhere in the text, case-insensitive: a stored operation may never run it. */
export const containsIntrospection = (graphql: string): boolean => {
  const lower = graphql.toLowerCase()
  return lower.includes("__schema") || lower.includes("__type") || lower.includes("introspectionquery")
}

/** The text rules of a stored operation (identity-certs §5); parsing and schema validation come on top. */
export const checkGraphqlText = (graphql: string): Either.Either<string, string> => {
  if (containsIntrospection(graphql)) return Either.left(EndpointMessages.introspection)
  const found = FORBIDDEN_OPERATIONS.find((op) => graphql.includes(op))
  return found === undefined ? Either.right(graphql) : Either.left(EndpointMessages.forbiddenOperation(found))
}

/** A plain JSON object (not an array, not null). */
export const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
