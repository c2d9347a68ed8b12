import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { Duplex } from "node:stream"
import type { Cidr } from "@atom/domain/config"
import type { AtomError, PayloadTooLarge } from "@atom/domain/errors"
import { Cause, Effect, Exit, type Fiber, Option, type Runtime } from "effect"
import * as EffectRuntime from "effect/Runtime"
import { INTERNAL, toWire } from "../errors/wire.js"
import { clientAddress } from "./clientAddress.js"
import type { HttpReject } from "./HttpReject.js"
import type { Route, RouteRequest, RouteResponse } from "./Route.js"
import { makeRouter } from "./Router.js"
import { readBody } from "./readBody.js"
import { requestRefs, tracingEnabled } from "./requestRefs.js"

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void

/**
 * A native handler that writes the server's response headers itself: it is given them as a flat name/value
 * list (`x-request-id` and its value first, then CORS when the origin is allowed) to extend with its own and
 * pass to its one `writeHead`. The server then sets nothing on the response beforehand, so node takes its
 * fast path (no header object filled per response, each header checked once).
 */
export interface HeaderListHandler {
  (req: IncomingMessage, res: ServerResponse, headers: Array<string>): void
  readonly takesHeaderList: true
}

export interface HttpServerOptions<R> {
  readonly host: string
  readonly port: number
  readonly routes: ReadonlyArray<Route<R>>
  readonly runtime: Runtime.Runtime<R>
  /** Handlers that own the raw request (yoga for /graphql), by exact path and method. */
  readonly native?: ReadonlyArray<{
    readonly method: string
    readonly path: string
    readonly handler: NodeHandler | HeaderListHandler
  }>
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

type HeaderMap = Record<string, string | Array<string>>

const write = (res: ServerResponse, response: RouteResponse, headers: HeaderMap) => {
  if (res.headersSent) return
  if (response.headers !== undefined) Object.assign(headers, response.headers)
  const body = response.body
  if (body !== undefined) {
    if (headers["content-type"] === undefined) headers["content-type"] = "text/plain"
    // the whole body is known: a length spares chunked framing (three more buffers per response)
    headers["content-length"] ??= String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength)
  }
  res.writeHead(response.status, headers)
  res.end(body)
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

const INTERNAL_RESPONSE: RouteResponse = {
  status: INTERNAL.http,
  headers: { "content-type": "application/json" },
  body: '{"error":"internal error"}',
}

/** The request id and CORS headers as a flat list for a HeaderListHandler (only strings are set before a route's). */
const headerList = (requestId: string, headers: HeaderMap): Array<string> => {
  const list = ["x-request-id", requestId]
  for (const name in headers) {
    const value = headers[name]
    if (name !== "x-request-id" && typeof value === "string") list.push(name, value)
  }
  return list
}

/** An Effect that is already its outcome (`Effect.succeed(x)`, `Effect.fail(e)`: an Exit is an Effect of its value). */
const isSettled = <A, E, R>(effect: Effect.Effect<A, E, R>): effect is Effect.Effect<A, E, R> & Exit.Exit<A, E> =>
  Exit.isExit(effect)

/** The query string, parsed only when a handler reads it. */
const lazyQuery = (url: string, q: number): (() => URLSearchParams) => {
  let parsed: URLSearchParams | undefined
  return () => {
    parsed ??= new URLSearchParams(q === -1 ? "" : url.slice(q + 1))
    return parsed
  }
}

/** A plain node:http server: REST routes run as Effects on the shared runtime; yoga gets the raw request. */
export const startHttpServer = <R>(options: HttpServerOptions<R>): Promise<RunningHttpServer> => {
  const route = makeRouter(options.routes)
  const runFork = EffectRuntime.runFork(options.runtime)
  const tracing = tracingEnabled(options.runtime)
  // by path, then method: no key string is built per request
  const native = new Map<
    string,
    { readonly allow: string; readonly byMethod: Map<string, NodeHandler | HeaderListHandler> }
  >()
  for (const n of options.native ?? []) {
    const before = native.get(n.path)
    const byMethod = before?.byMethod ?? new Map<string, NodeHandler | HeaderListHandler>()
    byMethod.set(n.method, n.handler)
    native.set(n.path, { allow: before === undefined ? n.method : `${before.allow}, ${n.method}`, byMethod })
  }
  const origins = new Set(options.corsAllowedOrigins)
  const report = options.onResponse
  let inFlight = 0

  // Per-request work lives in functions made once: tsx (keepNames) wraps every named closure in a
  // defineProperty call each time it is created, which a request path pays for.

  /** Rate limiting: answers 429 and true when this client may not make this request now. */
  const refused = (res: ServerResponse, headers: HeaderMap, path: string, clientIp: string): boolean => {
    const wait = options.admit?.(path, clientIp)
    if (wait === undefined) return false
    write(res, TOO_MANY(wait), headers)
    return true
  }

  /** Writes a route's outcome: its response, its typed error's, or 500 after reporting a defect. */
  const answer = (
    res: ServerResponse,
    headers: HeaderMap,
    exit: Exit.Exit<RouteResponse, AtomError | HttpReject>,
    request: RouteRequest,
  ) => {
    if (Exit.isSuccess(exit)) return write(res, exit.value, headers)
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) return write(res, errorResponse(failure.value), headers)
    if (!Cause.isInterruptedOnly(exit.cause)) {
      options.onDefect(exit.cause, { method: request.method, path: request.path, requestId: request.requestId })
    }
    write(res, INTERNAL_RESPONSE, headers)
  }
  let draining: (() => void) | undefined

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    inFlight++
    const started = report ? performance.now() : 0
    const url = req.url ?? "/"
    const q = url.indexOf("?")
    const path = q === -1 ? url : url.slice(0, q)
    const method = req.method ?? "GET"
    // unknown paths share one label, so scanners cannot grow the metric without bound
    let routeLabel = "unmatched"
    let fiber: Fiber.RuntimeFiber<RouteResponse, never> | undefined
    // 'close' is emitted once per response (node guards it), so `on` spares the once wrapper
    res.on("close", () => {
      // a client that goes away stops its work
      if (fiber !== undefined && !res.writableEnded) runFork(fiber.interruptAsFork(fiber.id()))
      if (report) report(routeLabel, res.statusCode, performance.now() - started, method)
      inFlight--
      if (inFlight === 0) draining?.()
    })
    const headerId = req.headers["x-request-id"]
    const requestId = typeof headerId === "string" && REQUEST_ID.test(headerId) ? headerId : randomUUID()
    // the response's headers: request id and CORS first, the route's own on top
    const headers: HeaderMap = { "x-request-id": requestId }
    const origin = req.headers.origin
    if (origin !== undefined && origins.has(origin)) {
      headers["access-control-allow-origin"] = origin
      headers["access-control-allow-credentials"] = "true"
      headers.vary = "Origin"
      if (method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined) {
        write(
          res,
          {
            status: 200,
            headers: { "access-control-allow-methods": CORS_METHODS, "access-control-allow-headers": CORS_HEADERS },
          },
          headers,
        )
        return
      }
    }

