import type { IncomingMessage, ServerResponse } from "node:http"
import type { Duplex } from "node:stream"
import type { Cidr } from "@atom/domain/config"
import { AtomRpcs } from "@atom/domain/rpc"
import { withAuditRequest } from "@atom/services/audit"
import { GraphqlDocuments } from "@atom/services/endpoints"
import { HttpApp, HttpServerRequest } from "@effect/platform"
import { NodeSocket } from "@effect/platform-node"
import { RpcSerialization, RpcServer } from "@effect/rpc"
import { Context, Effect, Exit, Layer, type Runtime, Scope } from "effect"
import * as EffectRuntime from "effect/Runtime"
import { createWebSocketStream, WebSocketServer } from "ws"
import { boundedYogaHandler } from "../graphql/boundedYogaHandler.js"
import { clientAddress } from "../http/clientAddress.js"
import type { NodeHandler } from "../http/HttpServer.js"
import { requestIdOf } from "../http/requestId.js"
import { withPayloadDecodeErrors } from "./payloadDecodeErrors.js"
import { RpcAuthenticationLive } from "./rpcAuthentication.js"
import { currentRpcCallAdmission, RpcRequestInfo, requestInfoOf, withRpcRequestInfo } from "./rpcCallContext.js"
import { AtomRpcHandlers } from "./rpcHandlers.js"

export const RPC_PATH = "/rpc"

/** The handlers, with the served GraphQL schema's document checks (custom endpoints' saves). */
const rpcLayer = (documents: GraphqlDocuments["Type"]) =>
  Layer.mergeAll(
    AtomRpcHandlers.pipe(Layer.provide(Layer.succeed(GraphqlDocuments, documents))),
    RpcAuthenticationLive,
    RpcSerialization.layerNdjson,
  )

/** The services the RPC handlers run on (all in the application runtime). */
export type RpcServices = Layer.Layer.Context<ReturnType<typeof rpcLayer>>

export interface RpcEndpointOptions {
  readonly runtime: Runtime.Runtime<RpcServices>
  /** bytes of one HTTP body or one WebSocket message */
  readonly bodyLimit: number
  readonly trustedProxyCidrs: ReadonlyArray<Cidr>
  /** Rate limiting, as on the other routes: seconds to wait, else undefined. */
  readonly admit?: (path: string, client: string) => number | undefined
  /** Checks a custom endpoint's GraphQL text against the schema `/graphql` serves, as its GraphQL save does. */
  readonly documents: GraphqlDocuments["Type"]
}

export interface RpcEndpoint {
  /** `POST /rpc`: NDJSON requests in, NDJSON responses out. */
  readonly http: NodeHandler
  /** The HTTP server's `upgrade` event: WebSocket `/rpc`; other paths are refused. */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  /** Ends the WebSocket connections (before the HTTP server drains, which they would hold open). */
  readonly closeSockets: () => Promise<void>
  /** Stops the RPC servers; after the HTTP server has drained. */
  readonly close: () => Promise<void>
}

