import type { ApiEndpoint, ApiEndpointExecution } from "@atom/domain/endpoints"
import { graphqlTime } from "../time.js"

/** The contract's `ApiEndpoint`. */
export const encodeEndpoint = (e: ApiEndpoint) => ({
  id: e.id,
  tenantId: e.tenantId,
  key: e.key,
  name: e.name,
  description: e.description,
  method: e.method,
  path: e.path,
  operationKind: e.operationKind,
  graphql: e.graphql,
  authMode: e.authMode,
  serviceEntityId: e.serviceEntityId,
  variablesMapping: e.variablesMapping,
  requestSchema: e.requestSchema,
  responseMapping: e.responseMapping,
  status: e.status,
  createdBy: e.createdBy,
  updatedBy: e.updatedBy,
  createdAt: graphqlTime(e.createdAt),
  updatedAt: e.updatedAt === null ? null : graphqlTime(e.updatedAt),
})

/** The contract's `ApiEndpointExecution`. */
export const encodeExecution = (x: ApiEndpointExecution) => ({
  id: x.id,
  endpointId: x.endpointId,
  callerEntityId: x.callerEntityId,
  status: x.status,
  requestSummary: x.requestSummary,
  responseSummary: x.responseSummary,
  error: x.error,
  createdAt: graphqlTime(x.createdAt),
})
