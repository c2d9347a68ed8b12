import { EntityRpcs } from "@atom/domain/rpc"
import { paging } from "@atom/domain/tenants"
import { EntityService } from "@atom/services/entities"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

/** Entities, their lifecycle, placement and ownership over RPC: the calls `entitiesModule` makes. */
export const entityHandlers = EntityRpcs.of({
  CreateEntity: (p) =>
    asCaller((caller) =>
      Effect.flatMap(EntityService, (s) =>
        s.create(caller, {
          id: p.id ?? null,
          profileId: p.profileId ?? null,
          profileVersionId: p.profileVersionId ?? null,
          kind: p.kind ?? null,
          name: p.name,
          alias: p.alias ?? null,
          tenantId: p.tenantId ?? null,
          attributes: p.attributes ?? null,
        }),
      ),
    ),
  GetEntity: ({ id }) => asCaller((caller) => Effect.flatMap(EntityService, (s) => s.get(caller, id))),
  ListEntities: (p) =>
    asCaller((caller) =>
      Effect.flatMap(EntityService, (s) =>
        s.list(
          caller,
          {
            q: p.q?.trim() || null,
            kind: p.kind ?? null,
            profileId: p.profileId ?? null,
            tenantId: p.tenantId ?? null,
            parentGroupId: p.parentGroupId ?? null,
            includeDescendants: p.includeDescendants ?? false,
            status: p.status ?? null,
            deleted: p.deleted ?? "live",
          },
          paging(p),
        ),
      ),
    ),
  UpdateEntity: ({ id, ...patch }) =>
    asCaller((caller) => Effect.flatMap(EntityService, (s) => s.update(caller, id, patch))),
  DeleteEntity: ({ id }) => asCaller((caller) => Effect.flatMap(EntityService, (s) => s.delete(caller, id))),
  RestoreEntity: ({ id }) => asCaller((caller) => Effect.flatMap(EntityService, (s) => s.restore(caller, id))),
  PurgeEntity: ({ id }) => asCaller((caller) => Effect.flatMap(EntityService, (s) => s.purge(caller, id))),
  EnableEntity: ({ id }) => asCaller((caller) => Effect.flatMap(EntityService, (s) => s.enable(caller, id))),
  DisableEntity: ({ id }) => asCaller((caller) => Effect.flatMap(EntityService, (s) => s.disable(caller, id))),
  AddEntityToObjectGroup: ({ entityId, objectGroupId }) =>
    asCaller((caller) => Effect.flatMap(EntityService, (s) => s.setParentGroup(caller, entityId, objectGroupId))),
  RemoveEntityFromObjectGroup: ({ entityId }) =>
    asCaller((caller) => Effect.flatMap(EntityService, (s) => s.clearParentGroup(caller, entityId))),
  OwnedEntities: ({ ownerId }) =>
    asCaller((caller) => Effect.flatMap(EntityService, (s) => s.ownedEntities(caller, ownerId))),
  AddOwnership: ({ ownerId, ownedId, relation }) =>
    asCaller((caller) =>
      Effect.flatMap(EntityService, (s) => s.addOwnership(caller, ownerId, ownedId, relation ?? null)),
    ),
  RemoveOwnership: ({ ownerId, ownedId }) =>
    asCaller((caller) => Effect.flatMap(EntityService, (s) => s.removeOwnership(caller, ownerId, ownedId))),
})
