import { AtomRpcs } from "@atom/domain/rpc"
import { Rpc } from "@effect/rpc"
import { Arbitrary, type Either, FastCheck as fc, type ParseResult, Schema } from "effect"
import type { Json } from "../Json.js"
import { mutateVariables } from "./mutate.js"

/** One generated call of the `AtomRpcs` group, as its NDJSON line would carry it. */
export interface RpcCall {
  /** the operation's tag, with ` (hostile payload)` for the mutated ones */
  readonly label: string
  readonly tag: string
  readonly payload: Json
  /** checks the call's `Exit` (as it arrived, encoded) against the operation's exit schema */
  readonly decodeExit: (exit: unknown) => Either.Either<unknown, ParseResult.ParseError>
}

const isJsonObject = (v: Json): v is { readonly [key: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/** Calls of one operation: well-formed payloads from its payload schema, and hostile variants of them. */
export const rpcCalls = (
  tag: string,
  payloadSchema: Schema.Schema.AnyNoContext,
  decodeExit: RpcCall["decodeExit"],
): fc.Arbitrary<RpcCall> => {
  const encode = Schema.encodeSync(Schema.parseJson(payloadSchema))
  const valid = Arbitrary.make(payloadSchema).map((v): Json => JSON.parse(encode(v)))
  return fc.oneof(
    { weight: 2, arbitrary: valid.map((payload) => ({ label: tag, tag, payload, decodeExit })) },
    {
      weight: 3,
      arbitrary: valid
        .chain((v) => mutateVariables(isJsonObject(v) ? v : {}))
        .map((payload) => ({ label: `${tag} (hostile payload)`, tag, payload, decodeExit })),
    },
  )
}

/** Every operation of `AtomRpcs`, equally likely. */
export const atomRpcCalls: fc.Arbitrary<RpcCall> = fc.oneof(
  ...[...AtomRpcs.requests.values()].map((rpc) =>
    rpcCalls(rpc._tag, rpc.payloadSchema, Schema.decodeUnknownEither(Rpc.exitSchema(rpc))),
  ),
)
