import { AtomConfig } from "@atom/domain/config"
import type { DbFailure } from "@atom/repositories/db"
import { Context, Effect, Layer, Option } from "effect"
import { AuditChains } from "./AuditChains.js"
import { chunkEvents, type EncodedEvents } from "./auditChunkCodec.js"
import { makeAuditWriterProcess } from "./auditWriterProcess.js"

/**
 * Where the hot-path queue's writer fibers write a batch: on their lane's chain, in the batch's own
 * relaxed-commit transaction. On Postgres a child process with its own connections links, hashes,
 * encodes and inserts (issue 6: that was ~40 % of the event loop at 15,000 events/s); on PGlite, one
 * in-process session, the chains of this thread do it in slices between requests.
 */
export class AuditLaneWriter extends Context.Tag("atom/AuditLaneWriter")<
  AuditLaneWriter,
  {
    /** a batch, as the queue holds it: chunks of columns (`auditChunkCodec.ts`) */
    readonly append: (
      chunks: ReadonlyArray<EncodedEvents>,
      lane: number,
      sliceMs: number,
    ) => Effect.Effect<void, DbFailure>
  }
>() {
  /** On this thread's chains (PGlite, and tests that want the main-thread path). */
  static readonly InProcess = Layer.effect(
    AuditLaneWriter,
    Effect.map(AuditChains, (chains) => ({
      append: (chunks: ReadonlyArray<EncodedEvents>, lane: number, sliceMs: number) =>
        Effect.suspend(() =>
          Effect.asVoid(chains.append(chunks.flatMap(chunkEvents), { relaxed: true, lane, sliceMs })),
        ),
    })),
  )

  /** In a child process on Postgres (`lanes`: the queue's writer fibers, one connection each). */
  static readonly process = (lanes: number) =>
    Layer.scoped(
      AuditLaneWriter,
      Effect.flatMap(AtomConfig, (config) =>
        Option.match(config.databaseUrl, {
          onNone: () => Effect.dieMessage("AuditLaneWriter.process needs DATABASE_URL"),
          onSome: (url) =>
            makeAuditWriterProcess(url, {
              lanes,
              connectTimeoutSecs: config.db.connectTimeoutSecs,
              idleTimeoutSecs: config.db.idleTimeoutSecs,
              maxLifetimeSecs: config.db.maxLifetimeSecs,
              idlePriority: config.audit.writerIdlePriority,
            }),
        }),
      ),
    )

  /** The child process on Postgres (DATABASE_URL set), else in this one. */
  static readonly layer = (lanes: number): Layer.Layer<AuditLaneWriter, never, AtomConfig | AuditChains> =>
    Layer.unwrapEffect(
      Effect.map(
        AtomConfig,
        (config): Layer.Layer<AuditLaneWriter, never, AtomConfig | AuditChains> =>
          Option.isSome(config.databaseUrl) ? AuditLaneWriter.process(lanes) : AuditLaneWriter.InProcess,
      ),
    )
}
