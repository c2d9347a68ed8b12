import type { AuditEvent } from "@atom/domain/audit"
import { Effect, Option } from "effect"
import { AuditQueue } from "./AuditQueue.js"

/**
 * Queues an event from a use case that must not depend on the audit wiring (its own tests build it
 * without the queue): in the server the queue is always there; elsewhere the event is not kept.
 */
export const enqueueAuditAll = (events: ReadonlyArray<AuditEvent>): Effect.Effect<void> =>
  Effect.flatMap(Effect.serviceOption(AuditQueue), (queue) =>
    Option.isSome(queue) ? queue.value.enqueueAll(events) : Effect.void,
  )

/** `enqueueAuditAll` of one event. */
export const enqueueAudit = (event: AuditEvent): Effect.Effect<void> => enqueueAuditAll([event])
