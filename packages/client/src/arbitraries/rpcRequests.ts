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

/** Well-formed calls of one operation: payloads from its payload schema. */
export const wellFormedRpcCalls = (
  tag: string,
  payloadSchema: Schema.Schema.AnyNoContext,
  decodeExit: RpcCall["decodeExit"],
): fc.Arbitrary<RpcCall> => {
  const encode = Schema.encodeSync(Schema.parseJson(payloadSchema))
  return Arbitrary.make(payloadSchema).map(
    (v): RpcCall => ({ label: tag, tag, payload: JSON.parse(encode(v)), decodeExit }),
  )
}

/** Calls of one operation: well-formed payloads from its payload schema, and hostile variants of them. */
export const rpcCalls = (
  tag: string,
  payloadSchema: Schema.Schema.AnyNoContext,
  decodeExit: RpcCall["decodeExit"],
): fc.Arbitrary<RpcCall> => {
  const valid = wellFormedRpcCalls(tag, payloadSchema, decodeExit)
  return fc.oneof(
    { weight: 2, arbitrary: valid },
    {
      weight: 3,
      arbitrary: valid
        .chain((call) => mutateVariables(isJsonObject(call.payload) ? call.payload : {}))
        .map((payload) => ({ label: `${tag} (hostile payload)`, tag, payload, decodeExit })),
    },
  )
}

const operations = [...AtomRpcs.requests.values()].map((rpc) => ({
  tag: rpc._tag,
  payloadSchema: rpc.payloadSchema,
  decodeExit: Schema.decodeUnknownEither(Rpc.exitSchema(rpc)),
}))

/** Every operation of `AtomRpcs`, equally likely. */
export const atomRpcCalls: fc.Arbitrary<RpcCall> = fc.oneof(
  ...operations.map((op) => rpcCalls(op.tag, op.payloadSchema, op.decodeExit)),
)

/**
 * One well-formed call of each operation of `AtomRpcs`, in the group's order: a run that starts with these
 * calls every operation at least once, however many operations the group has.
 */
export const everyAtomRpcOnce: fc.Arbitrary<ReadonlyArray<RpcCall>> = fc.tuple(
  ...operations.map((op) => wellFormedRpcCalls(op.tag, op.payloadSchema, op.decodeExit)),
)