    const clientIp = clientAddress(req.socket.remoteAddress ?? "", req.headers, options.trustedProxyCidrs)
    const nativePath = native.get(path)
    if (nativePath !== undefined) {
      routeLabel = path
      const nativeHandler = nativePath.byMethod.get(method)
      if (nativeHandler === undefined) {
        write(res, { status: 405, headers: { allow: nativePath.allow } }, headers)
        return
      }
      if (refused(res, headers, path, clientIp)) return
      if ("takesHeaderList" in nativeHandler) return nativeHandler(req, res, headerList(requestId, headers))
      // a native handler writes its own response: the request id and CORS headers go on first
      for (const name in headers) res.setHeader(name, headers[name] ?? "")
      nativeHandler(req, res)
      return
    }
    const match = route(method, path)
    if (match.kind === "none") {
      write(res, { status: 404 }, headers)
      return
    }
    if (match.kind === "method") {
      write(res, { status: 405, headers: { allow: match.allow.join(", ") } }, headers)
      return
    }
    routeLabel = match.route.path
    if (refused(res, headers, path, clientIp)) return
    const query = lazyQuery(url, q)
    const bodyLimit = match.route.bodyLimit ?? options.defaultBodyLimit
    // made only for the routes that read a body
    let body: Effect.Effect<Uint8Array, PayloadTooLarge> | undefined
    const request: RouteRequest = {
      method,
      path,
      params: match.params,
      get query() {
        return query()
      },
      headers: req.headers,
      clientIp,
      requestId,
      get body() {
        body ??= readBody(req, bodyLimit)
        return body
      },
    }
    const work = match.route.handler(request)
    // an answer already made (a constant route) needs no fiber; a span is still made when tracing is on
    if (!tracing && isSettled(work)) return answer(res, headers, work, request)
    const answered = Effect.catchAll(work, (e) => Effect.succeed(errorResponse(e)))
    const running = runFork(
      tracing
        ? answered.pipe(
            Effect.tap((response) => Effect.annotateCurrentSpan("http.status_code", response.status)),
            Effect.withSpan(`${method} ${routeLabel}`, {
              kind: "server",
              attributes: { "http.method": method, "http.route": routeLabel },
              captureStackTrace: false,
            }),
          )
        : answered,
      { updateRefs: requestRefs({ clientIp, userAgent: req.headers["user-agent"], requestId }, tracing) },
    )
    // work that finished without waiting is answered now; the rest when its fiber ends
    const done = running.unsafePoll()
    if (done !== null) return answer(res, headers, done, request)
    fiber = running
    running.addObserver((exit) => answer(res, headers, exit, request))
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
