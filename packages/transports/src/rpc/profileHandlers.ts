import { ProfileRpcs } from "@atom/domain/rpc"
import { paging } from "@atom/domain/tenants"
import { ProfileService } from "@atom/services/tenants"
import { Effect } from "effect"
import { asCaller } from "./toRpcError.js"

/** Profiles over RPC: the calls `profileResolvers` makes. */
export const profileHandlers = ProfileRpcs.of({
  ListProfiles: (p) =>
    asCaller((caller) =>
      Effect.flatMap(ProfileService, (s) =>
        s.list(
          caller,
          {
            objectKind: p.objectKind ?? null,
            kind: p.kind ?? null,
            tenantId: p.tenantId ?? null,
            status: p.status ?? null,
          },
          paging(p),
        ),
      ),
    ),
  GetProfile: ({ id }) => asCaller((caller) => Effect.flatMap(ProfileService, (s) => s.get(caller, id))),
  ProfileVersions: ({ profileId }) =>
    asCaller((caller) => Effect.flatMap(ProfileService, (s) => s.versions(caller, profileId))),
  CreateProfile: (p) =>
    asCaller((caller) =>
      Effect.flatMap(ProfileService, (s) =>
        s.create(caller, {
          ...p,
          tenantId: p.tenantId ?? null,
          description: p.description ?? null,
          status: p.status ?? null,
        }),
      ),
    ),
  CreateProfileVersion: ({ profileId, ...input }) =>
    asCaller((caller) =>
      Effect.flatMap(ProfileService, (s) =>
        s.createVersion(caller, profileId, {
          version: input.version,
          jsonSchema: input.jsonSchema,
          uiSchema: input.uiSchema,
          status: input.status ?? null,
        }),
      ),
    ),
  UpdateProfile: ({ id, ...patch }) =>
    asCaller((caller) => Effect.flatMap(ProfileService, (s) => s.update(caller, id, patch))),
})
