// Named prepared statements for PGlite. `PGlite.query` parses, describes and plans every call again under the
// unnamed statement (six protocol round trips into the WASM backend); here each SQL text is parsed once under a
// generated name (Parse + Describe + Sync) and then run as Bind + Execute + Sync in one round trip. Parameters
// are serialized and rows parsed with the database's own serializers/parsers, exactly as `query` does.
import { messages, type PGlite, parse, protocol, type Results, type RowMode } from "@electric-sql/pglite"

type BackendMessage = Parameters<typeof parse.parseResults>[0][number]

interface Prepared {
  readonly name: string
  readonly paramTypes: ReadonlyArray<number>
  /** The statement's RowDescription (text format), or undefined when it returns no rows. */
  readonly rowDescription: BackendMessage | undefined
}

/** Postgres refuses a cached plan whose result columns changed under DDL (SQLSTATE 0A000). */
const isStalePlan = (e: unknown): boolean =>
  e instanceof messages.DatabaseError && e.code === "0A000" && /cached plan must not change result type/.test(e.message)

/** The error `PGlite.query` throws: the DatabaseError with the statement, as makePGliteError adds them. */
const withStatement = (e: unknown, query: string, params: ReadonlyArray<unknown>): unknown => {
  if (e instanceof messages.DatabaseError) Object.assign(e, { query, params, queryOptions: undefined })
  return e
}

// statement names are unique in the process, so several caches may share one database
let counter = 0

export interface PreparedStatements {
  /** Runs one statement with parameters; the caller holds the session (one statement at a time). */
  readonly run: (sql: string, params: ReadonlyArray<unknown>, rowMode?: RowMode) => Promise<Results>
  /** Forgets every statement (after DDL that may change result types); closed with the next round trip. */
  readonly invalidate: () => void
  readonly size: () => number
}

/**
 * An LRU of at most `capacity` named statements per database session. An evicted statement is closed in the
 * next round trip (Close needs no round trip of its own, and is allowed in an aborted transaction).
 */
export const makePreparedStatements = (db: PGlite, capacity = 256): PreparedStatements => {
  const cache = new Map<string, Prepared>()
  let pendingCloses: Array<Uint8Array> = []

  const drop = (sql: string, prepared: Prepared) => {
    if (cache.get(sql) === prepared) cache.delete(sql)
    pendingCloses.push(protocol.serialize.close({ type: "S", name: prepared.name }))
  }

  const roundTrip = (parts: Array<Uint8Array>): Promise<Array<BackendMessage>> => {
    const message = Buffer.concat(pendingCloses.length === 0 ? parts : [...pendingCloses, ...parts])
    pendingCloses = []
    return db.execProtocolStream(message, { syncToFs: false })
  }

  const prepare = async (sql: string): Promise<Prepared> => {
    const name = `atom_s${++counter}`
    const replies = await roundTrip([
      protocol.serialize.parse({ name, text: sql }),
      protocol.serialize.describe({ type: "S", name }),
      protocol.serialize.sync(),
    ])
    const prepared: Prepared = {
      name,
      paramTypes: parse.parseDescribeStatementResults(replies),
      rowDescription: replies.find((m) => m.name === "rowDescription"),
    }
    cache.set(sql, prepared)
    if (cache.size > capacity) {
      const oldest = cache.entries().next().value
      if (oldest) drop(oldest[0], oldest[1])
    }
    return prepared
  }

  const lookup = (sql: string): Prepared | undefined => {
    const prepared = cache.get(sql)
    if (prepared) {
      // most recently used last; a statement run again and again is not moved each time
      cache.delete(sql)
      cache.set(sql, prepared)
    }
    return prepared
  }

  const execute = async (prepared: Prepared, params: ReadonlyArray<unknown>, rowMode: RowMode | undefined) => {
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null
      const serialize = db.serializers[prepared.paramTypes[i] ?? 0]
      return serialize ? serialize(param) : String(param)
    })
    const replies = await roundTrip([
      protocol.serialize.bind({ statement: prepared.name, values }),
      protocol.serialize.execute({}),
      protocol.serialize.sync(),
    ])
    const all = prepared.rowDescription ? [prepared.rowDescription, ...replies] : replies
    const [result] = parse.parseResults(all, db.parsers, rowMode ? { rowMode } : undefined)
    return result ?? { rows: [], fields: [], affectedRows: 0 }
  }

  const runExclusive = async (sql: string, params: ReadonlyArray<unknown>, rowMode?: RowMode): Promise<Results> => {
    let prepared: Prepared | undefined
    try {
      prepared = lookup(sql) ?? (await prepare(sql))
      return await execute(prepared, params, rowMode)
    } catch (e) {
      if (prepared === undefined || !isStalePlan(e)) throw withStatement(e, sql, params)
      drop(sql, prepared)
      // inside a transaction the error has aborted it: the caller sees it, the next run prepares afresh
      if (db.isInTransaction()) throw withStatement(e, sql, params)
      try {
        return await execute(await prepare(sql), params, rowMode)
      } catch (again) {
        throw withStatement(again, sql, params)
      }
    }
  }

  const run = (sql: string, params: ReadonlyArray<unknown>, rowMode?: RowMode): Promise<Results> =>
    // a closed database answers as `query` does; the query mutex keeps out anyone using the raw handle
    db.closed
      ? db.query(sql, [...params], rowMode ? { rowMode } : undefined)
      : db.runExclusive(() => runExclusive(sql, params, rowMode))

  const invalidate = () => {
    for (const [sql, prepared] of [...cache]) drop(sql, prepared)
  }

  return { run, invalidate, size: () => cache.size }
}
