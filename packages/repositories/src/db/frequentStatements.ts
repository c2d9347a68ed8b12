// Named prepared statements for the statements Atom runs again and again on Postgres. node-postgres sends a
// parameterised text as the unnamed statement, which the server parses, analyses and plans on every call; for a
// login's lookup that planning is ~0.25 ms of the server's CPU against ~0.05 ms of execution. A text seen often
// gets a name on each pooled connection instead: parsed once there, then only bound and executed, and Postgres
// may keep a generic plan for it. One-off texts (variable IN lists, admin queries) stay unnamed, and each
// connection names at most a bounded number, so the server's memory per session stays bounded too.
import type Pg from "pg"

/** Calls of a text (process-wide) before it is named; the first calls stay unnamed. */
const NAME_AFTER_CALLS = 3
/** Distinct texts counted before the counts start over (dynamic SQL must not grow the map without end). */
const MAX_COUNTED_TEXTS = 4096
/** Named statements per connection; further texts run unnamed on it. Connections are renewed by max lifetime. */
export const MAX_NAMED_PER_CONNECTION = 96

export interface StatementCounts {
  readonly calls: Map<string, number>
  next: number
}

export const makeStatementCounts = (): StatementCounts => ({ calls: new Map(), next: 0 })

interface TextConfig {
  readonly text: string
  readonly values?: unknown
  readonly name?: unknown
  readonly submit?: unknown
}

const isTextConfig = (u: unknown): u is TextConfig =>
  typeof u === "object" && u !== null && "text" in u && typeof u.text === "string"

const hasParameters = (values: unknown): boolean => Array.isArray(values) && values.length > 0

type Callback = (...args: ReadonlyArray<unknown>) => unknown
const isCallback = (u: unknown): u is Callback => typeof u === "function"

/** The config with its statement's name, when it is a parameterised text that gets one. */
const withName = (
  config: unknown,
  values: unknown,
  nameOf: (text: string) => string | undefined,
): { readonly text: string; readonly name: string } | undefined => {
  if (typeof config === "string") {
    const name = hasParameters(values) ? nameOf(config) : undefined
    return name === undefined ? undefined : { name, text: config }
  }
  if (!isTextConfig(config) || config.name !== undefined || config.submit !== undefined) return undefined
  const name = hasParameters(config.values ?? values) ? nameOf(config.text) : undefined
  return name === undefined ? undefined : { ...config, name }
}

/**
 * Makes `client.query` name the frequent parameterised statements it is given (a text plus values, as
 * `@effect/sql-pg` sends them). Statements without parameters keep the simple protocol (a migration may hold
 * several statements in one text), and so do streams and cursors.
 */
export const nameFrequentStatements = (client: Pg.PoolClient, counts: StatementCounts): void => {
  const names = new Map<string, string>()
  const original: (...args: never[]) => unknown = client.query

  const nameOf = (text: string): string | undefined => {
    const known = names.get(text)
    if (known !== undefined) return known
    if (names.size >= MAX_NAMED_PER_CONNECTION) return undefined
    if (counts.calls.size >= MAX_COUNTED_TEXTS && !counts.calls.has(text)) counts.calls.clear()
    const seen = (counts.calls.get(text) ?? 0) + 1
    counts.calls.set(text, seen)
    if (seen < NAME_AFTER_CALLS) return undefined
    const name = `atom_p${++counts.next}`
    names.set(text, name)
    return name
  }

  // A statement whose plan went stale under DDL (its result columns changed) or that the server no longer
  // knows fails once; its text then gets a fresh name, parsed again, on the next call.
  const forgetOnFailure =
    (text: string, callback: Callback): Callback =>
    (...args) => {
      const [err] = args
      if (typeof err === "object" && err !== null && "code" in err && (err.code === "0A000" || err.code === "26000"))
        names.delete(text)
      return callback(...args)
    }

  const query = (config: unknown, values?: unknown, callback?: unknown): unknown => {
    const named = withName(config, values, nameOf)
    if (named === undefined) return Reflect.apply(original, client, [config, values, callback])
    // @effect/sql-pg passes the callback last: (text, values, callback) or ({ text, values }, callback)
    if (isCallback(callback))
      return Reflect.apply(original, client, [named, values, forgetOnFailure(named.text, callback)])
    if (isCallback(values)) return Reflect.apply(original, client, [named, forgetOnFailure(named.text, values)])
    return Reflect.apply(original, client, [named, values])
  }

  Object.defineProperty(client, "query", { configurable: true, writable: true, value: query })
}
