import { ResourceRpcs } from "@atom/domain/rpc"
import { paging } from "@atom/domain/tenants"
import { ResourceService } from "@atom/services/resources"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

/** Resources over RPC: the calls `resourcesModule` makes. */
export const resourceHandlers = ResourceRpcs.of({
  CreateResource: (p) =>
    asCaller((caller) =>
      Effect.flatMap(ResourceService, (s) =>
        s.create(caller, {
          id: p.id ?? null,
          kind: p.kind,
          name: p.name ?? null,
          alias: p.alias ?? null,
          tenantId: p.tenantId ?? null,
          ownerId: p.ownerId ?? null,
          attributes: p.attributes ?? null,
        }),
      ),
    ),
  GetResource: ({ id }) => asCaller((caller) => Effect.flatMap(ResourceService, (s) => s.get(caller, id))),
  ListResources: (p) =>
    asCaller((caller) =>
      Effect.flatMap(ResourceService, (s) =>
        s.list(
          caller,
          {
            q: p.q?.trim() || null,
            kind: p.kind ?? null,
            tenantId: p.tenantId ?? null,
            attributesContains: p.attributesContains ?? null,
            parentGroupId: p.parentGroupId ?? null,
            includeDescendants: p.includeDescendants ?? false,
            deleted: p.deleted ?? "live",
          },
          paging(p),
        ),
      ),
    ),
  UpdateResource: ({ id, ...patch }) =>
    asCaller((caller) => Effect.flatMap(ResourceService, (s) => s.update(caller, id, patch))),
  DeleteResource: ({ id }) => asCaller((caller) => Effect.flatMap(ResourceService, (s) => s.delete(caller, id))),
  RestoreResource: ({ id }) => asCaller((caller) => Effect.flatMap(ResourceService, (s) => s.restore(caller, id))),
  PurgeResource: ({ id }) => asCaller((caller) => Effect.flatMap(ResourceService, (s) => s.purge(caller, id))),
  AddResourceToObjectGroup: ({ resourceId, objectGroupId }) =>
    asCaller((caller) => Effect.flatMap(ResourceService, (s) => s.setParentGroup(caller, resourceId, objectGroupId))),
  RemoveResourceFromObjectGroup: ({ resourceId }) =>
    asCaller((caller) => Effect.flatMap(ResourceService, (s) => s.clearParentGroup(caller, resourceId))),
  ResourceKinds: ({ tenantId }) =>
    asCaller((caller) => Effect.flatMap(ResourceService, (s) => s.kinds(caller, tenantId ?? null))),
})
