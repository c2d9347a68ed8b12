import {
  AuthzInspection,
  AuthzService,
  effectiveActionRows,
  grantRows,
  groupAccessRows,
  objectAccessRows,
  roleHolderRows,
} from "@atom/services/authz"
import { Effect } from "effect"
import type { GraphqlModule } from "../GraphqlContext.js"
import {
  AuthorizedObjectIdsArgs,
  BulkCheckArgs,
  CheckArgs,
  EffectiveActionsArgs,
  EntityAccessArgs,
  GroupAccessArgs,
  ResourceAccessArgs,
  RoleHoldersArgs,
} from "./authzArgs.js"
import { authzTypeDefs } from "./authzTypeDefs.js"
import { explainResponse } from "./explainResponse.js"
import { grantObject } from "./grantObject.js"
import { rememberedAuthzCheck } from "./rememberedAuthzCheck.js"
import { withCaller } from "./withCaller.js"

/**
 * Runtime authorization over GraphQL (api.md §3.5–3.7): `authzCheck`, `authzExplain`, `authzBulkCheck`,
 * `authorizedObjectIds`, and the inspection queries of `authzTypeDefs`. Decode, call, encode; a warm
 * `authzCheck` is answered from memory first (`rememberedAuthzCheck`).
 */
export const authzModule: GraphqlModule<AuthzService | AuthzInspection> = {
  typeDefs: authzTypeDefs,
  immediate: { Mutation: { authzCheck: rememberedAuthzCheck } },
  resolvers: {
    Mutation: {
      authzCheck: withCaller(CheckArgs, (caller, { input }) =>
        Effect.flatMap(AuthzService, (authz) => authz.check(caller, input, "graphql")),
      ),
      authzExplain: withCaller(CheckArgs, (caller, { input }) =>
        Effect.flatMap(AuthzService, (authz) => Effect.map(authz.explain(caller, input), explainResponse)),
      ),
      authzBulkCheck: withCaller(BulkCheckArgs, (caller, { input }) =>
        Effect.flatMap(AuthzService, (authz) => authz.bulkCheck(caller, input)),
      ),
    },
    Query: {
      authorizedObjectIds: withCaller(AuthorizedObjectIdsArgs, (caller, { input }) =>
        Effect.flatMap(AuthzService, (authz) => authz.authorizedObjectIds(caller, input)),
      ),
      entityAccess: withCaller(EntityAccessArgs, (caller, args) =>
        Effect.flatMap(AuthzInspection, (inspect) =>
          Effect.map(inspect.entityAccess(caller, args), (page) => grantRows(page, grantObject)),
        ),
      ),
      resourceAccess: withCaller(ResourceAccessArgs, (caller, args) =>
        Effect.flatMap(AuthzInspection, (inspect) =>
          Effect.map(inspect.resourceAccess(caller, args), (page) => objectAccessRows(page, grantObject)),
        ),
      ),
      roleHolders: withCaller(RoleHoldersArgs, (caller, args) =>
        Effect.flatMap(AuthzInspection, (inspect) => Effect.map(inspect.roleHolders(caller, args), roleHolderRows)),
      ),
      groupAccess: withCaller(GroupAccessArgs, (caller, args) =>
        Effect.flatMap(AuthzInspection, (inspect) =>
          Effect.map(inspect.groupAccess(caller, args), (page) => groupAccessRows(page, grantObject)),
        ),
      ),
      effectiveActions: withCaller(EffectiveActionsArgs, (caller, args) =>
        Effect.flatMap(AuthzInspection, (inspect) =>
          Effect.map(inspect.effectiveActions(caller, args), (page) => effectiveActionRows(page, grantObject)),
        ),
      ),
    },
  },
}
