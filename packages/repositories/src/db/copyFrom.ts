import { SqlClient } from "@effect/sql"
import { SqlError } from "@effect/sql/SqlError"
import { Effect, Option } from "effect"
import Pg from "pg"

/**
 * `COPY … FROM STDIN` through node-postgres, which has no COPY of its own: a submittable query that sends
 * the statement, and on the server's CopyInResponse writes the data as CopyData frames and a CopyDone.
 * For Postgres, COPY is the cheapest way in for many rows: no statement to plan, no arrays to parse
 * (about a third less server CPU per audit row than an INSERT … SELECT FROM unnest).
 */

/** The largest CopyData frame sent: the data goes as frames of this size, one socket write in all. */
const FRAME = 64 * 1024

/** CopyData frames ('d', length, bytes) of the data, then CopyDone ('c', length 4). */
export const copyFrames = (data: Buffer): Buffer => {
  const frames = Math.ceil(data.length / FRAME)
  const out = Buffer.allocUnsafe(data.length + frames * 5 + 5)
  let at = 0
  for (let from = 0; from < data.length; from += FRAME) {
    const to = Math.min(data.length, from + FRAME)
    out[at] = 0x64
    out.writeInt32BE(to - from + 4, at + 1)
    at += 5 + data.copy(out, at + 5, from, to)
  }
  out[at] = 0x63
  out.writeInt32BE(4, at + 1)
  return out
}

/** One COPY FROM STDIN; `settle` is told once: null when the server finished it, else its error. */
class CopyIn implements Pg.Submittable {
  private settled = false
  constructor(
    private readonly statement: string,
    private readonly data: Buffer,
    private readonly settle: (error: unknown) => void,
  ) {}
  private finish(error: unknown) {
    if (this.settled) return
    this.settled = true
    this.settle(error)
  }
  submit(connection: Pg.Connection) {
    connection.query(this.statement)
  }
  handleCopyInResponse(connection: Pg.Connection) {
    connection.stream.write(copyFrames(this.data))
  }
  handleError(error: unknown) {
    this.finish(error ?? new Error("COPY failed"))
  }
  handleReadyForQuery() {
    this.finish(null)
  }
  // the server answers a COPY FROM with none of these; node-postgres calls them on whatever is active
  handleCommandComplete() {}
  handleRowDescription() {}
  handleDataRow() {}
  handleEmptyQuery() {}
  handlePortalSuspended() {}
  handleCopyData() {}
}

/** The node-postgres connection of the current transaction, when there is one (none on PGlite). */
export const transactionPgClient: Effect.Effect<Option.Option<Pg.Client>> = Effect.map(
  Effect.serviceOption(SqlClient.TransactionConnection),
  Option.flatMap(([connection]) => {
    const client: unknown = Reflect.get(connection, "pg")
    return client instanceof Pg.Client ? Option.some(client) : Option.none()
  }),
)

/** Runs `statement` (a `COPY … FROM STDIN`) on the client with `data` in the format the statement names. */
export const copyFrom = (client: Pg.Client, statement: string, data: Buffer): Effect.Effect<void, SqlError> =>
  Effect.async<void, SqlError>((resume) => {
    client.query(
      new CopyIn(statement, data, (error) =>
        resume(
          error === null
            ? Effect.void
            : Effect.fail(new SqlError({ cause: error, message: "Failed to execute statement" })),
        ),
      ),
    )
  }).pipe(
    Effect.withSpan("sql.execute", {
      kind: "client",
      attributes: { "db.system.name": "postgresql", "db.query.text": statement, "db.copy.bytes": data.length },
    }),
  )
