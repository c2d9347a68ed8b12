import type { Grant } from "@atom/domain/authz"
import { AuthzRpcs } from "@atom/domain/rpc"
import {
  AuthzInspection,
  AuthzService,
  effectiveActionRows,
  groupAccessRows,
  objectAccessRows,
  roleHolderRows,
} from "@atom/services/authz"
import { Effect } from "effect"
import { explainResponse } from "../graphql/authz/explainResponse.js"
import { asCaller } from "./toRpcError.js"

/** A grant goes out as the domain shapes it (the RPC schema encodes its instant). */
const asIs = (grant: Grant) => grant

/** Runtime authorization and inspection over RPC: the calls `authzModule` makes, with its row mapping. */
export const authzHandlers = AuthzRpcs.of({
  Check: (request) =>
    asCaller((caller) => Effect.flatMap(AuthzService, (authz) => authz.check(caller, request, "graphql"))),
  Explain: (request) =>
    asCaller((caller) =>
      Effect.flatMap(AuthzService, (authz) => Effect.map(authz.explain(caller, request), explainResponse)),
    ),
  BulkCheck: ({ checks }) =>
    asCaller((caller) => Effect.flatMap(AuthzService, (authz) => authz.bulkCheck(caller, checks))),
  AuthorizedObjectIds: (request) =>
    asCaller((caller) => Effect.flatMap(AuthzService, (authz) => authz.authorizedObjectIds(caller, request))),
  EntityAccess: (input) =>
    asCaller((caller) => Effect.flatMap(AuthzInspection, (inspect) => inspect.entityAccess(caller, input))),
  ResourceAccess: (input) =>
    asCaller((caller) =>
      Effect.flatMap(AuthzInspection, (inspect) =>
        Effect.map(inspect.resourceAccess(caller, input), (page) => objectAccessRows(page, asIs)),
      ),
    ),
  RoleHolders: (input) =>
    asCaller((caller) =>
      Effect.flatMap(AuthzInspection, (inspect) => Effect.map(inspect.roleHolders(caller, input), roleHolderRows)),
    ),
  GroupAccess: (input) =>
    asCaller((caller) =>
      Effect.flatMap(AuthzInspection, (inspect) =>
        Effect.map(inspect.groupAccess(caller, input), (page) => groupAccessRows(page, asIs)),
      ),
    ),
  EffectiveActions: (input) =>
    asCaller((caller) =>
      Effect.flatMap(AuthzInspection, (inspect) =>
        Effect.map(inspect.effectiveActions(caller, input), (page) => effectiveActionRows(page, asIs)),
      ),
    ),
})
