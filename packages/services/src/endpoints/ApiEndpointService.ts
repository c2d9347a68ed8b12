import { randomUUID } from "node:crypto"
import type { AuditEvent } from "@atom/domain/audit"
import { type ApiEndpoint, EndpointMessages, type EndpointStatus } from "@atom/domain/endpoints"
import { Conflict, InvalidInput, NotFound } from "@atom/domain/errors"
import type { Caller } from "@atom/domain/identity"
import type { Page, Paging } from "@atom/domain/tenants"
import { bumpAuthzRevision } from "@atom/repositories/authz"
import { ApiEndpointExecutions, ApiEndpoints, type EndpointFields } from "@atom/repositories/endpoints"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { AuditLog } from "../audit/AuditLog.js"
import { anyOf, Gate, ObjectScope, Platform, Tenant } from "../authz/Gate.js"
import {
  type CreateEndpointInput,
  checkGraphql,
  checkRequestSchema,
  statusOf,
  type UpdateEndpointInput,
  validateFields,
} from "./endpointInput.js"
import { GraphqlDocuments } from "./GraphqlDocuments.js"

/** Management is platform `manage` (identity-certs §5). */
const MANAGE = anyOf(["manage"], Platform)

type EndpointEvent = "api_endpoint.create" | "api_endpoint.update" | "api_endpoint.enable" | "api_endpoint.disable"

const eventOf =
  (caller: Caller, event: EndpointEvent) =>
  (endpoint: ApiEndpoint): AuditEvent => ({
    event,
    outcome: "allow",
    actorId: caller.entityId,
    tenantId: endpoint.tenantId,
    targetKind: "api_endpoint",
    targetId: endpoint.id,
    details: { key: endpoint.key, method: endpoint.method, path: endpoint.path, status: endpoint.status },
  })

const notFound = (id: string) => new NotFound({ message: EndpointMessages.notFound(id) })

/** A unique violation on a save is the key or the active (method, path) slot. */
const clashIsConflict = <A, E, R>(effect: Effect.Effect<A, E | Conflict, R>) =>
  Effect.catchIf(
    effect,
    (e): e is Conflict => e instanceof Conflict,
    () => Effect.fail(new Conflict({ message: EndpointMessages.conflict })),
  )

/** The stored document must parse and validate against the served schema. */
const checkDocument = (graphql: string) =>
  Effect.flatMap(GraphqlDocuments, (documents) => {
    const problems = documents.problems(graphql)
    return problems.length === 0
      ? Effect.void
      : Effect.fail(new InvalidInput({ message: EndpointMessages.invalidDocument(problems[0] ?? "invalid") }))
  })

