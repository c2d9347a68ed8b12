import { AtomRpcs, RpcAuthentication } from "@atom/domain/rpc"
import { FetchHttpClient, Headers, Socket } from "@effect/platform"
import { RpcClient, type RpcClientError, type RpcGroup, RpcMiddleware, RpcSerialization } from "@effect/rpc"
import { Context, Effect, Layer, Redacted } from "effect"

export interface AtomRpcClientOptions {
  /** Atom's HTTP base URL, e.g. `http://localhost:8080`; `/rpc` is appended. */
  readonly baseUrl: string
  /** A session JWT (from `POST /auth/login`) or an `atom_…` access token, sent as `authorization: Bearer`. */
  readonly token: string | Redacted.Redacted<string>
}

/** The typed client of `AtomRpcs`: one method per operation, failing with `AtomRpcError` or `RpcClientError`. */
export class AtomRpcClient extends Context.Tag("@atom/client/AtomRpcClient")<
  AtomRpcClient,
  RpcClient.RpcClient<RpcGroup.Rpcs<typeof AtomRpcs>, RpcClientError.RpcClientError>
>() {}

const rpcUrl = (baseUrl: string, scheme: "http" | "ws") => {
  const url = new URL("/rpc", baseUrl)
  if (scheme === "ws") url.protocol = url.protocol === "https:" ? "wss:" : "ws:"
  return url.toString()
}

/** Adds the bearer token to every request's headers (each NDJSON message, each WebSocket frame). */
const bearer = (token: string | Redacted.Redacted<string>) => {
  const value = `Bearer ${Redacted.isRedacted(token) ? Redacted.value(token) : token}`
  return RpcMiddleware.layerClient(RpcAuthentication, ({ request }) =>
    Effect.succeed({ ...request, headers: Headers.set(request.headers, "authorization", value) }),
  )
}

const client = Layer.scoped(AtomRpcClient, RpcClient.make(AtomRpcs))

/** `AtomRpcClient` over HTTP: `POST /rpc` with NDJSON bodies (global `fetch`). */
export const layerHttp = (options: AtomRpcClientOptions): Layer.Layer<AtomRpcClient> =>
  client.pipe(
    Layer.provide(bearer(options.token)),
    Layer.provide(RpcClient.layerProtocolHttp({ url: rpcUrl(options.baseUrl, "http") })),
    Layer.provide([FetchHttpClient.layer, RpcSerialization.layerNdjson]),
  )

/**
 * `AtomRpcClient` over one WebSocket to `/rpc`. Give it a `Socket.WebSocketConstructor`:
 * `Socket.layerWebSocketConstructorGlobal` in browsers and Node 22+, `NodeSocket.layerWebSocketConstructor`
 * (`@effect/platform-node`) on older Node.
 */
export const layerWebSocket = (
  options: AtomRpcClientOptions,
): Layer.Layer<AtomRpcClient, never, Socket.WebSocketConstructor> =>
  client.pipe(
    Layer.provide(bearer(options.token)),
    Layer.provide(RpcClient.layerProtocolSocket()),
    Layer.provide([Socket.layerWebSocket(rpcUrl(options.baseUrl, "ws")), RpcSerialization.layerNdjson]),
  )
