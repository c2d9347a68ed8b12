import { Conflict, DatabaseError, InvalidInput, Unavailable } from "@atom/domain/errors"
import type { SqlError } from "@effect/sql/SqlError"
import { isConnectionFailure } from "./connectionFailure.js"

const sqlState = (error: SqlError): string | undefined => {
  const cause: unknown = error.cause
  if (typeof cause !== "object" || cause === null || !("code" in cause)) return undefined
  return typeof cause.code === "string" ? cause.code : undefined
}

export type DbFailure = Unavailable | Conflict | InvalidInput | DatabaseError

/** The contract's mapping of database failures (api.md §1.1), plus 503 when the database is away. */
export const fromSqlError = (error: SqlError): DbFailure => {
  if (isConnectionFailure(error)) return new Unavailable({ message: "database unavailable" })
  switch (sqlState(error)) {
    case "23505":
      return new Conflict({ message: "already exists" })
    case "23503":
      return new InvalidInput({ message: "invalid reference" })
    case "23514":
      return new InvalidInput({ message: "invalid value" })
    default:
      return new DatabaseError()
  }
}
