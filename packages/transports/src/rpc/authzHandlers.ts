import { AuthzRpcs } from "@atom/domain/rpc"
import { AuthzInspection, AuthzService } from "@atom/services/authz"
import { Effect } from "effect"
import { explainResponse } from "../graphql/authz/explainResponse.js"
import { asCaller } from "./toRpcError.js"

/** Runtime authorization and inspection over RPC: the calls `authzModule` makes. */
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
        Effect.map(inspect.resourceAccess(caller, input), (page) => ({
          items: page.items.map((item) => ({
            subjectId: item.subject.subject.id,
            subjectName: item.subject.name,
            subjectKind: item.subject.subject.kind,
            subjectTenantId: item.subject.subject.tenantId,
            action: item.action,
            grant: item.grant,
          })),
          total: page.total,
        })),
      ),
    ),
  RoleHolders: (input) =>
    asCaller((caller) =>
      Effect.flatMap(AuthzInspection, (inspect) =>
        Effect.map(inspect.roleHolders(caller, input), (page) => ({
          roleId: page.role.id,
          roleName: page.role.name,
          items: page.items,
          total: page.total,
        })),
      ),
    ),
})
