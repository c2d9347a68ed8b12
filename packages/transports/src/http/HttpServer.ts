import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import type { Cidr } from "@atom/domain/config"
import type { AtomError } from "@atom/domain/errors"
import { withAuditRequest } from "@atom/services/audit"
import { Cause, Effect, Exit, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import { INTERNAL, toWire } from "../errors/wire.js"
import { clientAddress } from "./clientAddress.js"
import type { HttpReject } from "./HttpReject.js"
import type { Route, RouteRequest, RouteResponse } from "./Route.js"
import { makeRouter } from "./Router.js"
import { readBody } from "./readBody.js"

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface HttpServerOptions<R> {
  readonly host: string
  readonly port: number
  readonly routes: ReadonlyArray<Route<R>>
  readonly runtime: Runtime.Runtime<R>
  /** Handlers that own the raw request (yoga for /graphql), by exact path and method. */
  readonly native?: ReadonlyArray<{ readonly method: string; readonly path: string; readonly handler: NodeHandler }>
  readonly defaultBodyLimit: number
  readonly corsAllowedOrigins: ReadonlyArray<string>
  readonly trustedProxyCidrs: ReadonlyArray<Cidr>
  /** Rate limiting: seconds to wait when this client may not make this request now, else undefined. */
  readonly admit?: (path: string, client: string) => number | undefined
  readonly onDefect: (cause: Cause.Cause<unknown>, request: { method: string; path: string; requestId: string }) => void
  /** Called once per request when its response ends (metrics): the route pattern, never the raw path. */
  readonly onResponse?: (route: string, status: number, ms: number, method: string) => void
  /** The node `upgrade` event (WebSocket /rpc); without it upgrades are not answered. */
  readonly onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
}

export interface RunningHttpServer {
  readonly port: number
  /** Stop accepting, let in-flight requests finish (up to the deadline), then close. */
  readonly close: (deadlineMs: number) => Promise<void>
}

const REQUEST_ID = /^[\w.:-]{1,128}$/
const CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
const CORS_HEADERS = "authorization, content-type, accept"

const TOO_MANY = (retryAfter: number): RouteResponse => ({
  status: 429,
  headers: { "content-type": "application/json", "retry-after": String(retryAfter) },
  body: '{"error":"rate limit exceeded"}',
})

const write = (res: ServerResponse, response: RouteResponse, extra: Record<string, string>) => {
  if (res.headersSent) return
  const headers: Record<string, string | Array<string>> = { ...extra, ...response.headers }
  if (response.body !== undefined && headers["content-type"] === undefined) headers["content-type"] = "text/plain"
  res.writeHead(response.status, headers)
  res.end(response.body)
}

const errorResponse = (error: AtomError | HttpReject): RouteResponse => {
  if (error._tag === "HttpReject") return error.response
  const wire = toWire(error)
  return {
    status: wire.http,
    headers: {
      "content-type": "application/json",
      ...(wire.retryAfterSecs !== undefined ? { "retry-after": String(wire.retryAfterSecs) } : {}),
    },
    body: JSON.stringify({ error: wire.message }),
  }
}

/** A plain node:http server: REST routes run as Effects on the shared runtime; yoga gets the raw request. */
export const startHttpServer = <R>(options: HttpServerOptions<R>): Promise<RunningHttpServer> => {
  const route = makeRouter(options.routes)
  const runFork = EffectRuntime.runFork(options.runtime)
  const native = new Map((options.native ?? []).map((n) => [`${n.method} ${n.path}`, n.handler]))
  const nativePaths = new Set((options.native ?? []).map((n) => n.path))
  const origins = new Set(options.corsAllowedOrigins)
  let inFlight = 0
  let draining: (() => void) | undefined

  const finished = () => {
    inFlight--
    if (inFlight === 0) draining?.()
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++
    res.once("close", finished)
    const url = req.url ?? "/"
    const q = url.indexOf("?")
    const path = q === -1 ? url : url.slice(0, q)
    const method = req.method ?? "GET"
    // unknown paths share one label, so scanners cannot grow the metric without bound
    let routeLabel = "unmatched"
    if (options.onResponse) {
      const started = performance.now()
      const report = options.onResponse
      res.once("close", () => report(routeLabel, res.statusCode, performance.now() - started, method))
    }
    const headerId = req.headers["x-request-id"]
    const requestId = typeof headerId === "string" && REQUEST_ID.test(headerId) ? headerId : randomUUID()
    const extra: Record<string, string> = { "x-request-id": requestId }
    const origin = req.headers.origin
    if (origin !== undefined && origins.has(origin)) {
      extra["access-control-allow-origin"] = origin
      extra["access-control-allow-credentials"] = "true"
      extra.vary = "Origin"
      if (method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
        write(
          res,
          {
            status: 200,
            headers: { "access-control-allow-methods": CORS_METHODS, "access-control-allow-headers": CORS_HEADERS },
          },
          extra,
        )
        return
      }
    }
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v)

    const clientIp = clientAddress(req.socket.remoteAddress ?? "", req.headers, options.trustedProxyCidrs)
    const limited = (): boolean => {
      const wait = options.admit?.(path, clientIp)
      if (wait === undefined) return false
      write(res, TOO_MANY(wait), extra)
      return true
    }
    const nativeHandler = native.get(`${method} ${path}`)
    if (nativePaths.has(path)) routeLabel = path
    if (nativeHandler) {
      if (!limited()) nativeHandler(req, res)
      return
    }
    if (nativePaths.has(path)) {
      const allow = (options.native ?? []).filter((n) => n.path === path).map((n) => n.method)
      write(res, { status: 405, headers: { allow: allow.join(", ") } }, extra)
      return
    }
    const match = route(method, path)
    if (match.kind === "none") {
      write(res, { status: 404 }, extra)
      return
    }
    if (match.kind === "method") {
      write(res, { status: 405, headers: { allow: match.allow.join(", ") } }, extra)
      return
    }
    routeLabel = match.route.path
    if (limited()) return
    const request: RouteRequest = {
      method,
      path,
      params: match.params,
      query: new URLSearchParams(q === -1 ? "" : url.slice(q + 1)),
      headers: req.headers,
      clientIp,
      requestId,
      body: readBody(req, match.route.bodyLimit ?? options.defaultBodyLimit),
    }
    const audited = withAuditRequest({ clientIp, userAgent: req.headers["user-agent"], requestId })
    const fiber = runFork(
      audited(
        Effect.catchAll(match.route.handler(request), (e) => Effect.succeed(errorResponse(e))).pipe(
          Effect.tap((response) => Effect.annotateCurrentSpan("http.status_code", response.status)),
          Effect.withSpan(`${method} ${routeLabel}`, {
            kind: "server",
            attributes: { "http.method": method, "http.route": routeLabel },
          }),
        ),
      ),
    )
    fiber.addObserver((exit) => {
      if (Exit.isSuccess(exit)) return write(res, exit.value, extra)
      if (!Cause.isInterruptedOnly(exit.cause)) options.onDefect(exit.cause, { method, path, requestId })
      write(
        res,
        { status: INTERNAL.http, headers: { "content-type": "application/json" }, body: '{"error":"internal error"}' },
        extra,
      )
    })
    // a client that goes away stops its work
    res.once("close", () => {
      if (!res.writableEnded) runFork(fiber.interruptAsFork(fiber.id()))
    })
  }

  const server: Server = createServer({ keepAliveTimeout: 65_000 }, handle)
  if (options.onUpgrade) server.on("upgrade", options.onUpgrade)
  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port, options.host, () => {
      server.off("error", reject)
      const address = server.address()
      const port = typeof address === "object" && address ? (address as AddressInfo).port : options.port
      resolve({
        port,
        close: (deadlineMs) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => {
              server.closeAllConnections()
              done()
            }, deadlineMs)
            const finish = () => {
              clearTimeout(timer)
              done()
            }
            server.close(() => finish())
            // keep-alive sockets with nothing in flight close now; busy ones once their response is sent
            server.closeIdleConnections()
            draining = () => setImmediate(() => server.closeIdleConnections())
          }),
      })
    })
  })
}
