import { randomUUID } from "node:crypto"
import { canonicalJson, makeChainLinker } from "@atom/engines/audit"
import { AuditLogs } from "@atom/repositories/audit"
import { type DbFailure, fromSqlError } from "@atom/repositories/db"
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer, Option } from "effect"
import { forEachInSlices, SLICE_BUDGET_MS } from "../scheduling/yieldToEventLoop.js"
import { preparedOf, type QueuedAuditEvent } from "./queuedEvent.js"

interface PooledChain {
  id: string
  /** a fiber of this process is appending to it right now: others skip it without asking Postgres */
  inUse: boolean
  /** rows were linked onto it, so a missing head means retention emptied it */
  used: boolean
}

/**
 * The hash chains this process writes (migration 0006). Design: a pool of chains owned by the process
 * (chain_id = a fresh UUID, so no other process ever writes them). A writer takes a chain for the rest of
 * its transaction with `pg_try_advisory_xact_lock`, which never waits: if another transaction holds it,
 * the writer tries the next chain, and mints a new one when every chain is busy. So concurrent
 * transactions never queue behind each other for the audit chain; the pool grows to the number of
 * transactions that audit at the same moment. Under the lock the head (last seq and hash) is read from
 * Postgres, not from memory, so a rolled-back transaction or a crash never leaves a gap or a fork: the
 * next holder links to whatever committed. (Needs READ COMMITTED, Postgres's default: the head read
 * takes its snapshot after the lock.) Cost: three statements per append (lock, head, and one multi-row
 * INSERT, or on Postgres for a batch of COPY_MIN_ROWS or more one COPY), however many rows it carries.
 *
 * A `lane` (the hot-path queue's writer fibers) appends to a chain of its own instead of the shared pool:
 * each lane writes its batches one after another in queue order, so rows reach its chain in the order
 * they were stamped, whatever the other lanes do (a shared chain could take a later batch of one writer
 * before an earlier batch of another, and the chain's never-decreasing times would then restamp it).
 */
export class AuditChains extends Context.Tag("atom/AuditChains")<
  AuditChains,
  {
    /**
     * Links and inserts events on one chain; in the caller's transaction, else in its own. `relaxed`: that
     * own transaction commits without waiting for the WAL flush (the hot-path queue, whose rows may be lost
     * by design: a database crash can lose its last moments of events, an Atom crash cannot). `sliceMs`:
     * the longest the linking and encoding runs before it lets the event loop take waiting requests
     * (`forEachInSlices`; default `SLICE_BUDGET_MS`, `Infinity` for all rows in one go).
     */
    readonly append: (
      events: ReadonlyArray<QueuedAuditEvent>,
      options?: { readonly relaxed?: boolean; readonly lane?: number; readonly sliceMs?: number },
    ) => Effect.Effect<void, DbFailure>
    /** How many chains this process has written or holds (health and tests). */
    readonly poolSize: () => number
  }
>() {
  static readonly Live = Layer.effect(
    AuditChains,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const logs = yield* AuditLogs
      const pool: Array<PooledChain> = []
      const lanes = new Map<number, PooledChain>()
      let next = 0

      const release = (chain: PooledChain) =>
        Effect.sync(() => {
          chain.inUse = false
        })

      /** A new chain locked for this transaction; a fresh UUID is locked by no one unless its 32-bit key collides. */
      const freshChain = Effect.gen(function* () {
        for (let attempt = 0; attempt < 8; attempt++) {
          const id = randomUUID()
          if (yield* logs.tryLockChain(id)) return id
        }
        return yield* Effect.dieMessage("audit: could not lock a fresh chain")
      })

      /** A chain locked for this transaction, marked in use until the append ends. */
      const acquire = Effect.gen(function* () {
        const n = pool.length
        for (let i = 0; i < n; i++) {
          const index = (next + i) % n
          const chain = pool[index]
          if (chain === undefined || chain.inUse) continue
          chain.inUse = true
          const locked = yield* Effect.onError(logs.tryLockChain(chain.id), () => release(chain))
          if (locked) {
            next = (index + 1) % n
            return chain
          }
          chain.inUse = false
        }
        const chain: PooledChain = { id: yield* freshChain, inUse: true, used: false }
        pool.push(chain)
        return chain
      })

      /** The lane's own chain locked for this transaction; a new one when its lock key is taken elsewhere. */
      const acquireLane = (lane: number) =>
        Effect.gen(function* () {
          const chain = lanes.get(lane)
          if (chain !== undefined && !chain.inUse) {
            chain.inUse = true
            if (yield* Effect.onError(logs.tryLockChain(chain.id), () => release(chain))) return chain
            chain.inUse = false
          }
          const fresh: PooledChain = { id: yield* freshChain, inUse: true, used: false }
          lanes.set(lane, fresh)
          return fresh
        })

      const appendLocked = (chain: PooledChain, events: ReadonlyArray<QueuedAuditEvent>, sliceMs: number) =>
        Effect.gen(function* () {
          let head = yield* logs.chainHead(chain.id)
          if (head === undefined && chain.used) {
            // retention deleted every row of this chain: continue on a new one rather than restart at 1
            chain.id = yield* freshChain
            head = undefined
          }
          const linker = makeChainLinker(
            chain.id,
            head === undefined ? null : { seq: head.chainSeq, hash: head.hash, createdAt: head.createdAt },
          )
          // linked and encoded for the write row by row, in slices between requests (a batch of the
          // hot-path queue holds up to 2,000 rows: done in one go it kept requests waiting tens of ms)
          const batch = yield* logs.batch(events.length)
          yield* forEachInSlices(
            events,
            (queued) => {
              const event = preparedOf(queued)
              const details = canonicalJson(event.details)
              const row = linker.link(event, details)
              batch.add(row, details)
            },
            sliceMs,
          )
          chain.used = true
          yield* batch.write
        })

      const inTransaction = Effect.map(Effect.serviceOption(SqlClient.TransactionConnection), Option.isSome)

      const relaxCommit = logs.relaxCommit

      const append = (
        events: ReadonlyArray<QueuedAuditEvent>,
        options: { readonly relaxed?: boolean; readonly lane?: number; readonly sliceMs?: number } = {},
      ) => {
        if (events.length === 0) return Effect.void
        const take = options.lane === undefined ? acquire : acquireLane(options.lane)
        const body = Effect.acquireUseRelease(
          take,
          (chain) => appendLocked(chain, events, options.sliceMs ?? SLICE_BUDGET_MS),
          release,
        )
        const own = options.relaxed === true ? Effect.zipRight(relaxCommit, body) : body
        return Effect.flatMap(inTransaction, (inTx) =>
          inTx ? body : sql.withTransaction(own).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(fromSqlError(e)))),
        ).pipe(Effect.withSpan("AuditChains.append", { attributes: { rows: events.length } }))
      }

      return { append, poolSize: () => pool.length + lanes.size }
    }),
  )
}
