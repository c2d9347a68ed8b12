/**
 * Counts the statements Atom sends to Postgres, for the scale bench's "database round trips per cold check".
 * It wraps node-postgres' `Client.prototype.query` (every statement of every pool client goes through it, one
 * round trip each) in the benchmarked process only; on SIGUSR2 it prints `BENCH_QUERIES <json>` on stdout with
 * the running total and the count per statement (its first 90 characters, whitespace collapsed).
 */
import { createRequire } from "node:module"

export const QUERIES_PREFIX = "BENCH_QUERIES "

export interface QueryCounts {
  readonly total: number
  readonly byStatement: Readonly<Record<string, number>>
}

const statementKey = (arg: unknown): string => {
  const text =
    typeof arg === "string"
      ? arg
      : typeof arg === "object" && arg !== null && "text" in arg && typeof arg.text === "string"
        ? arg.text
        : "(other)"
  return text.replace(/\s+/g, " ").trim().slice(0, 90)
}

/** Installs the counter on the pg module Atom's repositories load (the same file, so the same class). */
export const installQueryCounter = (): void => {
  const require = createRequire(import.meta.url)
  const pg: unknown = require("../../packages/repositories/node_modules/pg")
  const Client: unknown = typeof pg === "object" && pg !== null ? Reflect.get(pg, "Client") : undefined
  const proto: unknown = typeof Client === "function" ? Reflect.get(Client, "prototype") : undefined
  const original: unknown = typeof proto === "object" && proto !== null ? Reflect.get(proto, "query") : undefined
  if (typeof proto !== "object" || proto === null || typeof original !== "function")
    throw new Error("countQueries: pg.Client.prototype.query not found")
  let total = 0
  const byStatement = new Map<string, number>()
  Reflect.set(proto, "query", function (this: unknown, ...args: Array<unknown>) {
    total++
    const key = statementKey(args[0])
    byStatement.set(key, (byStatement.get(key) ?? 0) + 1)
    return Reflect.apply(original, this, args)
  })
  process.on("SIGUSR2", () => {
    const counts: QueryCounts = { total, byStatement: Object.fromEntries(byStatement) }
    process.stdout.write(`${QUERIES_PREFIX}${JSON.stringify(counts)}\n`)
  })
}
