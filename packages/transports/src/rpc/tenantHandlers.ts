import { TenantRpcs } from "@atom/domain/rpc"
import { paging } from "@atom/domain/tenants"
import { TenantLifecycle, TenantService } from "@atom/services/tenants"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

/** Tenants and their lifecycle over RPC: the calls `tenantResolvers` makes. */
export const tenantHandlers = TenantRpcs.of({
  CreateTenant: (p) =>
    asCaller((caller) =>
      Effect.flatMap(TenantService, (s) =>
        s.create(caller, {
          id: p.id ?? null,
          name: p.name,
          alias: p.alias ?? null,
          tags: p.tags ?? null,
          attributes: p.attributes,
        }),
      ),
    ),
  GetTenant: ({ id }) => asCaller((caller) => Effect.flatMap(TenantService, (s) => s.get(caller, id))),
  ListTenants: (p) =>
    asCaller((caller) =>
      Effect.flatMap(TenantService, (s) =>
        s.list(
          caller,
          {
            q: p.q ?? null,
            name: p.name ?? null,
            alias: p.alias ?? null,
            status: p.status ?? null,
            deleted: p.deleted ?? "live",
          },
          paging(p),
        ),
      ),
    ),
  UpdateTenant: ({ id, ...patch }) =>
    asCaller((caller) => Effect.flatMap(TenantService, (s) => s.update(caller, id, patch))),
  DeleteTenant: ({ id }) => asCaller((caller) => Effect.flatMap(TenantLifecycle, (s) => s.delete(caller, id))),
  RestoreTenant: ({ id }) => asCaller((caller) => Effect.flatMap(TenantLifecycle, (s) => s.restore(caller, id))),
  PurgeTenant: ({ id }) => asCaller((caller) => Effect.flatMap(TenantLifecycle, (s) => s.purge(caller, id))),
  EnableTenant: ({ id }) => asCaller((caller) => Effect.flatMap(TenantLifecycle, (s) => s.enable(caller, id))),
  DisableTenant: ({ id }) => asCaller((caller) => Effect.flatMap(TenantLifecycle, (s) => s.disable(caller, id))),
  FreezeTenant: ({ id }) => asCaller((caller) => Effect.flatMap(TenantLifecycle, (s) => s.freeze(caller, id))),
})
