import type { Caller } from "@atom/domain/identity"
import { Effect } from "effect"
import { AuditLog } from "../audit/AuditLog.js"
import { signingKeyRotateEvent } from "../audit/callerEvents.js"
import { anyOf, Gate, Platform } from "../authz/Gate.js"
import { KeyRing } from "./KeyRing.js"

/**
 * The signing keys as operators see them (api.md §3.5): `signingKeys` (platform `read`; no key material) and
 * `rotateSigningKeys` (platform `rotate`; the rotation and its audit record in one transaction).
 */
export class SigningKeyAdmin extends Effect.Service<SigningKeyAdmin>()("atom/SigningKeyAdmin", {
  effect: Effect.gen(function* () {
    const gate = yield* Gate
    const keys = yield* KeyRing
    const audit = yield* AuditLog

    const list = (caller: Caller) =>
      Effect.zipRight(gate.require(caller, anyOf(["read"], Platform)), keys.list).pipe(
        Effect.withSpan("SigningKeyAdmin.list"),
      )

    const rotate = (caller: Caller) =>
      Effect.zipRight(
        gate.require(caller, anyOf(["rotate"], Platform)),
        audit.transactionally(keys.rotate, () => signingKeyRotateEvent(caller)),
      ).pipe(Effect.as(true), Effect.withSpan("SigningKeyAdmin.rotate"))

    return { list, rotate } as const
  }),
}) {}
