import {
  EndpointAuthMode,
  EndpointMessages,
  type EndpointMethod,
  EndpointStatus,
  OperationKind,
} from "@atom/domain/endpoints"
import { InvalidInput } from "@atom/domain/errors"
import {
  checkGraphqlText,
  checkPath,
  compileRequestSchema,
  isJsonObject,
  normalizeMethod,
} from "@atom/engines/endpoints"
import type { EndpointFields } from "@atom/repositories/endpoints"
import { Effect, Either, Schema } from "effect"

/** The contract's `CreateApiEndpointInput`, decoded. */
export interface CreateEndpointInput {
  readonly tenantId: string | null
  readonly key: string
  readonly name: string
  readonly description: string | null
  readonly method: string
  readonly path: string
  readonly operationKind: string
  readonly graphql: string
  readonly authMode: string | null
  readonly serviceEntityId: string | null
  readonly variablesMapping?: unknown
  readonly requestSchema?: unknown
  readonly responseMapping?: unknown
  readonly status: string | null
}

/** The contract's `UpdateApiEndpointInput`: absent or null keeps the stored value. */
export type UpdateEndpointInput = {
  readonly [K in Exclude<keyof CreateEndpointInput, "tenantId">]?: CreateEndpointInput[K] | null | undefined
}

const invalid = (message: string) => new InvalidInput({ message })
const fromEither = <A>(e: Either.Either<A, string>): Effect.Effect<A, InvalidInput> =>
  Either.isLeft(e) ? Effect.fail(invalid(e.left)) : Effect.succeed(e.right)

const literal =
  <A extends string>(schema: Schema.Schema<A>, message: string) =>
  (value: string): Effect.Effect<A, InvalidInput> =>
    Schema.is(schema)(value) ? Effect.succeed(value) : Effect.fail(invalid(message))

export const operationKindOf = literal(OperationKind, EndpointMessages.unsupportedOperationKind)
export const authModeOf = literal(EndpointAuthMode, EndpointMessages.unsupportedAuthMode)
export const statusOf = literal(EndpointStatus, EndpointMessages.unsupportedStatus)
export const methodOf = (method: string): Effect.Effect<EndpointMethod, InvalidInput> =>
  fromEither(normalizeMethod(method))

/** A mapping or schema field: absent is `{}`, anything but an object is refused by name. */
const jsonObjectOf = (field: string, value: unknown): Effect.Effect<Record<string, unknown>, InvalidInput> =>
  value === undefined || value === null
    ? Effect.succeed({})
    : isJsonObject(value)
      ? Effect.succeed(value)
      : Effect.fail(invalid(EndpointMessages.notJsonObject(field)))

const required = (field: string, value: string): Effect.Effect<string, InvalidInput> =>
  value.trim() === "" ? Effect.fail(invalid(`${field} is required`)) : Effect.succeed(value)

/** The checks a definition's GraphQL text gets on every save and on enable (the schema check comes on top). */
export const checkGraphql = (graphql: string) => fromEither(checkGraphqlText(graphql))

/** A request schema must compile (else `invalid requestSchema: …`), so it cannot fail only at run time. */
export const checkRequestSchema = (schema: Readonly<Record<string, unknown>>) =>
  Effect.asVoid(fromEither(compileRequestSchema(schema)))

/**
 * Every field rule of identity-certs §5, in the reference's order: method, path, operation kind, GraphQL
 * text, auth mode with its service entity, status, then the JSON objects.
 */
export const validateFields = (input: {
  readonly tenantId: string | null
  readonly key: string
  readonly name: string
  readonly description: string | null
  readonly method: string
  readonly path: string
  readonly operationKind: string
  readonly graphql: string
  readonly authMode: string
  readonly serviceEntityId: string | null
  readonly variablesMapping?: unknown
  readonly requestSchema?: unknown
  readonly responseMapping?: unknown
  readonly status: string
}): Effect.Effect<EndpointFields, InvalidInput> =>
  Effect.gen(function* () {
    const method = yield* methodOf(input.method)
    const path = yield* fromEither(checkPath(input.path))
    const operationKind = yield* operationKindOf(input.operationKind)
    const graphql = yield* checkGraphql(input.graphql)
    const authMode = yield* authModeOf(input.authMode)
    if (authMode === "service_context" && input.serviceEntityId === null) {
      return yield* invalid(EndpointMessages.serviceEntityRequired)
    }
    const status = yield* statusOf(input.status)
    const variablesMapping = yield* jsonObjectOf("variables_mapping", input.variablesMapping)
    const requestSchema = yield* jsonObjectOf("request_schema", input.requestSchema)
    const responseMapping = yield* jsonObjectOf("response_mapping", input.responseMapping)
    yield* checkRequestSchema(requestSchema)
    return {
      tenantId: input.tenantId,
      key: yield* required("key", input.key),
      name: yield* required("name", input.name),
      description: input.description,
      method,
      path,
      operationKind,
      graphql,
      authMode,
      serviceEntityId: input.serviceEntityId,
      variablesMapping,
      requestSchema,
      responseMapping,
      status,
    }
  })
