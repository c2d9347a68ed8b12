import type { Caller } from "@atom/domain/identity"
import { Effect } from "effect"
import { anyOf, Gate, Platform } from "../authz/Gate.js"
import { Readiness } from "./Readiness.js"

/** `systemStatus` (api.md §3.5): the `/health/ready` body (snake_case, as REST sends it), platform `manage` only. */
export class SystemStatus extends Effect.Service<SystemStatus>()("atom/SystemStatus", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const readiness = yield* Readiness
    const report = (caller: Caller) =>
      Effect.zipRight(
        gate.require(caller, anyOf(["manage"], Platform)),
        Effect.map(readiness.report, (r) => r.body),
      ).pipe(Effect.withSpan("SystemStatus.report"))
    return { report } as const
  }),
}) {}
