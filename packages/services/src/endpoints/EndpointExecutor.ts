import { type ApiEndpoint, EndpointMessages, type ExecutionStatus } from "@atom/domain/endpoints"
import {
  type AtomError,
  Forbidden,
  InvalidInput,
  NotFound,
  PayloadTooLarge,
  Unauthenticated,
} from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import {
  applyResponseMapping,
  buildVariables,
  compileRequestSchema,
  containsIntrospection,
  isJsonObject,
  normalizeMethod,
  redact,
} from "@atom/engines/endpoints"
import { ApiEndpoints } from "@atom/repositories/endpoints"
import { Data, Duration, Effect, Either, Option } from "effect"
import { Authenticator } from "../auth/Authenticator.js"
import { anyOf, Gate, Tenant } from "../authz/Gate.js"
import { makeActiveEndpoints } from "./ActiveEndpoints.js"
import { ExecutionLog } from "./ExecutionLog.js"
import { GraphqlRunner, type RunnerRequest } from "./GraphqlRunner.js"

/** An active endpoint lives at the path, but not for this method: 405 with the methods that are. */
export class MethodNotAllowed extends Data.TaggedError("MethodNotAllowed")<{ readonly allow: ReadonlyArray<string> }> {}

export interface CustomRequest extends RunnerRequest {
  readonly method: string
  /** the full path, `/api/custom/…` */
  readonly path: string
  readonly query: ReadonlyMap<string, string>
  /** the body, read up to the route's limit */
  readonly body: Effect.Effect<Uint8Array, PayloadTooLarge>
}

export const EXECUTION_TIMEOUT = Duration.seconds(5)
/** The executor's own ceiling; the route's configured limit applies too (the smaller wins). */
export const MAX_BODY_BYTES = 1024 * 1024

const decoder = new TextDecoder("utf-8", { fatal: true })

const invalid = (message: string) => new InvalidInput({ message })

/** An empty body counts as `{}`; anything else must be JSON. */
const parseBody = (bytes: Uint8Array): Either.Either<unknown, string> => {
  if (bytes.length === 0) return Either.right({})
  return Either.try({
    try: (): unknown => JSON.parse(decoder.decode(bytes)),
    catch: (e) => EndpointMessages.bodyNotJson(e instanceof Error ? e.message : "invalid"),
  })
}

/** The unscoped identity of a service_context endpoint's entity. */
const serviceCaller = (entityId: string, tenantId: string | null): Caller => ({
  entityId,
  tenantId,
  sessionId: null,
  credentialId: null,
  tokenKind: "jwt",
  scoped: false,
  expiresAt: null,
})

/**
 * `ANY /api/custom/*` (identity-certs §5, api.md §1.4): match the active endpoint, authenticate (Bearer
 * only), gate, read and check the body, map the variables, run the stored operation in-process as the
 * caller (or the service entity) with a 5 s budget, map the response. Every attempt is logged, redacted.
 */
