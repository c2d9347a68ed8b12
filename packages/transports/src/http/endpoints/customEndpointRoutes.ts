import { EndpointMessages } from "@atom/domain/endpoints"
import { PayloadTooLarge } from "@atom/domain/errors"
import { EndpointExecutor, GraphqlRunner, MAX_BODY_BYTES } from "@atom/services/endpoints"
import { Effect } from "effect"
import { HttpReject } from "../HttpReject.js"
import { json, type Route } from "../Route.js"

export interface CustomEndpointOptions {
  /** runs stored documents through the served schema (see graphql/endpoints/inProcessGraphql) */
  readonly runner: GraphqlRunner["Type"]
  /** ATOM_CUSTOM_ENDPOINT_BODY_LIMIT_BYTES; the executor's own 1 MiB ceiling applies too */
  readonly bodyLimit: number
}

/** `ANY /api/custom/*` (api.md §1.4): the request as the executor needs it, its answer as JSON. */
export const customEndpointRoutes = (options: CustomEndpointOptions): ReadonlyArray<Route<EndpointExecutor>> => [
  {
    method: "*",
    path: "/api/custom/*",
    bodyLimit: Math.min(options.bodyLimit, MAX_BODY_BYTES),
    handler: (request) =>
      Effect.flatMap(EndpointExecutor, (executor) =>
        executor.execute({
          method: request.method,
          path: request.path,
          query: new Map(request.query),
          headers: request.headers,
          body: request.body.pipe(
            Effect.mapError(() => new PayloadTooLarge({ message: EndpointMessages.bodyTooLarge })),
          ),
          requestId: request.requestId,
          clientIp: request.clientIp,
          userAgent: request.headers["user-agent"],
        }),
      ).pipe(
        Effect.map((body) => json(200, body)),
        Effect.catchTag("MethodNotAllowed", (e) =>
          Effect.fail(new HttpReject({ response: { status: 405, headers: { allow: e.allow.join(", ") } } })),
        ),
        Effect.provideService(GraphqlRunner, options.runner),
      ),
  },
]
