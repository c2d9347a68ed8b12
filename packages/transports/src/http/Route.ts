import type { IncomingHttpHeaders } from "node:http"
import type { AtomError } from "@atom/domain/errors"
import type { Effect } from "effect"
import type { HttpReject } from "./HttpReject.js"

/** What a REST handler sees of a request: decoded once by the server, never the raw socket. */
export interface RouteRequest {
  readonly method: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly headers: IncomingHttpHeaders
  readonly clientIp: string
  readonly requestId: string
  /** The body, read up to the route's limit. */
  readonly body: Effect.Effect<Uint8Array, AtomError>
}

export interface RouteResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string | Array<string>>>
  readonly body?: string | Uint8Array
}

export type Handler<R> = (request: RouteRequest) => Effect.Effect<RouteResponse, AtomError | HttpReject, R>

export interface Route<R> {
  readonly method: string
  /** A path; `:name` matches one segment, a trailing `*` the rest. */
  readonly path: string
  readonly handler: Handler<R>
  readonly bodyLimit?: number
}

export const json = (status: number, value: unknown, headers?: Record<string, string>): RouteResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(value),
})
