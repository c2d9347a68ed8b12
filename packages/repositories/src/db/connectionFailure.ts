import type { SqlError } from "@effect/sql/SqlError"

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"])
// 08xxx connection exceptions, 57P01-57P03 shutdown / cannot connect now, 53300 too many connections
const SQLSTATE = /^(08|57P0[123]|53300)/

const describe = (cause: unknown): { code?: string; message?: string; cause?: unknown } =>
  typeof cause === "object" && cause !== null ? cause : {}

/** True when the database could not be reached, as opposed to a statement it rejected. */
export const isConnectionFailure = (error: SqlError): boolean => {
  let cause: unknown = error.cause
  for (let depth = 0; depth < 4 && cause !== undefined; depth++) {
    const c = describe(cause)
    if (typeof c.code === "string" && (NETWORK_CODES.has(c.code) || SQLSTATE.test(c.code))) return true
    if (
      typeof c.message === "string" &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection timed out/i.test(
        c.message,
      )
    )
      return true
    cause = c.cause
  }
  return /Failed to acquire connection|Connection timed out/.test(error.message)
}
