import { EndpointRpcs } from "@atom/domain/rpc"
import { paging } from "@atom/domain/tenants"
import { ApiEndpointService } from "@atom/services/endpoints"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

/**
 * Custom endpoints over RPC: the calls `endpointsModule` makes. Saving checks the GraphQL text with the
 * `GraphqlDocuments` the RPC endpoint is given (the schema `/graphql` serves).
 */
export const endpointHandlers = EndpointRpcs.of({
  ListApiEndpoints: (p) =>
    asCaller((caller) =>
      Effect.flatMap(ApiEndpointService, (s) =>
        s.list(caller, { tenantId: p.tenantId ?? null, status: p.status ?? null }, paging(p)),
      ),
    ),
  GetApiEndpoint: ({ id }) => asCaller((caller) => Effect.flatMap(ApiEndpointService, (s) => s.get(caller, id))),
  ListApiEndpointExecutions: ({ endpointId, ...p }) =>
    asCaller((caller) => Effect.flatMap(ApiEndpointService, (s) => s.executions(caller, endpointId, paging(p)))),
  CreateApiEndpoint: (p) =>
    asCaller((caller) =>
      Effect.flatMap(ApiEndpointService, (s) =>
        s.create(caller, {
          ...p,
          tenantId: p.tenantId ?? null,
          description: p.description ?? null,
          authMode: p.authMode ?? null,
          serviceEntityId: p.serviceEntityId ?? null,
          status: p.status ?? null,
        }),
      ),
    ),
  UpdateApiEndpoint: ({ id, ...patch }) =>
    asCaller((caller) => Effect.flatMap(ApiEndpointService, (s) => s.update(caller, id, patch))),
  EnableApiEndpoint: ({ id }) => asCaller((caller) => Effect.flatMap(ApiEndpointService, (s) => s.enable(caller, id))),
  DisableApiEndpoint: ({ id }) =>
    asCaller((caller) => Effect.flatMap(ApiEndpointService, (s) => s.disable(caller, id))),
})