const refuse = (socket: Duplex, status: string, extra = "") => {
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n${extra}\r\n`)
}

const headersOf = (req: IncomingMessage): Headers => {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v)
  }
  return headers
}

/** RpcServer.toHttpApp / toHttpAppWebsocket, with payloads that do not decode answered as AtomRpcError. */
const serve = <E, R>(
  protocolWithApp: Effect.Effect<
    { readonly protocol: RpcServer.Protocol["Type"]; readonly httpApp: HttpApp.Default<never, Scope.Scope> },
    E,
    R
  >,
) =>
  Effect.gen(function* () {
    const { protocol, httpApp } = yield* protocolWithApp
    yield* RpcServer.make(AtomRpcs).pipe(
      Effect.provideService(RpcServer.Protocol, withPayloadDecodeErrors(protocol)),
      Effect.interruptible,
      Effect.forkScoped,
    )
    return httpApp
  })

/**
 * `AtomRpcs` on the existing node:http listener: the RpcServer's HTTP app behind the same body limit
 * as /graphql (through the web-handler bridge), and its WebSocket app fed by `ws` on the `upgrade`
 * event. Handlers run on the application runtime, so they use the same services and gates as GraphQL.
 */
export const startRpcEndpoint = async (options: RpcEndpointOptions): Promise<RpcEndpoint> => {
  const scope = Effect.runSync(Scope.make())
  const run = EffectRuntime.runPromise(options.runtime)
  const apps = await run(
    Effect.gen(function* () {
      const context = yield* Layer.buildWithScope(rpcLayer(options.documents), scope)
      const http = yield* serve(RpcServer.makeProtocolWithHttpApp).pipe(Effect.provide(context), Scope.extend(scope))
      const ws = yield* serve(RpcServer.makeProtocolWithHttpAppWebsocket).pipe(
        Effect.provide(context),
        Scope.extend(scope),
      )
      return { http, ws }
    }),
  )
  const trusted = options.trustedProxyCidrs
  const webHandler = HttpApp.toWebHandlerRuntime(options.runtime)(withRpcRequestInfo(apps.http))
  // the same bounded body reading and Fetch bridge as /graphql; the calls of one request share its audit
  // facts, with the request id the HTTP server echoes
  const bridge = {
    fetch: (request: Request, { req, res }: { readonly req: IncomingMessage; readonly res: ServerResponse }) =>
      webHandler(request, Context.make(RpcRequestInfo, requestInfoOf(req, requestIdOf(req, res), trusted))),
    fetchAPI: { Request },
  }
  const http = boundedYogaHandler(bridge, options.bodyLimit)

  const wss = new WebSocketServer({ noServer: true, maxPayload: options.bodyLimit })
  const runFork = EffectRuntime.runFork(options.runtime)
  const serveSocket = (req: IncomingMessage, duplex: Duplex) => {
    const base = HttpServerRequest.fromWeb(new Request(`http://localhost${RPC_PATH}`, { headers: headersOf(req) }))
    const upgrade = NodeSocket.fromDuplex(
      Effect.acquireRelease(Effect.succeed(duplex), (d) => Effect.sync(() => d.destroy())),
    )
    // the request the RpcServer's websocket app reads: its headers, and the already upgraded socket
    const request = new Proxy(base, {
      get: (target, key) => (key === "upgrade" ? upgrade : Reflect.get(target, key, target)),
    })
    // Every call of the connection carries the upgrade request's IP and user agent, and one request id for
    // the connection (the upgrade's x-request-id, or one made here): the connection is the request, and its
    // calls' audit rows are found together by it. Each call is admitted by the rate limiter on its own.
    const info = requestInfoOf(req, requestIdOf(req), trusted)
    const { admit } = options
    const client = info.clientIp ?? ""
    const admitCall = admit === undefined ? undefined : () => admit(RPC_PATH, client)
    const connection = Effect.provideService(apps.ws, HttpServerRequest.HttpServerRequest, request).pipe(
      withAuditRequest(info),
      Effect.locally(currentRpcCallAdmission, admitCall),
    )
    runFork(Effect.scoped(connection))
  }

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? "/"
    const q = url.indexOf("?")
    const path = q === -1 ? url : url.slice(0, q)
    if (path !== RPC_PATH) return refuse(socket, "404 Not Found")
    const client = clientAddress(req.socket.remoteAddress ?? "", req.headers, options.trustedProxyCidrs)
    const wait = options.admit?.(path, client)
    if (wait !== undefined) return refuse(socket, "429 Too Many Requests", `retry-after: ${wait}\r\n`)
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(req, createWebSocketStream(ws)))
  }

  return {
    http,
    upgrade,
    closeSockets: async () => {
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((done) => wss.close(() => done()))
    },
    close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
  }
}