export class EndpointExecutor extends Effect.Service<EndpointExecutor>()("atom/EndpointExecutor", {
  effect: Effect.gen(function* () {
    const endpoints = yield* ApiEndpoints
    const authenticator = yield* Authenticator
    const gate = yield* Gate
    const log = yield* ExecutionLog
    const activeEndpoint = yield* makeActiveEndpoints

    const record = (
      endpoint: ApiEndpoint | null,
      caller: Caller | null,
      request: CustomRequest,
      status: ExecutionStatus,
      detail: { readonly input?: unknown; readonly response?: unknown; readonly error?: string | null },
    ) =>
      log.record({
        endpointId: endpoint?.id ?? null,
        callerEntityId: caller?.entityId ?? null,
        status,
        requestSummary: { method: request.method, path: request.path, variablesOrBody: redact(detail.input ?? {}) },
        responseSummary: redact(detail.response ?? {}),
        error: detail.error ?? null,
      })

    /** Step 1: the active endpoint for this method and path. */
    const match = (request: CustomRequest) =>
      Effect.gen(function* () {
        const method = normalizeMethod(request.method)
        if (Either.isLeft(method)) return yield* invalid(method.left)
        const endpoint = yield* activeEndpoint(method.right, request.path)
        if (endpoint !== undefined) return endpoint
        const allow = yield* endpoints.activeMethodsAt(request.path)
        if (allow.length > 0) return yield* new MethodNotAllowed({ allow })
        return yield* new NotFound({ message: EndpointMessages.routeNotFound(request.path) })
      }).pipe(
        Effect.tapError((e) =>
          record(null, null, request, "denied", {
            error: e._tag === "MethodNotAllowed" ? "method not allowed" : e.message,
          }),
        ),
      )

    /** Steps 1–3: the endpoint, the caller, the gate; a refusal is logged as `denied`. */
    const admit = (request: CustomRequest) =>
      Effect.gen(function* () {
        const endpoint = yield* match(request)
        const caller = yield* authenticate(request).pipe(
          Effect.tapError((e) => record(endpoint, null, request, "denied", { error: e.message })),
        )
        yield* gate
          .require(caller, anyOf(["execute", "manage"], Tenant(endpoint.tenantId)))
          .pipe(Effect.tapError((e) => record(endpoint, caller, request, "denied", { error: e.message })))
        return { endpoint, caller }
      })

    const authenticate = (request: CustomRequest) => {
      const header = request.headers.authorization
      const value = typeof header === "string" ? header : undefined
      if (value === undefined)
        return Effect.fail(new Unauthenticated({ message: EndpointMessages.missingAuthorization }))
      if (!value.startsWith("Bearer "))
        return Effect.fail(new Unauthenticated({ message: EndpointMessages.expectedBearer }))
      return authenticator.authenticate(value.slice(7).trim())
    }

    /** Step 8: whose rights the operation runs with. */
    const runAs = (endpoint: ApiEndpoint, caller: Caller) =>
      Effect.gen(function* () {
        if (endpoint.authMode === "caller_context") return caller
        const id = endpoint.serviceEntityId
        if (id === null) return yield* new NotFound({ message: "service entity not found" })
        const identity = yield* endpoints.serviceIdentity(id)
        if (identity === undefined) return yield* new NotFound({ message: `entity ${id} not found` })
        if (!identity.entityActive || identity.tenantActive === false) {
          return yield* new Forbidden({ reason: "service entity or its tenant is not active" })
        }
        return serviceCaller(identity.id, identity.tenantId)
      })

    /** Steps 4–10, for an admitted caller; a failure is logged as `error` with what was known then. */
    const perform = (request: CustomRequest, endpoint: ApiEndpoint, caller: Caller) =>
      Effect.gen(function* () {
        let input: unknown = {}
        let response: unknown = {}
        const fail = (error: AtomError, logged?: string) =>
          Effect.zipRight(
            record(endpoint, caller, request, "error", { input, response, error: logged ?? error.message }),
            Effect.fail(error),
          )

        const bytes = yield* Effect.catchAll(request.body, () =>
          fail(new PayloadTooLarge({ message: EndpointMessages.bodyTooLarge })),
        )
        if (bytes.length > MAX_BODY_BYTES) {
          input = { bodyBytes: bytes.length }
          return yield* fail(new PayloadTooLarge({ message: EndpointMessages.bodyTooLarge }))
        }
        const body = parseBody(bytes)
        if (Either.isLeft(body)) {
          input = { bodyBytes: bytes.length }
          return yield* fail(invalid(body.left))
        }
        input = body.right
        const validator = compileRequestSchema(endpoint.requestSchema)
        if (Either.isLeft(validator)) return yield* fail(invalid(validator.left))
        const failures = validator.right(body.right)
        if (failures.length > 0) return yield* fail(invalid(EndpointMessages.requestSchemaFailed(failures)))
        if (containsIntrospection(endpoint.graphql)) return yield* fail(invalid(EndpointMessages.runtimeIntrospection))

        const variables = buildVariables(endpoint.variablesMapping, {
          body: body.right,
          query: request.query,
          headers: request.headers,
          auth: { entityId: caller.entityId, tenantId: caller.tenantId, sessionId: caller.sessionId },
          path: request.path,
        })
        if (Either.isLeft(variables)) return yield* fail(invalid(variables.left))
        if (!isJsonObject(variables.right))
          return yield* fail(invalid("custom endpoint variables must be a JSON object"))
        input = variables.right

        const identity = yield* Effect.catchAll(runAs(endpoint, caller), (e) => fail(e))
        const runner = yield* GraphqlRunner
        const outcome = yield* runner
          .run(endpoint.graphql, variables.right, identity, request)
          .pipe(Effect.timeoutOption(EXECUTION_TIMEOUT))
        if (Option.isNone(outcome)) return yield* fail(invalid(EndpointMessages.timedOut))
        const result = outcome.value
        if (result._tag === "Invalid") {
          response = { problems: result.problems }
          return yield* fail(invalid(EndpointMessages.documentStale), result.problems.join("; "))
        }
        if (result.errors.length > 0) {
          response = { errors: result.errors }
          return yield* fail(invalid(EndpointMessages.executionFailed), "GraphQL execution returned errors")
        }
        const mapped = applyResponseMapping(endpoint.responseMapping, result.data)
        yield* record(endpoint, caller, request, "success", { input, response: mapped })
        return mapped
      })

    const execute = (request: CustomRequest) =>
      Effect.gen(function* () {
        const { endpoint, caller } = yield* admit(request)
        return yield* perform(request, endpoint, caller)
      }).pipe(Effect.withSpan("EndpointExecutor.execute"))

    return { execute }
  }),
}) {}
