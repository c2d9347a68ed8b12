import type { Caller } from "@atom/domain/identity"
import type { PageRequest } from "@atom/domain/policy"
import { OrphanPolicies } from "@atom/repositories/policy"
import { Effect } from "effect"
import { Gate } from "../authz/Gate.js"
import { platformManage } from "./policyGates.js"

/** Hygiene: bindings left pointing at rows that no longer exist (authz.md §4), for platform admins. */
export class OrphanPolicyService extends Effect.Service<OrphanPolicyService>()("atom/OrphanPolicyService", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const orphans = yield* OrphanPolicies
    const list = (caller: Caller, page: PageRequest) =>
      Effect.gen(function* () {
        yield* gate.require(caller, platformManage)
        return yield* orphans.list(page)
      }).pipe(Effect.withSpan("OrphanPolicyService.list"))
    return { list } as const
  }),
}) {}
