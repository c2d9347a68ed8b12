import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { AtomRpcError } from "./AtomRpcError.js"

/** A signing key as `signingKeys` lists it: never key material. */
export const SigningKeyOnWire = Schema.Struct({
  kid: Schema.String,
  status: Schema.String,
  algorithm: Schema.Literal("ES256"),
  createdAt: Schema.Date,
  storageMode: Schema.Literal("encrypted", "plaintext"),
  keyEncryptionKeyId: Schema.NullOr(Schema.String),
})

/** Operator reads and the key rotation (api.md §3.5): platform `manage` / `read` / `rotate`. */
export class SystemRpcs extends RpcGroup.make(
  /** the `/health/ready` body in camelCase, as `systemStatus` answers it */
  Rpc.make("SystemStatus", { payload: {}, success: Schema.Unknown, error: AtomRpcError }),
  Rpc.make("SigningKeys", { payload: {}, success: Schema.Array(SigningKeyOnWire), error: AtomRpcError }),
  Rpc.make("RotateSigningKeys", { payload: {}, success: Schema.Boolean, error: AtomRpcError }),
) {}