/** Definitions of custom endpoints: list, read, create, update, enable, disable; each write audited in its transaction. */
export class ApiEndpointService extends Effect.Service<ApiEndpointService>()("atom/ApiEndpointService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const endpoints = yield* ApiEndpoints
    const executions = yield* ApiEndpointExecutions
    const audit = yield* AuditLog
    // the executor's route cache is keyed by the authz revision: every saved change moves it
    const bump = Effect.provideService(bumpAuthzRevision, SqlClient.SqlClient, yield* SqlClient.SqlClient)

    const stored = (id: string) =>
      Effect.flatMap(endpoints.byId(id), (e) => (e === undefined ? Effect.fail(notFound(id)) : Effect.succeed(e)))
    const locked = (id: string) =>
      Effect.flatMap(endpoints.lock(id), (e) => (e === undefined ? Effect.fail(notFound(id)) : Effect.succeed(e)))
    const written = (id: string) => (e: ApiEndpoint | undefined) =>
      e === undefined ? Effect.fail(notFound(id)) : Effect.succeed(e)

    /**
     * A service identity must exist, belong to the endpoint's tenant (or be global), and be one the saving
     * caller may manage: an endpoint never lends rights its author could not use.
     */
    const checkServiceIdentity = (caller: Caller, fields: EndpointFields) =>
      Effect.gen(function* () {
        if (fields.authMode !== "service_context" || fields.serviceEntityId === null) return
        const id = fields.serviceEntityId
        const identity = yield* endpoints.serviceIdentity(id)
        if (identity === undefined) return yield* new NotFound({ message: `entity ${id} not found` })
        if (fields.tenantId !== null && identity.tenantId !== null && identity.tenantId !== fields.tenantId) {
          return yield* new InvalidInput({ message: "service entity must be global or in the endpoint's tenant" })
        }
        yield* gate.require(caller, anyOf(["manage"], ObjectScope("entity", id), Tenant(identity.tenantId)))
      })

    const list = (caller: Caller, filter: { tenantId: string | null; status: string | null }, page: Paging) =>
      Effect.gen(function* () {
        yield* gate.require(caller, MANAGE)
        const status: EndpointStatus | null = filter.status === null ? null : yield* statusOf(filter.status)
        const query = { tenantId: filter.tenantId, status }
        const [items, total] = yield* Effect.all([endpoints.page(query, page), endpoints.count(query)], {
          concurrency: 2,
        })
        return { items, total } satisfies Page<ApiEndpoint>
      }).pipe(Effect.withSpan("ApiEndpointService.list"))

    const get = (caller: Caller, id: string) =>
      Effect.gen(function* () {
        yield* gate.require(caller, MANAGE)
        return yield* stored(id)
      }).pipe(Effect.withSpan("ApiEndpointService.get"))

    const executionsOf = (caller: Caller, endpointId: string, page: Paging) =>
      Effect.gen(function* () {
        yield* gate.require(caller, MANAGE)
        const [items, total] = yield* Effect.all([executions.page(endpointId, page), executions.count(endpointId)], {
          concurrency: 2,
        })
        return { items, total }
      }).pipe(Effect.withSpan("ApiEndpointService.executions"))

    const create = (caller: Caller, input: CreateEndpointInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, MANAGE)
        const fields = yield* validateFields({
          ...input,
          authMode: input.authMode ?? "caller_context",
          status: input.status ?? "draft",
        })
        yield* checkDocument(fields.graphql)
        yield* checkServiceIdentity(caller, fields)
        const id = randomUUID()
        return yield* audit.transactionally(
          Effect.flatMap(endpoints.insert(id, fields, caller.entityId), written(id)).pipe(Effect.tap(() => bump)),
          eventOf(caller, "api_endpoint.create"),
        )
      }).pipe(clashIsConflict, Effect.withSpan("ApiEndpointService.create"))

    /** Partial: absent or null fields keep their stored value; works in any status. */
    const update = (caller: Caller, id: string, input: UpdateEndpointInput) =>
      Effect.gen(function* () {
        yield* gate.require(caller, MANAGE)
        const change = Effect.gen(function* () {
          const existing = yield* locked(id)
          const fields = yield* validateFields({
            tenantId: existing.tenantId,
            key: input.key ?? existing.key,
            name: input.name ?? existing.name,
            description: input.description ?? existing.description,
            method: input.method ?? existing.method,
            path: input.path ?? existing.path,
            operationKind: input.operationKind ?? existing.operationKind,
            graphql: input.graphql ?? existing.graphql,
            authMode: input.authMode ?? existing.authMode,
            serviceEntityId: input.serviceEntityId ?? existing.serviceEntityId,
            variablesMapping: input.variablesMapping ?? existing.variablesMapping,
            requestSchema: input.requestSchema ?? existing.requestSchema,
            responseMapping: input.responseMapping ?? existing.responseMapping,
            status: input.status ?? existing.status,
          })
          // a stale stored document may still be renamed or disabled; new text or activation is checked
          if (fields.graphql !== existing.graphql || (fields.status === "active" && existing.status !== "active")) {
            yield* checkDocument(fields.graphql)
          }
          if (fields.authMode !== existing.authMode || fields.serviceEntityId !== existing.serviceEntityId) {
            yield* checkServiceIdentity(caller, fields)
          }
          const saved = yield* Effect.flatMap(endpoints.update(id, fields, caller.entityId), written(id))
          yield* bump
          return saved
        })
        return yield* audit.transactionally(change, eventOf(caller, "api_endpoint.update"))
      }).pipe(clashIsConflict, Effect.withSpan("ApiEndpointService.update"))

    const setStatus = (caller: Caller, id: string, status: EndpointStatus, event: EndpointEvent) =>
      Effect.gen(function* () {
        yield* gate.require(caller, MANAGE)
        const change = Effect.gen(function* () {
          const existing = yield* locked(id)
          if (status === "active") {
            // enabling re-validates what would run
            yield* checkGraphql(existing.graphql)
            yield* checkDocument(existing.graphql)
            yield* checkRequestSchema(existing.requestSchema)
          }
          const { id: _, createdBy, updatedBy, createdAt, updatedAt, ...fields } = existing
          const saved = yield* Effect.flatMap(endpoints.update(id, { ...fields, status }, caller.entityId), written(id))
          yield* bump
          return saved
        })
        return yield* audit.transactionally(change, eventOf(caller, event))
      }).pipe(clashIsConflict)

    return {
      list,
      get,
      executions: executionsOf,
      create,
      update,
      enable: (caller: Caller, id: string) =>
        setStatus(caller, id, "active", "api_endpoint.enable").pipe(Effect.withSpan("ApiEndpointService.enable")),
      disable: (caller: Caller, id: string) =>
        setStatus(caller, id, "disabled", "api_endpoint.disable").pipe(Effect.withSpan("ApiEndpointService.disable")),
    }
  }),
}) {}
