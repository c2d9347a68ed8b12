import { ApiEndpointExecutions, type NewExecution } from "@atom/repositories/endpoints"
import { Context, Duration, Effect, Layer, Queue } from "effect"

const CAPACITY = 10_000
const BATCH = 500
const SHUTDOWN_BUDGET = Duration.seconds(3)
const LINGER = Duration.millis(50)

/**
 * The execution log of custom endpoints, written off the request path: rows are queued and one fiber writes
 * them in multi-row INSERTs, so a call never waits for its own record. A failed batch is logged and dropped
 * (the log is diagnostics, not the audit trail); what is queued at shutdown is written before the database
 * closes, within a budget.
 */
export class ExecutionLog extends Context.Tag("atom/ExecutionLog")<
  ExecutionLog,
  {
    readonly record: (execution: NewExecution) => Effect.Effect<void>
    /** Resolves once everything recorded so far is written (or dropped). */
    readonly flush: Effect.Effect<void>
  }
>() {
  static readonly Live = Layer.scoped(
    ExecutionLog,
    Effect.gen(function* () {
      const executions = yield* ApiEndpointExecutions
      const queue = yield* Queue.dropping<NewExecution>(CAPACITY)
      let inFlight = 0

      const write = (batch: ReadonlyArray<NewExecution>) =>
        executions.insertMany(batch).pipe(
          Effect.uninterruptible,
          Effect.catchAll((e) =>
            Effect.logWarning("endpoint execution log: batch not written").pipe(
              Effect.annotateLogs({ rows: batch.length, error: e.message }),
            ),
          ),
          Effect.catchAllDefect(() => Effect.logWarning("endpoint execution log: batch not written")),
        )

      const writer = Effect.forever(
        Effect.gen(function* () {
          const first = yield* Queue.takeBetween(queue, 1, BATCH)
          inFlight = first.length
          // under load, let a batch fill for a moment: one INSERT per linger, not one per call
          yield* Effect.sleep(LINGER)
          const more = yield* Queue.takeUpTo(queue, BATCH - first.length)
          yield* write([...first, ...more])
          inFlight = 0
        }),
      )
      yield* Effect.forkScoped(writer)
      yield* Effect.addFinalizer(() =>
        Effect.gen(function* () {
          const rest = yield* Queue.takeAll(queue)
          if (rest.length > 0) yield* write([...rest])
        }).pipe(Effect.timeout(SHUTDOWN_BUDGET), Effect.ignore),
      )

      const flush = Effect.gen(function* () {
        for (let i = 0; i < 500; i++) {
          const size = yield* Queue.size(queue)
          if (size <= 0 && inFlight === 0) return
          yield* Effect.sleep(Duration.millis(10))
        }
      })

      return {
        record: (execution: NewExecution) =>
          Queue.offer(queue, execution).pipe(
            Effect.flatMap((ok) => (ok ? Effect.void : Effect.logWarning("endpoint execution log: queue full"))),
          ),
        flush,
      }
    }),
  )
}
