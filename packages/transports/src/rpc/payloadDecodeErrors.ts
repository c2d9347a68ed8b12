import { AtomRpcError, AtomRpcs } from "@atom/domain/rpc"
import type { RpcServer } from "@effect/rpc"
import { Effect, Either, Schema } from "effect"
import { decodeArgs } from "../graphql/decodeArgs.js"
import { toRpcError } from "./toRpcError.js"

type Protocol = RpcServer.Protocol["Type"]

const encodeError = Schema.encodeSync(AtomRpcError)

/** The call's payload as Atom's invalid input (its first problem, named by its path), or undefined when it decodes. */
const payloadRefusal = (tag: string, payload: unknown): AtomRpcError | undefined => {
  const rpc = AtomRpcs.requests.get(tag)
  if (rpc === undefined) return undefined
  // one schema of the group's many: only whether it decodes matters here, not to what
  const schema: Schema.Schema.AnyNoContext = rpc.payloadSchema
  const decoded = Effect.runSync(Effect.either(decodeArgs(schema, payload)))
  return Either.isLeft(decoded) ? toRpcError(decoded.left) : undefined
}

/**
 * The RpcServer answers a payload that does not decode with a defect (the parse error's text as a `Die`),
 * which a typed client sees as a crash. This protocol decodes each request's payload first and answers a
 * bad one itself, as the operation's typed failure: `AtomRpcError` InvalidInput, status 400, like GraphQL's
 * and REST's bad input. The server then never sees the call. It costs a second decode of every payload —
 * microseconds beside a call — and keeps no state per call.
 */
export const withPayloadDecodeErrors = (protocol: Protocol): Protocol => ({
  ...protocol,
  run: (handle) =>
    protocol.run((clientId, message) => {
      if (message._tag !== "Request") return handle(clientId, message)
      const refusal = payloadRefusal(message.tag, message.payload)
      if (refusal === undefined) return handle(clientId, message)
      return protocol.send(clientId, {
        _tag: "Exit",
        requestId: message.id,
        exit: { _tag: "Failure", cause: { _tag: "Fail", error: encodeError(refusal) } },
      })
    }),
})
