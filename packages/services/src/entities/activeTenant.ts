import { NotFound } from "@atom/domain/errors"
import type { TenantRefs } from "@atom/repositories/identity"
import { Effect } from "effect"

/** New objects go only into active, live tenants (identity-certs §1.1); null is the platform. */
export const requireActiveTenant = (tenants: TenantRefs, tenantId: string | null) =>
  tenantId === null
    ? Effect.void
    : Effect.flatMap(tenants.byId(tenantId), (tenant) =>
        tenant !== undefined && !tenant.deleted && tenant.status === "active"
          ? Effect.void
          : Effect.fail(new NotFound({ message: `active tenant ${tenantId} not found` })),
      )
